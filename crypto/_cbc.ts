// AES-CBC with optional PKCS#7 padding, on WebCrypto. Not exported.
import { Base } from "./_symmetric_base.ts";
import type { SymmetricCipher, SymmetricResult } from "./symmetric_cipher.ts";

/**
 * CBC on WebCrypto AES-CBC, chaining across chunks (the next IV is the last ciphertext
 * block). WebCrypto always pads: encryption drops the extra block, and decryption appends
 * a block that decrypts to a full padding block, so padding is checked by our own
 * constant-time code only.
 */
export class Cbc extends Base {
  readonly cipher = "CBC" as const;
  #keyPromise?: Promise<CryptoKey>;

  #key(): Promise<CryptoKey> {
    return this.#keyPromise ??= this.importAs("AES-CBC", ["encrypt", "decrypt"]);
  }

  override setAuth(): SymmetricCipher {
    throw new TypeError("Cannot set AAD: CBC is not an authenticated mode");
  }

  protected async doEncrypt(
    data: Uint8Array<ArrayBuffer>,
    last: boolean,
  ): Promise<SymmetricResult> {
    if (data.length % 16 !== 0) {
      throw new RangeError(
        'Cannot encrypt: CBC chunks must be multiples of 16 bytes unless "PKCS7" is given',
      );
    }
    if (last) this.finished = true;
    if (data.length === 0) return { data: new Uint8Array(0) };
    const out = new Uint8Array(
      await crypto.subtle.encrypt({ name: "AES-CBC", iv: this.iv }, await this.#key(), data),
    );
    this.iv = out.slice(data.length - 16, data.length);
    return { data: out.subarray(0, data.length) };
  }

  protected async doDecrypt(
    data: Uint8Array<ArrayBuffer>,
    tag: Uint8Array | undefined,
    last: boolean,
  ): Promise<Uint8Array<ArrayBuffer>> {
    if (tag !== undefined) throw new TypeError("Cannot decrypt: CBC has no tag");
    if (data.length % 16 !== 0) {
      throw new RangeError("Cannot decrypt: CBC ciphertext must be a multiple of 16 bytes");
    }
    if (last) this.finished = true;
    if (data.length === 0) return new Uint8Array(0);
    const key = await this.#key();
    const lastBlock = data.slice(data.length - 16);
    const padBlock = new Uint8Array(16).fill(16);
    const extra = new Uint8Array(
      await crypto.subtle.encrypt({ name: "AES-CBC", iv: lastBlock }, key, padBlock),
    ).subarray(0, 16);
    const joined = new Uint8Array(data.length + 16);
    joined.set(data);
    joined.set(extra, data.length);
    const plain = new Uint8Array(
      await crypto.subtle.decrypt({ name: "AES-CBC", iv: this.iv }, key, joined),
    );
    this.iv = lastBlock;
    return plain;
  }
}
