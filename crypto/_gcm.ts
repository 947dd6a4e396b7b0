// AES-GCM (NIST SP 800-38D): WebCrypto for whole messages, our GHASH for the
// streamed and resumed forms. Not exported.
import * as gf from "./_gf128.ts";
import { Base } from "./_symmetric_base.ts";
import { DecryptError } from "./decrypt_error.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";
import type { SymmetricResult } from "./symmetric_cipher.ts";

async function aesBlock(
  key: CryptoKey,
  block: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-CTR", counter: block, length: 64 },
      key,
      new Uint8Array(16),
    ),
  );
}

interface GcmConstants {
  h: gf.Block;
  hInverse: gf.Block;
  j0: Uint8Array<ArrayBuffer>;
  ej0: gf.Block;
  /** E(J0) of the GHASH oracle's all-zero 96-bit IV. */
  ez: gf.Block;
  /** H^-2, and [0]64 || [128]64 times H: to build a 16-byte IV whose J0 is chosen. */
  hInverse2: gf.Block;
  lengthH: gf.Block;
}

const ZERO_IV = new Uint8Array(12);
/** GCM's limit on the plaintext of one message: 2^36 - 32 bytes. */
const GCM_MAX = 2 ** 36 - 32;

/**
 * GCM on WebCrypto. A message that fits one call uses WebCrypto's AES-GCM directly. For
 * later chunks the GHASH state is recovered from the previous tag (GHASH is linear, so
 * X = (tag ⊕ E(J0))·H⁻¹ ⊕ lengths). Encryption runs each chunk through one native AES-GCM
 * call whose 16-byte IV is solved so that its J0 is the right counter block; decryption
 * first takes the chunk's GHASH from a native AES-GCM call that authenticates it as AAD
 * only, checks the tag, then runs AES-CTR. Only a few GF(2^128) products run in JavaScript.
 */
export class Gcm extends Base {
  readonly cipher = "GCM" as const;
  #gcmKey?: Promise<CryptoKey>;
  #ctrKey?: Promise<CryptoKey>;
  #constants?: Promise<GcmConstants>;
  #x: gf.Block | undefined;
  #lastTag: Uint8Array<ArrayBuffer> | undefined;
  #textLength = 0;
  /** The keystream block E(J0 + textLength/16), known once a full block was encrypted. */
  #lastKeystream: gf.Block | undefined;

  #powerCache: [number, gf.Block] | undefined;

  /** H^blocks, remembered for the last chunk size (chunks usually share one size). */
  #hPower(h: gf.Block, blocks: number): gf.Block {
    if (this.#powerCache?.[0] !== blocks) this.#powerCache = [blocks, gf.pow(h, blocks)];
    return this.#powerCache[1];
  }

