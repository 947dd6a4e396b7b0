// The Sec-WebSocket-Key and Sec-WebSocket-Accept pair of the opening handshake.
import { equal, ok } from "node:assert/strict";
import { acceptKey, isValidKey } from "../../websocket/_accept_key.ts";

Deno.test("acceptKey() computes the RFC 6455 example and isValidKey() checks 16-byte keys", () => {
  equal(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  ok(isValidKey("dGhlIHNhbXBsZSBub25jZQ=="));
  ok(isValidKey(new Uint8Array(16).fill(255).toBase64()));
  for (let round = 0; round < 100; round++) {
    ok(isValidKey(crypto.getRandomValues(new Uint8Array(16)).toBase64()));
  }
  for (
    const bad of [
      "",
      "dGhlIHNhbXBsZSBub25jZQ=",
      "dGhlIHNhbXBsZSBub25jZQ===",
      "dGhlIHNhbXBsZSBub25jZ===",
      new Uint8Array(15).toBase64(),
      new Uint8Array(17).toBase64(),
      "dGhlIHNhbXBsZSBub25jZQ-_",
      "dGhlIHNhbXBsZSBub25j ZQ==",
      " dGhlIHNhbXBsZSBub25jZQ==",
    ]
  ) ok(!isValidKey(bad), bad);
});
