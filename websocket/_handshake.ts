/**
 * The server side of the opening handshake that `upgrade` (our listener)
 * and `upgradeWebSocket` (Deno.serve) share: the checks of RFC 6455 §4.2.1
 * and the choice of a subprotocol.
 *
 * @module
 */
import { headerTokens } from "@cosocket/http/head";
import { isValidKey } from "./_accept_key.ts";
import type { UpgradeRequest } from "./upgrade_request.ts";

/** Why a request cannot be upgraded, and the HTTP answer that says so. */
export interface Refusal {
  status: number;
  statusText: string;
  why: string;
  headers: [string, string][];
}

/** Picks a subprotocol: the server's preference list, or its function. */
export type ProtocolChoice =
  | string[]
  | ((offered: string[], request: UpgradeRequest) => string | null);

/** An origin check: `true` accepts. */
export type OriginCheck = (origin: string | null, request: UpgradeRequest) => boolean;

/**
 * Checks a request for a WebSocket upgrade.
 *
 * @returns The refusal, or `null` when the request may be upgraded.
 */
export function checkUpgradeRequest(
  request: UpgradeRequest,
  origin: OriginCheck | undefined,
): Refusal | null {
  const headers = request.headers;
  if (!hasToken(headers.get("upgrade"), "websocket")) {
    return refusal(426, "the Upgrade header does not name websocket", [
      ["upgrade", "websocket"],
      ["connection", "Upgrade"],
    ]);
  }
  if (request.method !== "GET") return refusal(400, `method ${request.method} is not GET`);
  if (request.version !== "HTTP/1.1") return refusal(400, `version ${request.version}`);
  if (!hasToken(headers.get("connection"), "upgrade")) {
    return refusal(400, "the Connection header does not name upgrade");
  }
  if (headers.get("host") === null) return refusal(400, "the Host header is missing");
  if (headers.get("sec-websocket-version") !== "13") {
    return refusal(426, "Sec-WebSocket-Version is not 13", [
      ["upgrade", "websocket"],
      ["connection", "Upgrade"],
      ["sec-websocket-version", "13"],
    ]);
  }
  const key = headers.get("sec-websocket-key");
  if (key === null || !isValidKey(key)) return refusal(400, "Sec-WebSocket-Key is invalid");
  if (origin !== undefined && !origin(headers.get("origin"), request)) {
    return refusal(403, "origin refused");
  }
  return null;
}

/**
 * The subprotocol to answer with, `""` for none.
 *
 * @throws {TypeError} When a choosing function returns a protocol the
 * client did not offer.
 */
export function chooseProtocol(
  request: UpgradeRequest,
  protocols: ProtocolChoice | undefined,
): string {
  const offered = headerTokens(request.headers.get("sec-websocket-protocol"));
  if (protocols === undefined || offered.length === 0) return "";
  if (typeof protocols === "function") {
    const chosen = protocols(offered, request);
    if (chosen === null) return "";
    if (!offered.includes(chosen)) {
      throw new TypeError(`Cannot upgrade: protocol "${chosen}" was not offered by the client`);
    }
    return chosen;
  }
  return protocols.find((protocol) => offered.includes(protocol)) ?? "";
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  426: "Upgrade Required",
};

function refusal(status: number, why: string, headers: [string, string][] = []): Refusal {
  return { status, statusText: STATUS_TEXT[status]!, why: `Cannot upgrade: ${why}`, headers };
}

function hasToken(value: string | null, token: string): boolean {
  return headerTokens(value).some((item) => item.toLowerCase() === token);
}
