/**
 * Certificate authority stores (the seed's `ba.create.certstore`).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { x509 } from "./_x509.ts";
import { pemDecode, pemEncode } from "./pem.ts";

/**
 * TLS client options in the shape `Deno.connectTls`, `Deno.startTls` and the
 * `@cosocket/socket` client accept.
 */
export interface TlsClientOptions {
  /**
   * CA certificates (PEM) that Deno trusts in addition to its root store (Deno adds
   * `caCerts` to the roots it already has).
   */
  caCerts?: string[];
  /** Server name for SNI and certificate verification. */
  serverName?: string;
  /** ALPN protocols to offer. */
  alpnProtocols?: string[];
}

/** Options for {@linkcode CertStore.tlsOptions}. */
export interface CertStoreTlsOptions {
  /**
   * Server name for SNI and certificate verification.
   *
   * @default {undefined}
   */
  serverName?: string;
  /**
   * ALPN protocols to offer.
   *
   * @default {undefined}
   */
  alpnProtocols?: string[];
}

/**
 * Where Linux distributions and macOS keep their CA bundle, in the order
 * {@linkcode CertStore.system} searches them.
 *
 * @example Find the bundle of this machine
 * ```ts
 * import { SYSTEM_CA_BUNDLES } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * assert.ok(SYSTEM_CA_BUNDLES.includes("/etc/ssl/certs/ca-certificates.crt"));
 * ```
 */
export const SYSTEM_CA_BUNDLES: readonly string[] = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/ca-bundle.pem",
  "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
  "/etc/ssl/cert.pem",
];

/** Most certificates one store accepts (a full public root bundle has about 150). */
const MAX_CERTS = 10_000;

/**
 * The part of an I/O object (`@cosocket/io`'s `Io`, or any object of that
 * shape) that {@linkcode CertStore.prototype.addFile} reads with.
 */
export interface CertIo {
  /** Opens a file for reading. */
  open(name: string, mode?: "r"): Promise<{
    read(max?: number): Promise<Uint8Array | null>;
    close(): Promise<void>;
  }>;
}

const MAX_FILE_SIZE = 16 * 1024 * 1024;

async function readWhole(io: CertIo, name: string): Promise<Uint8Array> {
  const file = await io.open(name, "r");
  try {
    const pieces: Uint8Array<ArrayBuffer>[] = [];
    let size = 0;
    let piece;
    while ((piece = await file.read(65536)) !== null && size <= MAX_FILE_SIZE) {
      pieces.push(piece as Uint8Array<ArrayBuffer>);
      size += piece.length;
    }
    return new Uint8Array(await new Blob(pieces).arrayBuffer());
  } finally {
    await file.close();
  }
}

/**
 * A set of trusted CA certificates, loaded from PEM bundles, DER certificates or PKCS#7
 * (`.p7b`) containers, that produces `caCerts` for `Deno.connectTls` and the socket
 * package. Duplicate certificates are stored once.
 *
 * @example Trust a private CA
 * ```ts
 * import { CertStore, createCertificate, createCsr, createKey } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = await createKey();
 * const ca = await createCertificate(
 *   await createCsr(key, { commonName: "My CA" }, { certTypes: ["SSL_CA"] }),
 *   key,
 * );
 * const store = new CertStore();
 * assert.equal(store.addCert(ca + ca), 1); // the duplicate is ignored
 * assert.deepEqual(store.tlsOptions({ serverName: "localhost" }).caCerts, [ca]);
 * ```
 */
export class CertStore {
  #certs = new Map<string, string>();

  /** Number of certificates in the store. */
  get size(): number {
    return this.#certs.size;
  }

