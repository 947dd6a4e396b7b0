/**
 * AES-GCM, AES-CCM and AES-CBC with the seed's `ba.crypto.symmetric` object model.
 *
 * @module
 */
import * as gf from "./_gf128.ts";
import { pad, unpad } from "./_pkcs7.ts";
import { DecryptError } from "./decrypt_error.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";
import { toBytes } from "./_bytes.ts";

/** The cipher modes of {@linkcode symmetric} (AES with a 128, 192 or 256-bit key). */
export type SymmetricCipherName = "GCM" | "CCM" | "CBC";

/** Options for {@linkcode symmetric}. */
export interface SymmetricOptions {
  /**
   * Tag length in bytes for CCM: 4, 6, 8, 10, 12, 14 or 16. GCM tags are always 16 bytes;
   * CBC has no tag.
   *
   * @default {16}
   */
  tagLength?: number;
}

/** What {@linkcode SymmetricCipher.encrypt} returns. */
export interface SymmetricResult {
  /** The ciphertext. */
  data: Uint8Array<ArrayBuffer>;
  /** The authentication tag (GCM and CCM only). */
  tag?: Uint8Array<ArrayBuffer>;
}

/**
 * An AES encryptor or decryptor. One object handles one message in one direction: the
 * first call to `encrypt` or `decrypt` fixes the direction. Calls may be issued without
 * awaiting the previous one; they run in order. Large inputs are not copied: do not
 * modify a chunk until the promise of the call that took it has settled.
 *
 * Chunking:
 * - **GCM** streams over any number of chunks under one key/IV. Every chunk except the
 *   last must be a multiple of 16 bytes (the seed's example uses 0x500). Each call
 *   returns the tag of the whole message so far, which is exactly the standard GCM tag of
 *   the concatenated chunks, so the final tag authenticates everything and a receiver may
 *   decrypt the concatenation in one call. `decrypt` needs the tag that the matching
 *   `encrypt` call returned and verifies it before releasing any plaintext. A chunk that
 *   is not a multiple of 16 bytes, or one passed with `"PKCS7"`, ends the message.
 * - **CCM** is one-shot by design (the message length is part of its first block): one
 *   `encrypt` or `decrypt` call per object.
 * - **CBC** chains across chunks that are multiples of 16 bytes; the last chunk is passed
 *   with `"PKCS7"` to pad (encrypt) or unpad (decrypt) and ends the message. CBC is not
 *   authenticated: combine it with a MAC (as Fernet does) before trusting the plaintext.
 */
export interface SymmetricCipher {
  /** The cipher mode. */
  readonly cipher: SymmetricCipherName;
  /**
   * Sets the additional authenticated data (GCM and CCM) before the first chunk.
   *
   * @param aad The data to authenticate but not encrypt (strings are UTF-8).
   * @returns This object.
   */
  setAuth(aad: string | Uint8Array): SymmetricCipher;
  /**
   * Encrypts the next chunk (strings are UTF-8).
   *
   * @param data The plaintext chunk.
   * @param padding `"PKCS7"` to pad the last chunk.
   * @returns The ciphertext and, for GCM and CCM, the 16-byte (CCM: `tagLength`) tag.
   */
  encrypt(data: string | Uint8Array, padding?: "PKCS7"): Promise<SymmetricResult>;
  /**
   * Decrypts the next chunk.
   *
   * @param data The ciphertext chunk.
   * @param tag The tag (required for GCM and CCM); for CBC pass `undefined`, or
   * `"PKCS7"` directly in this position.
   * @param padding `"PKCS7"` to remove padding from the last chunk.
   * @returns The plaintext.
   */
  decrypt(
    data: Uint8Array,
    tag?: Uint8Array | "PKCS7" | null,
    padding?: "PKCS7",
  ): Promise<Uint8Array<ArrayBuffer>>;
}

/** The result of an authenticated mode (GCM, CCM): the tag is always there. */
export interface AeadResult extends SymmetricResult {
  /** The authentication tag: 16 bytes for GCM, `tagLength` for CCM. */
  tag: Uint8Array<ArrayBuffer>;
}

/** A GCM or CCM cipher: as {@linkcode SymmetricCipher}, with the tag typed as present. */
export interface AeadCipher extends SymmetricCipher {
  /**
   * Sets the additional authenticated data.
   *
   * @param aad The additional data.
   * @returns The cipher, for chaining.
   */
  setAuth(aad: string | Uint8Array): AeadCipher;
  /**
   * Encrypts a message (or the next chunk of one, for GCM).
   *
   * @param data The plaintext.
   * @param padding Not used by GCM and CCM.
   * @returns The ciphertext and the tag.
   */
  encrypt(data: string | Uint8Array, padding?: "PKCS7"): Promise<AeadResult>;
}

