// AES-CCM (NIST SP 800-38C). Not exported.
import { Base } from "./_symmetric_base.ts";
import { DecryptError } from "./decrypt_error.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";
import type { SymmetricResult } from "./symmetric_cipher.ts";

/**
 * CCM (NIST SP 800-38C, RFC 3610) on WebCrypto: the CBC-MAC is the last block of a native
 * AES-CBC encryption with a zero IV of the formatted blocks, and the payload runs through
 * native AES-CTR.
 */
export class Ccm extends Base {
  readonly cipher = "CCM" as const;
  #tagLength: number;
  #keys?: Promise<[CryptoKey, CryptoKey]>;

  constructor(
    key: Uint8Array<ArrayBuffer> | CryptoKey,
    iv: Uint8Array<ArrayBuffer>,
    tagLength: number,
  ) {
    super(key, iv);
    this.#tagLength = tagLength;
  }

  #import(): Promise<[CryptoKey, CryptoKey]> {
    return this.#keys ??= Promise.all([
      this.importAs("AES-CBC", ["encrypt"]),
      this.importAs("AES-CTR", ["encrypt"]),
    ]);
  }

  get #q(): number {
    return 15 - this.iv.length;
  }

  #counter(i: number): Uint8Array<ArrayBuffer> {
    const block = new Uint8Array(16);
    block[0] = this.#q - 1;
    block.set(this.iv, 1);
    block[15] = i;
    return block;
  }

  #checkLength(length: number): void {
    if (this.#q < 8 && length >= 2 ** (8 * this.#q)) {
      throw new RangeError(
        `Cannot use CCM: a ${this.iv.length}-byte nonce limits messages to ${
          2 ** (8 * this.#q) - 1
        } bytes`,
      );
    }
  }

  async #mac(payload: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    const a = this.aad.length;
    const aadHeader = a === 0 ? 0 : a < 0xff00 ? 2 : a < 2 ** 32 ? 6 : 10;
    const aadBlocks = a === 0 ? 0 : Math.ceil((aadHeader + a) / 16) * 16;
    const total = 16 + aadBlocks + Math.ceil(payload.length / 16) * 16;
    const b = new Uint8Array(total);
    const view = new DataView(b.buffer);
    b[0] = (a > 0 ? 0x40 : 0) | (((this.#tagLength - 2) / 2) << 3) | (this.#q - 1);
    b.set(this.iv, 1);
    let len = payload.length;
    for (let i = 15; i > this.iv.length; i--) {
      b[i] = len % 256;
      len = Math.floor(len / 256);
    }
    if (a > 0) {
      if (aadHeader === 2) view.setUint16(16, a);
      else if (aadHeader === 6) {
        view.setUint16(16, 0xfffe);
        view.setUint32(18, a);
      } else {
        view.setUint16(16, 0xffff);
        view.setUint32(18, Math.floor(a / 2 ** 32));
        view.setUint32(22, a >>> 0);
      }
      b.set(this.aad, 16 + aadHeader);
    }
    b.set(payload, 16 + aadBlocks);
    const [cbc] = await this.#import();
    // WebCrypto appends one PKCS#7 block; the CBC-MAC is the block before it.
    const out = new Uint8Array(
      await crypto.subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, cbc, b),
    );
    return out.slice(total - 16, total);
  }

  async #ctr(data: Uint8Array<ArrayBuffer>, first: number): Promise<Uint8Array<ArrayBuffer>> {
    const [, ctr] = await this.#import();
    return new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-CTR", counter: this.#counter(first), length: this.#q <= 4 ? 32 : 64 },
        ctr,
        data,
      ),
    );
  }

  #tag(mac: Uint8Array<ArrayBuffer>, s0: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
    const tag = new Uint8Array(this.#tagLength);
    for (let i = 0; i < tag.length; i++) tag[i] = mac[i]! ^ s0[i]!;
    return tag;
  }

  protected async doEncrypt(data: Uint8Array<ArrayBuffer>): Promise<SymmetricResult> {
    this.#checkLength(data.length);
    this.finished = true;
    const [mac, s0, ciphertext] = await Promise.all([
      this.#mac(data),
      this.#ctr(new Uint8Array(16), 0),
      this.#ctr(data, 1),
    ]);
    return { data: ciphertext, tag: this.#tag(mac, s0) };
  }

  protected async doDecrypt(
    data: Uint8Array<ArrayBuffer>,
    tag: Uint8Array | undefined,
  ): Promise<Uint8Array<ArrayBuffer>> {
    if (!(tag instanceof Uint8Array) || tag.length !== this.#tagLength) {
      throw new TypeError(`Cannot decrypt: CCM needs the ${this.#tagLength}-byte tag`);
    }
    this.#checkLength(data.length);
    this.finished = true;
    const [plain, s0] = await Promise.all([this.#ctr(data, 1), this.#ctr(new Uint8Array(16), 0)]);
    const expected = this.#tag(await this.#mac(plain), s0);
    if (!timingSafeEqual(expected, tag)) {
      plain.fill(0);
      throw new DecryptError();
    }
    return plain;
  }
}
