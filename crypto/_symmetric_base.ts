// What the three AES modes share: input checks, the encrypt/decrypt
// direction, the additional data, PKCS#7 padding. Not exported.
import { pad, unpad } from "./_pkcs7.ts";
import { toBytes } from "./_bytes.ts";
import type { SymmetricCipher, SymmetricCipherName, SymmetricResult } from "./symmetric_cipher.ts";

export type Direction = "encrypt" | "decrypt";

export function bytesOf(value: string | Uint8Array, what: string): Uint8Array<ArrayBuffer> {
  return toBytes(value, `use ${what}`, what, { copy: true });
}

/** Like bytesOf, but avoids copying large message data (see the note on SymmetricCipher). */
export function viewOf(value: string | Uint8Array, what: string): Uint8Array<ArrayBuffer> {
  return toBytes(value, `use ${what}`, what);
}

export function checkPadding(padding: unknown): boolean {
  if (padding === undefined || padding === null) return false;
  if (padding === "PKCS7") return true;
  throw new TypeError(`Cannot use padding: only "PKCS7" is supported, got "${String(padding)}"`);
}

export abstract class Base implements SymmetricCipher {
  abstract readonly cipher: SymmetricCipherName;
  protected key: Uint8Array<ArrayBuffer> | CryptoKey;
  protected iv: Uint8Array<ArrayBuffer>;
  protected aad: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  protected direction: Direction | undefined;
  protected finished = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(key: Uint8Array<ArrayBuffer> | CryptoKey, iv: Uint8Array<ArrayBuffer>) {
    this.key = key;
    this.iv = iv;
  }

  /**
   * The key for one WebCrypto algorithm: a given CryptoKey of that algorithm is used as is;
   * otherwise raw bytes (given, or exported from an extractable CryptoKey) are imported.
   */
  protected async importAs(name: string, usages: KeyUsage[]): Promise<CryptoKey> {
    const key = this.key;
    if (!(key instanceof Uint8Array)) {
      if (key.algorithm.name === name && usages.every((u) => key.usages.includes(u))) return key;
      if (!key.extractable) {
        throw new TypeError(
          `Cannot use key: ${this.cipher} needs ${name} here, and the ${key.algorithm.name} CryptoKey is not extractable`,
        );
      }
      this.key = new Uint8Array(await crypto.subtle.exportKey("raw", key));
    }
    return await crypto.subtle.importKey(
      "raw",
      this.key as Uint8Array<ArrayBuffer>,
      name,
      false,
      usages,
    );
  }

  setAuth(aad: string | Uint8Array): SymmetricCipher {
    if (this.direction) throw new TypeError("Cannot set AAD: the message has already started");
    this.aad = bytesOf(aad, "AAD");
    return this;
  }

  protected begin(direction: Direction): void {
    if (this.direction && this.direction !== direction) {
      throw new TypeError(
        `Cannot ${direction}: this ${this.cipher} object is used to ${this.direction}`,
      );
    }
    if (this.finished) {
      throw new TypeError(`Cannot ${direction}: the ${this.cipher} message is finished`);
    }
    this.direction = direction;
  }

  /** Runs operations one after another so chunk order is kept. */
  protected serial<T>(op: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(op);
    this.#queue = result.catch(() => {});
    return result;
  }

  encrypt(data: string | Uint8Array, padding?: "PKCS7"): Promise<SymmetricResult> {
    return this.serial(() => {
      this.begin("encrypt");
      const plain = viewOf(data, "data");
      return this.doEncrypt(checkPadding(padding) ? pad(plain) : plain, checkPadding(padding));
    });
  }

  decrypt(
    data: Uint8Array,
    tag?: Uint8Array | "PKCS7" | null,
    padding?: "PKCS7",
  ): Promise<Uint8Array<ArrayBuffer>> {
    return this.serial(async () => {
      this.begin("decrypt");
      if (tag === "PKCS7") {
        padding = "PKCS7";
        tag = undefined;
      }
      const padded = checkPadding(padding);
      if (!(data instanceof Uint8Array)) {
        throw new TypeError("Cannot decrypt: data must be a Uint8Array");
      }
      const plain = await this.doDecrypt(viewOf(data, "data"), tag ?? undefined, padded);
      if (!padded) return plain;
      this.finished = true;
      return unpad(plain);
    });
  }

  protected abstract doEncrypt(
    data: Uint8Array<ArrayBuffer>,
    last: boolean,
  ): Promise<SymmetricResult>;
  protected abstract doDecrypt(
    data: Uint8Array<ArrayBuffer>,
    tag: Uint8Array | undefined,
    last: boolean,
  ): Promise<Uint8Array<ArrayBuffer>>;
}