type Direction = "encrypt" | "decrypt";

function bytesOf(value: string | Uint8Array, what: string): Uint8Array<ArrayBuffer> {
  return toBytes(value, `use ${what}`, what, { copy: true });
}

/** Like bytesOf, but avoids copying large message data (see the note on SymmetricCipher). */
function viewOf(value: string | Uint8Array, what: string): Uint8Array<ArrayBuffer> {
  return toBytes(value, `use ${what}`, what);
}

function checkPadding(padding: unknown): boolean {
  if (padding === undefined || padding === null) return false;
  if (padding === "PKCS7") return true;
  throw new TypeError(`Cannot use padding: only "PKCS7" is supported, got "${String(padding)}"`);
}

abstract class Base implements SymmetricCipher {
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
class Gcm extends Base {
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

/**
 * CCM (NIST SP 800-38C, RFC 3610) on WebCrypto: the CBC-MAC is the last block of a native
 * AES-CBC encryption with a zero IV of the formatted blocks, and the payload runs through
 * native AES-CTR.
 */
class Ccm extends Base {
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

/**
 * CBC on WebCrypto AES-CBC, chaining across chunks (the next IV is the last ciphertext
 * block). WebCrypto always pads: encryption drops the extra block, and decryption appends
 * a block that decrypts to a full padding block, so padding is checked by our own
 * constant-time code only.
 */
class Cbc extends Base {
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

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== "undefined" && value instanceof CryptoKey;
}

function aesKeyLength(key: CryptoKey): number {
  const alg = key.algorithm as AesKeyAlgorithm;
  if (!alg.name.startsWith("AES-") || typeof alg.length !== "number") {
    throw new TypeError(`Cannot create cipher: a ${alg.name} CryptoKey is not an AES key`);
  }
  return alg.length / 8;
}

const MODES: Record<string, SymmetricCipherName> = {
  gcm: "GCM",
  "aes-gcm": "GCM",
  ccm: "CCM",
  "aes-ccm": "CCM",
  cbc: "CBC",
  "aes-cbc": "CBC",
};

/**
 * Creates an AES encryptor/decryptor for one message, like the seed's
 * `ba.crypto.symmetric(algorithm, key, IV)`. See {@linkcode SymmetricCipher} for the exact
 * chunking rules of each mode.
 *
 * Nonce rules: never reuse a key/IV pair for two messages. For GCM use a random 12-byte IV
 * (at most 2^32 messages per key with random IVs) or a counter; GCM IVs of any other
 * length are supported but 12 bytes is the standard. For CCM the nonce is 7..13 bytes
 * (13 is usual) and must be unique per key; a shorter nonce allows longer messages
 * (2^(8·(15−n)) − 1 bytes). CBC needs an unpredictable (random) 16-byte IV per message.
 *
 * All three run on WebCrypto: CCM is built from native AES-CTR and AES-CBC because no
 * platform API here offers it, and GCM streaming uses native AES-CTR and AES-GCM. Tags are compared in constant time, and a failed check throws
 * {@linkcode DecryptError} without releasing plaintext.
 *
 * @param cipher `"GCM"`, `"CCM"` or `"CBC"` (lower case works too).
 * @param key A 16, 24 or 32-byte key (strings are UTF-8, as in the seed's example), or
 * an AES `CryptoKey`. A CryptoKey of the mode's own algorithm (`AES-GCM` for GCM,
 * `AES-CBC` for CBC) skips the per-message key import; GCM streaming after the first
 * chunk and CCM also need AES-CTR/AES-CBC, so there the CryptoKey must be extractable.
 * @param iv The IV or nonce (strings are UTF-8).
 * @param options CCM tag length.
 * @returns A {@linkcode SymmetricCipher}.
 * @throws {TypeError} If the mode is unknown or an argument has the wrong type.
 * @throws {RangeError} If the key, IV or tag length does not fit the mode.
 *
 * @example The seed's chunked GCM file encryption
 * ```ts
 * import { symmetric } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = crypto.getRandomValues(new Uint8Array(16));
 * const iv = crypto.getRandomValues(new Uint8Array(12));
 * const file = crypto.getRandomValues(new Uint8Array(3000));
 * const enc = symmetric("GCM", key, iv).setAuth("header");
 * const dec = symmetric("GCM", key, iv).setAuth("header");
 * const out: Uint8Array[] = [];
 * for (let pos = 0; pos < file.length; pos += 0x500) {
 *   const chunk = file.subarray(pos, pos + 0x500);
 *   const last = pos + 0x500 >= file.length;
 *   const { data, tag } = await enc.encrypt(chunk, last ? "PKCS7" : undefined);
 *   out.push(await dec.decrypt(data, tag!, last ? "PKCS7" : undefined));
 * }
 * assert.deepEqual(new Uint8Array(out.flatMap((c) => [...c])), file);
 * ```
 *
 * @example CCM and CBC
 * ```ts
 * import { symmetric } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const nonce = crypto.getRandomValues(new Uint8Array(13));
 * const { data, tag } = await symmetric("CCM", key, nonce).encrypt("hello");
 * const plain = await symmetric("CCM", key, nonce).decrypt(data, tag);
 * assert.equal(new TextDecoder().decode(plain), "hello");
 *
 * const iv = crypto.getRandomValues(new Uint8Array(16));
 * const cbc = await symmetric("CBC", key, iv).encrypt("hello", "PKCS7");
 * assert.equal(cbc.data.length, 16);
 * const back = await symmetric("CBC", key, iv).decrypt(cbc.data, "PKCS7");
 * assert.equal(new TextDecoder().decode(back), "hello");
 * ```
 */
export function symmetric(
  cipher: "GCM" | "gcm" | "CCM" | "ccm",
  key: string | Uint8Array | CryptoKey,
  iv: string | Uint8Array,
  options?: SymmetricOptions,
): AeadCipher;
/**
 * Creates a GCM, CCM or CBC cipher object, the mode chosen at run time (see
 * the first signature for the details and examples).
 *
 * @param cipher `"GCM"`, `"CCM"` or `"CBC"` (any case).
 * @param key The AES key: 16, 24 or 32 bytes, or an AES `CryptoKey`.
 * @param iv The IV or nonce.
 * @param options `tagLength` for CCM.
 * @returns The cipher.
 * @throws {TypeError} For an unknown mode. {RangeError} For a bad key, IV or tag length.
 */
export function symmetric(
  cipher: SymmetricCipherName | Lowercase<SymmetricCipherName>,
  key: string | Uint8Array | CryptoKey,
  iv: string | Uint8Array,
  options?: SymmetricOptions,
): SymmetricCipher;
export function symmetric(
  cipher: SymmetricCipherName | Lowercase<SymmetricCipherName>,
  key: string | Uint8Array | CryptoKey,
  iv: string | Uint8Array,
  options: SymmetricOptions = {},
): SymmetricCipher {
  const mode = typeof cipher === "string" ? MODES[cipher.toLowerCase()] : undefined;
  if (!mode) throw new TypeError(`Cannot create cipher: unsupported mode "${String(cipher)}"`);
  const k = isCryptoKey(key) ? key : bytesOf(key, "key");
  const keyBytes = k instanceof Uint8Array ? k.length : aesKeyLength(k);
  const n = bytesOf(iv, "IV");
  if (keyBytes !== 16 && keyBytes !== 24 && keyBytes !== 32) {
    throw new RangeError(`Cannot create cipher: AES keys are 16, 24 or 32 bytes, got ${keyBytes}`);
  }
  if (mode === "GCM") {
    if (n.length === 0 || n.length > 1024) {
      throw new RangeError(`Cannot create cipher: GCM IV must be 1..1024 bytes, got ${n.length}`);
    }
    if (options.tagLength !== undefined && options.tagLength !== 16) {
      throw new RangeError("Cannot create cipher: GCM tags are 16 bytes");
    }
    return new Gcm(k, n);
  }
  if (mode === "CCM") {
    if (n.length < 7 || n.length > 13) {
      throw new RangeError(`Cannot create cipher: CCM nonce must be 7..13 bytes, got ${n.length}`);
    }
    const t = options.tagLength ?? 16;
    if (![4, 6, 8, 10, 12, 14, 16].includes(t)) {
      throw new RangeError(`Cannot create cipher: CCM tag length must be 4, 6, ..., 16, got ${t}`);
    }
    return new Ccm(k, n, t);
  }
  if (n.length !== 16) {
    throw new RangeError(`Cannot create cipher: CBC IV must be 16 bytes, got ${n.length}`);
  }
  return new Cbc(k, n);
}
