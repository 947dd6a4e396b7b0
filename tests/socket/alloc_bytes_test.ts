// allocBytes: small buffers from shared slabs never overlap, are zeroed, and large ones are their own.
import { equal, notEqual, ok, throws } from "node:assert/strict";
import { allocBytes } from "@cosocket/socket";

Deno.test("allocBytes: zero-filled pieces that never overlap, large buffers of their own", () => {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < 5000; i++) {
    const piece = allocBytes(1 + (i * 37) % 700);
    ok(piece.every((byte) => byte === 0), "zero-filled");
    equal(piece.byteOffset % 8, 0, "8-byte aligned");
    piece.fill(0xff);
    pieces.push(piece);
  }
  // Written pieces stay as written: no later piece reused their bytes.
  ok(pieces.every((piece) => piece.every((byte) => byte === 0xff)));
  // Pieces of one slab do not overlap.
  const bySlab = new Map<ArrayBufferLike, [number, number][]>();
  for (const piece of pieces) {
    const ranges = bySlab.get(piece.buffer) ?? [];
    ranges.push([piece.byteOffset, piece.byteOffset + piece.length]);
    bySlab.set(piece.buffer, ranges);
  }
  for (const ranges of bySlab.values()) {
    ranges.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) ok(ranges[i]![0] >= ranges[i - 1]![1], "no overlap");
  }
  ok(bySlab.size > 1, "slabs are replaced when full");
  const large = allocBytes(100_000);
  equal(large.buffer.byteLength, 100_000, "a large buffer is its own");
  notEqual(allocBytes(0), null);
  equal(allocBytes(0).length, 0);
  throws(() => allocBytes(-1), RangeError);
  throws(() => allocBytes(1.5), RangeError);
});
