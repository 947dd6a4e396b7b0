/**
 * ECDSA signature encodings: DER (what `sign` returns, as in the seed) and the `r`, `s`
 * pair (what JWS uses, concatenated).
 *
 * @module
 */
import {
  derChildren,
  encodeTlv,
  encodeUnsignedInteger,
  readRoot,
  unsignedIntegerBytes,
} from "./_der.ts";

/** The two integers of an ECDSA signature, as unsigned big-endian bytes. */
export interface SigParams {
  /** The `r` value. */
  r: Uint8Array<ArrayBuffer>;
  /** The `s` value. */
  s: Uint8Array<ArrayBuffer>;
}

/** Options for {@linkcode sigParams}. */
export interface SigParamsOptions {
  /**
   * Left-pad `r` and `s` to this many bytes (32 for P-256, 48 for P-384, 66 for P-521),
   * as JWS needs. `undefined` returns them without leading zeros.
   *
   * @default {undefined}
   */
  size?: number;
}

function fixed(value: Uint8Array<ArrayBuffer>, size: number | undefined): Uint8Array<ArrayBuffer> {
  if (size === undefined) return value;
  if (value.length > size) {
    throw new RangeError(`Cannot extract signature parameters: value longer than ${size} bytes`);
  }
  const out = new Uint8Array(size);
  out.set(value, size - value.length);
  return out;
}

/**
 * Extracts `r` and `s` from a DER-encoded ECDSA signature (the seed's
 * `ba.crypto.sigparams`).
 *
 * @param der The DER signature: `SEQUENCE { INTEGER r, INTEGER s }`.
 * @param options Fixed output size.
 * @returns `r` and `s`.
 * @throws {SyntaxError} If the input is not such a DER structure.
 * @throws {RangeError} If a value does not fit `size`.
 *
 * @example Turn a DER signature into JWS form
 * ```ts
 * import { createKey, sigParams, sign } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = await createKey();
 * const der = await sign("data", key);
 * const { r, s } = sigParams(der, { size: 32 });
 * assert.equal(r.length + s.length, 64);
 * ```
 */
export function sigParams(der: Uint8Array, options?: SigParamsOptions): SigParams {
  options ??= {};
  if (!(der instanceof Uint8Array)) {
    throw new TypeError("Cannot extract signature parameters: expected a Uint8Array");
  }
  const root = readRoot(der);
  if (root.tag !== 0x30) throw new SyntaxError("Cannot parse DER: expected a SEQUENCE");
  const kids = derChildren(der, root);
  if (kids.length !== 2) throw new SyntaxError("Cannot parse DER: expected two INTEGERs");
  return {
    r: fixed(unsignedIntegerBytes(der, kids[0]!), options.size),
    s: fixed(unsignedIntegerBytes(der, kids[1]!), options.size),
  };
}

/**
 * Encodes `r` and `s` as a DER ECDSA signature (the reverse of {@linkcode sigParams}).
 * Also accepts the concatenated `r ‖ s` form of JWS/WebCrypto (split in the middle).
 *
 * @param params `{ r, s }`, or `r ‖ s` bytes of even length.
 * @returns The DER signature.
 * @throws {TypeError} If the input has the wrong shape.
 *
 * @example Round trip
 * ```ts
 * import { sigParams, sigParamsToDer } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * const der = sigParamsToDer({ r: new Uint8Array([1, 2]), s: new Uint8Array([0x80]) });
 * assert.equal(der.toHex(), "30080202010202020080");
 * assert.deepEqual(sigParams(der).s, new Uint8Array([0x80]));
 * ```
 */
export function sigParamsToDer(params: SigParams | Uint8Array): Uint8Array<ArrayBuffer> {
  let r: Uint8Array;
  let s: Uint8Array;
  if (params instanceof Uint8Array) {
    if (params.length === 0 || params.length % 2 !== 0) {
      throw new TypeError("Cannot encode signature: r ‖ s must have an even, non-zero length");
    }
    r = params.subarray(0, params.length / 2);
    s = params.subarray(params.length / 2);
  } else if (params && params.r instanceof Uint8Array && params.s instanceof Uint8Array) {
    r = params.r;
    s = params.s;
  } else {
    throw new TypeError("Cannot encode signature: expected { r, s } or r ‖ s bytes");
  }
  return encodeTlv(0x30, encodeUnsignedInteger(r), encodeUnsignedInteger(s));
}