  #rememberKeystream(lastPlain: Uint8Array | undefined, ciphertext: Uint8Array): void {
    if (!lastPlain || ciphertext.length % 16 !== 0) return;
    this.#lastKeystream = gf.xor(
      gf.toBlock(lastPlain),
      gf.toBlock(ciphertext, ciphertext.length - 16),
    );
  }

  #gcm(usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
    const key = this.key;
    if (
      !(key instanceof Uint8Array) && key.algorithm.name === "AES-GCM" && key.usages.includes(usage)
    ) {
      return Promise.resolve(key);
    }
    return this.#gcmKey ??= this.importAs("AES-GCM", ["encrypt", "decrypt"]);
  }

  #ctr(): Promise<CryptoKey> {
    return this.#ctrKey ??= this.importAs("AES-CTR", ["encrypt"]);
  }

  #consts(): Promise<GcmConstants> {
    return this.#constants ??= (async () => {
      const ctr = await this.#ctr();
      const h = gf.toBlock(await aesBlock(ctr, new Uint8Array(16)));
      let j0: Uint8Array<ArrayBuffer>;
      if (this.iv.length === 12) {
        j0 = new Uint8Array(16);
        j0.set(this.iv);
        j0[15] = 1;
      } else {
        const padded = new Uint8Array(Math.ceil(this.iv.length / 16) * 16 + 16);
        padded.set(this.iv);
        padded.set(gf.toBytes(gf.lengthBlock(0, this.iv.length)), padded.length - 16);
        j0 = gf.toBytes(gf.ghash(h, padded));
      }
      const z = new Uint8Array(16);
      z[15] = 1;
      const [ej0, ez] = await Promise.all([aesBlock(ctr, j0), aesBlock(ctr, z)]);
      const hInverse = gf.inverse(h);
      return {
        h,
        hInverse,
        j0,
        ej0: gf.toBlock(ej0),
        ez: gf.toBlock(ez),
        hInverse2: gf.mul(hInverse, hInverse),
        lengthH: gf.mul(gf.lengthBlock(0, 16), h),
      };
    })();
  }

  /** GHASH of `data` (zero-padded) from a zero state, computed natively. */
  async #ghash(data: Uint8Array<ArrayBuffer>): Promise<gf.Block> {
    if (data.length === 0) return gf.ZERO;
    const [key, c] = await Promise.all([this.#gcm("encrypt"), this.#consts()]);
    const tag = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv: ZERO_IV, additionalData: data },
        key,
        new Uint8Array(0),
      ),
    );
    const s = gf.xor(gf.toBlock(tag), c.ez);
    return gf.xor(gf.mul(s, c.hInverse), gf.lengthBlock(data.length, 0));
  }

  /** The GHASH state over AAD and all ciphertext so far (without the length block). */
  async #state(): Promise<gf.Block> {
    if (this.#x) return this.#x;
    const c = await this.#consts();
    if (this.#lastTag) {
      const s = gf.xor(gf.toBlock(this.#lastTag), c.ej0);
      this.#x = gf.xor(gf.mul(s, c.hInverse), gf.lengthBlock(this.aad.length, this.#textLength));
    } else {
      this.#x = await this.#ghash(this.aad);
    }
    return this.#x;
  }

  #fastPath(): boolean {
    return this.#textLength === 0 && this.#x === undefined &&
      (this.iv.length === 12 || this.iv.length === 16);
  }

  #advance(length: number, last: boolean): void {
    if (last || length % 16 !== 0) this.finished = true;
  }

  #checkSize(length: number): void {
    if (this.#textLength + length > GCM_MAX) {
      throw new RangeError("Cannot use GCM: a message is limited to 2^36 - 32 bytes");
    }
  }

  async #counterCrypt(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
    const c = await this.#consts();
    const counter = c.j0.slice();
    const view = new DataView(counter.buffer);
    view.setUint32(12, (view.getUint32(12) + 1 + this.#textLength / 16) >>> 0);
    return new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-CTR", counter, length: 32 },
        await this.#ctr(),
        data,
      ),
    );
  }

  async #tagFor(x: gf.Block, textLength: number): Promise<Uint8Array<ArrayBuffer>> {
    const c = await this.#consts();
    const s = gf.mul(gf.xor(x, gf.lengthBlock(this.aad.length, textLength)), c.h);
    return gf.toBytes(gf.xor(s, c.ej0));
  }

  /** Absorbs one chunk of ciphertext into the GHASH state; returns the new state. */
  async #absorb(ciphertext: Uint8Array<ArrayBuffer>): Promise<gf.Block> {
    const [x, g, c] = await Promise.all([this.#state(), this.#ghash(ciphertext), this.#consts()]);
    return gf.xor(gf.mul(x, this.#hPower(c.h, Math.ceil(ciphertext.length / 16))), g);
  }

  protected async doEncrypt(
    data: Uint8Array<ArrayBuffer>,
    last: boolean,
  ): Promise<SymmetricResult> {
    this.#checkSize(data.length);
    // taken now: the caller's buffer is not copied (see SymmetricCipher)
    const lastPlain = data.length >= 16 ? data.slice(data.length - 16) : undefined;
    if (this.#fastPath()) {
      const out = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: "AES-GCM", iv: this.iv, additionalData: this.aad },
          await this.#gcm("encrypt"),
          data,
        ),
      );
      const ciphertext = out.subarray(0, data.length);
      const tag = out.slice(data.length);
      this.#lastTag = tag;
      this.#textLength = data.length;
      this.#rememberKeystream(lastPlain, ciphertext);
      this.#advance(data.length, last);
      return { data: ciphertext, tag: tag.slice() };
    }
    // A later chunk is one native AES-GCM call under a 16-byte IV chosen so that its J0 is
    // the counter block just before this chunk: the keystream is then exactly ours, and
    // the GHASH of the chunk's ciphertext follows from the tag that call returns.
    const [c, x, key] = await Promise.all([this.#consts(), this.#state(), this.#gcm("encrypt")]);
    const offset = this.#textLength / 16;
    const j0 = c.j0.slice();
    const view = new DataView(j0.buffer);
    view.setUint32(12, (view.getUint32(12) + offset) >>> 0);
    const iv = gf.toBytes(gf.mul(gf.xor(gf.toBlock(j0), c.lengthH), c.hInverse2));
    const keystream = offset === 0 ? c.ej0 : this.#lastKeystream!;
    const out = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, data));
    const ciphertext = out.subarray(0, data.length);
    const s = gf.xor(gf.toBlock(out, data.length), keystream);
    const g = gf.xor(gf.mul(s, c.hInverse), gf.lengthBlock(0, data.length));
    const xNew = gf.xor(gf.mul(x, this.#hPower(c.h, Math.ceil(data.length / 16))), g);
    const tag = await this.#tagFor(xNew, this.#textLength + data.length);
    this.#x = xNew;
    this.#textLength += data.length;
    this.#rememberKeystream(lastPlain, ciphertext);
    this.#advance(data.length, last);
    return { data: ciphertext, tag };
  }

  protected async doDecrypt(
    data: Uint8Array<ArrayBuffer>,
    tag: Uint8Array | undefined,
    last: boolean,
  ): Promise<Uint8Array<ArrayBuffer>> {
    if (!(tag instanceof Uint8Array) || tag.length !== 16) {
      throw new TypeError("Cannot decrypt: GCM needs the 16-byte tag");
    }
    this.#checkSize(data.length);
    if (this.#fastPath()) {
      const joined = new Uint8Array(data.length + 16);
      joined.set(data);
      joined.set(tag, data.length);
      let plain: Uint8Array<ArrayBuffer>;
      try {
        plain = new Uint8Array(
          await crypto.subtle.decrypt(
            { name: "AES-GCM", iv: this.iv, additionalData: this.aad },
            await this.#gcm("decrypt"),
            joined,
          ),
        );
      } catch {
        this.finished = true;
        throw new DecryptError();
      }
      this.#lastTag = tag.slice();
      this.#textLength = data.length;
      this.#advance(data.length, last);
      return plain;
    }
    data = data.slice(); // the tag check and the decryption must see the same bytes
    const x = await this.#absorb(data);
    const expected = await this.#tagFor(x, this.#textLength + data.length);
    if (!timingSafeEqual(expected, tag)) {
      this.finished = true;
      throw new DecryptError();
    }
    const plain = await this.#counterCrypt(data);
    this.#x = x;
    this.#textLength += data.length;
    this.#advance(data.length, last);
    return plain;
  }
}
