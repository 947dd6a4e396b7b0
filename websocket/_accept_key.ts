/**
 * The `Sec-WebSocket-Key`/`Sec-WebSocket-Accept` pair of the opening
 * handshake (RFC 6455 §4.2.2).
 *
 * @module
 */
import { createHash } from "node:crypto";

/** The GUID of RFC 6455 §1.3. */
const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * Computes `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2):
 * base64 of the SHA-1 of the key and the WebSocket GUID.
 *
 * @param key The key as sent.
 * @returns The accept value.
 */
export function acceptKey(key: string): string {
  return createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
}

/**
 * Checks a `Sec-WebSocket-Key`: the base64 encoding of 16 bytes (24
 * characters ending in "==").
 *
 * @param key The header value (`Headers` has trimmed it).
 * @returns `true` when it is well-formed.
 */
export function isValidKey(key: string): boolean {
  return KEY.test(key);
}
