/**
 * The default client trust store (the seed's `ba.sharkclient`).
 *
 * @module
 */
import { CertStore, type TlsClientOptions } from "./cert_store.ts";

/** Options for {@linkcode sharkClient}. */
export interface SharkClientOptions {
  /**
   * Which roots to trust: `"deno"` leaves `caCerts` unset so Deno uses its built-in
   * Mozilla root store (or what `DENO_TLS_CA_STORE` selects); `"system"` also loads the
   * operating system's CA bundle into `caCerts` (needs read permission for it). To trust
   * the system store only, run Deno with `DENO_TLS_CA_STORE=system`.
   *
   * @default {"deno"}
   */
  store?: "deno" | "system";
  /**
   * Server name for SNI and verification.
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

let systemStore: Promise<CertStore> | undefined;

/**
 * Returns client TLS options that trust the public web PKI, ready for `Deno.connectTls`
 * or the socket package, like the seed's ready-made `ba.sharkclient()` object. The system
 * store is read once and cached.
 *
 * @param options Root store choice, server name, ALPN.
 * @returns Client TLS options.
 * @throws {Deno.errors.NotFound} If `store: "system"` and no system bundle exists.
 *
 * @example Options for a public HTTPS server
 * ```ts
 * import { sharkClient } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const options = await sharkClient({ alpnProtocols: ["h2", "http/1.1"] });
 * assert.equal(options.caCerts, undefined); // Deno's built-in roots
 * ```
 */
export async function sharkClient(options?: SharkClientOptions): Promise<TlsClientOptions> {
  options ??= {};
  const store = options.store ?? "deno";
  const out: TlsClientOptions = {};
  if (store === "system") {
    systemStore ??= CertStore.system();
    try {
      out.caCerts = (await systemStore).caCerts;
    } catch (error) {
      systemStore = undefined;
      throw error;
    }
  } else if (store !== "deno") {
    throw new TypeError(`Cannot create client options: unknown store "${String(store)}"`);
  }
  if (options.serverName !== undefined) out.serverName = options.serverName;
  if (options.alpnProtocols !== undefined) out.alpnProtocols = [...options.alpnProtocols];
  return out;
}
