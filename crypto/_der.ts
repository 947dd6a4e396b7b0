// Minimal DER reader and writer for the few structures this package inspects or wraps
// (PKCS#1, SEC1, PKCS#8, SPKI, certificates, ECDSA signatures). Not exported.

/** One decoded TLV. `start`/`end` delimit the contents inside `bytes`. */
export interface Tlv {
  tag: number;
  start: number;
  end: number;
  /** Offset of the tag byte (so `bytes.subarray(headerStart, end)` is the whole TLV). */
  headerStart: number;
}

/** Maximum nesting depth followed by {@linkcode derChildren} callers. */
export const MAX_DER_DEPTH = 16;

function malformed(detail: string): SyntaxError {
  return new SyntaxError(`Cannot parse DER: ${detail}`);
}

/** Reads one TLV at `offset`, checking that it ends within `limit`. */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv {
  if (offset + 2 > limit) throw malformed("truncated header");
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw malformed("high tag numbers are not supported");
  let pos = offset + 1;
  let len = bytes[pos++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw malformed("unsupported length encoding");
    if (pos + n > limit) throw malformed("truncated length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[pos++]!;
    if (len < 0x80) throw malformed("non-minimal length");
  }
  if (pos + len > limit) throw malformed("length exceeds input");
  return { tag, start: pos, end: pos + len, headerStart: offset };
}

/** Reads a TLV that must span exactly the whole of `bytes`. */
export function readRoot(bytes: Uint8Array): Tlv {
  const tlv = readTlv(bytes, 0);
  if (tlv.end !== bytes.length) throw malformed("trailing data");
  return tlv;
}

/** Lists the children of a constructed TLV. */
export function derChildren(bytes: Uint8Array, parent: Tlv): Tlv[] {
  if ((parent.tag & 0x20) === 0) throw malformed("expected a constructed value");
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const child = readTlv(bytes, pos, parent.end);
    out.push(child);
    pos = child.end;
    if (out.length > 4096) throw malformed("too many elements");
  }
  return out;
}

/** Contents of a TLV. */
export function contents(bytes: Uint8Array, tlv: Tlv): Uint8Array<ArrayBuffer> {
  return bytes.slice(tlv.start, tlv.end);
}

/** Whole encoding (header and contents) of a TLV. */
export function whole(bytes: Uint8Array, tlv: Tlv): Uint8Array<ArrayBuffer> {
  return bytes.slice(tlv.headerStart, tlv.end);
}

/** Encodes a TLV. */
export function encodeTlv(tag: number, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let len = 0;
  for (const p of parts) len += p.length;
  const header: number[] = [tag];
  if (len < 0x80) header.push(len);
  else {
    const lb: number[] = [];
    for (let l = len; l > 0; l = Math.floor(l / 256)) lb.unshift(l & 0xff);
    header.push(0x80 | lb.length, ...lb);
  }
  const out = new Uint8Array(header.length + len);
  out.set(header);
  let pos = header.length;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Encodes a DER INTEGER from unsigned big-endian magnitude bytes. */
export function encodeUnsignedInteger(magnitude: Uint8Array): Uint8Array<ArrayBuffer> {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  let body = magnitude.subarray(i);
  if (body.length === 0) body = new Uint8Array(1);
  if (body[0]! & 0x80) {
    const padded = new Uint8Array(body.length + 1);
    padded.set(body, 1);
    body = padded;
  }
  return encodeTlv(0x02, body);
}

/** Returns the unsigned magnitude of a DER INTEGER's contents (leading zeros removed). */
export function unsignedIntegerBytes(bytes: Uint8Array, tlv: Tlv): Uint8Array<ArrayBuffer> {
  if (tlv.tag !== 0x02) throw malformed("expected an INTEGER");
  if (tlv.end === tlv.start) throw malformed("empty INTEGER");
  if (bytes[tlv.start]! & 0x80) throw malformed("negative INTEGER");
  let s = tlv.start;
  while (s < tlv.end - 1 && bytes[s] === 0) s++;
  return bytes.slice(s, tlv.end);
}

/** Decodes an OBJECT IDENTIFIER's contents to dotted form. */
export function decodeOid(bytes: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== 0x06) throw malformed("expected an OBJECT IDENTIFIER");
  const parts: number[] = [];
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) {
    const b = bytes[i]!;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) throw malformed("OBJECT IDENTIFIER arc too large");
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else parts.push(value);
      value = 0;
    }
  }
  if (parts.length === 0) throw malformed("empty OBJECT IDENTIFIER");
  return parts.join(".");
}

/** Encodes a dotted OBJECT IDENTIFIER. */
export function encodeOid(oid: string): Uint8Array<ArrayBuffer> {
  const arcs = oid.split(".").map(Number);
  const out: number[] = [];
  const push = (v: number) => {
    const tmp = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) tmp.unshift(0x80 | (v & 0x7f));
    out.push(...tmp);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return encodeTlv(0x06, new Uint8Array(out));
}