  /** The certificates as PEM strings, in insertion order. */
  get caCerts(): string[] {
    return [...this.#certs.values()];
  }

  /**
   * Adds certificates: PEM text with any number of `CERTIFICATE` and `PKCS7` blocks (other
   * blocks are ignored), or DER bytes of one certificate or a PKCS#7 container.
   *
   * @param data The certificates.
   * @returns How many certificates were new.
   * @throws {TypeError} If `data` is neither text nor bytes.
   * @throws {SyntaxError} If nothing parses as a certificate, or a block is malformed.
   * @throws {RangeError} If the store would exceed 10,000 certificates.
   */
  addCert(data: string | Uint8Array): number {
    const ders: Uint8Array[] = [];
    if (typeof data === "string") {
      for (const block of pemDecode(data)) {
        if (block.label === "CERTIFICATE" || block.label === "X509 CERTIFICATE") {
          ders.push(block.der);
        } else if (block.label === "PKCS7" || block.label === "CMS") ders.push(...pkcs7(block.der));
      }
      if (ders.length === 0) {
        throw new SyntaxError("Cannot add certificates: no CERTIFICATE or PKCS7 block");
      }
    } else if (data instanceof Uint8Array) {
      ders.push(...derCertificates(data));
    } else {
      throw new TypeError("Cannot add certificates: expected PEM text or DER bytes");
    }
    let added = 0;
    for (const der of ders) {
      try {
        new x509.X509Certificate(der.slice());
      } catch (error) {
        throw new SyntaxError(`Cannot add certificate: ${(error as Error).message}`);
      }
      const id = createHash("sha256").update(der).digest("hex");
      if (this.#certs.has(id)) continue;
      if (this.#certs.size >= MAX_CERTS) {
        throw new RangeError(`Cannot add certificate: the store is full (${MAX_CERTS})`);
      }
      this.#certs.set(id, pemEncode("CERTIFICATE", der));
      added++;
    }
    return added;
  }

  /**
   * Reads a file (PEM bundle, DER certificate or `.p7b`) and adds its
   * certificates: a path (needs read permission for it), or a file of an I/O
   * object such as `@cosocket/io`'s `diskIo` and `memoryIo` (the seed's
   * certificate stores read through its I/O objects too).
   *
   * @param file The path, or `{ io, name }`.
   * @returns How many certificates were new.
   * @throws {Deno.errors.NotFound} If the path does not exist (an `Io` throws
   * its own error for a name it does not have).
   * @throws {RangeError} If the file is larger than 16 MiB.
   * @throws {SyntaxError} If it holds no certificate.
   *
   * @example From a file of an Io
   * ```ts
   * import { createCertificate, createCertStore, createCsr, createKey } from "@cosocket/crypto";
   * import { memoryIo } from "@cosocket/io";
   * import assert from "node:assert/strict";
   *
   * const key = await createKey();
   * const ca = await createCertificate(
   *   await createCsr(key, { commonName: "My CA" }, { certTypes: ["SSL_CA"] }),
   *   key,
   * );
   * const io = memoryIo();
   * const file = await io.open("ca.pem", "w");
   * await file.write(ca);
   * await file.close();
   * assert.equal(await createCertStore().addFile({ io, name: "ca.pem" }), 1);
   * ```
   */
  async addFile(file: string | URL | { io: CertIo; name: string }): Promise<number> {
    const bytes = typeof file === "string" || file instanceof URL
      ? await Deno.readFile(file)
      : await readWhole(file.io, file.name);
    if (bytes.length > MAX_FILE_SIZE) {
      throw new RangeError(
        `Cannot add certificates: the file is larger than ${MAX_FILE_SIZE} bytes`,
      );
    }
    const text = new TextDecoder().decode(bytes);
    return this.addCert(text.includes("-----BEGIN ") ? text : bytes);
  }

  /**
   * Client TLS options that trust this store's certificates (Deno adds them to its own
   * root store).
   *
   * @param options Server name and ALPN protocols to include.
   * @returns Options for `Deno.connectTls` / `Deno.startTls` / the socket package.
   */
  tlsOptions(options?: CertStoreTlsOptions): TlsClientOptions {
    options ??= {};
    const out: TlsClientOptions = { caCerts: this.caCerts };
    if (options.serverName !== undefined) out.serverName = options.serverName;
    if (options.alpnProtocols !== undefined) out.alpnProtocols = [...options.alpnProtocols];
    return out;
  }

  /**
   * Loads the operating system's CA bundle (the first of {@linkcode SYSTEM_CA_BUNDLES}
   * that exists). Needs read permission for it.
   *
   * @returns A new store.
   * @throws {Deno.errors.NotFound} If no bundle exists.
   */
  static async system(): Promise<CertStore> {
    for (const path of SYSTEM_CA_BUNDLES) {
      const store = new CertStore();
      try {
        await store.addFile(path);
        return store;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) continue;
        throw error;
      }
    }
    throw new Deno.errors.NotFound(
      `Cannot load system certificate store: none of ${SYSTEM_CA_BUNDLES.join(", ")} exists`,
    );
  }
}

function pkcs7(der: Uint8Array): Uint8Array[] {
  let certs: x509.X509Certificates;
  try {
    certs = new x509.X509Certificates(der.slice());
  } catch (error) {
    throw new SyntaxError(`Cannot parse PKCS#7: ${(error as Error).message}`);
  }
  return certs.map((c) => new Uint8Array(c.rawData));
}

function derCertificates(der: Uint8Array): Uint8Array[] {
  try {
    new x509.X509Certificate(der.slice());
    return [der.slice()];
  } catch {
    return pkcs7(der);
  }
}

/**
 * Creates an empty certificate store (the seed's `ba.create.certstore()`).
 *
 * @returns A new, empty {@linkcode CertStore}.
 *
 * @example Create a store
 * ```ts
 * import { createCertStore } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * assert.equal(createCertStore().size, 0);
 * ```
 */
export function createCertStore(): CertStore {
  return new CertStore();
}
