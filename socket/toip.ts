import { lookup } from "node:dns/promises";
import { toSocketError } from "./_conn.ts";
import { lazy } from "./_operation.ts";
import type { Operation } from "./operation.ts";

/** Options of {@linkcode toip}. */
export interface ToipOptions {
  /**
   * Resolve to an IPv6 address instead of IPv4.
   *
   * @default {false}
   */
  ipv6?: boolean;
}

/**
 * Resolves a host name to an IP address (the seed's `ba.socket.toip`), with
 * the system resolver (`/etc/hosts` first, then DNS), so that cosockets can
 * resolve once and connect to the address later. An IP address resolves to
 * itself.
 *
 * @param address The host name or IP address.
 * @param options IPv6 or IPv4.
 * @returns The IP address.
 * @throws {SocketError} `unreachable` when the name does not resolve.
 *
 * @example
 * ```ts
 * import { toip } from "@cosocket/socket";
 *
 * console.log(await toip("localhost")); // "127.0.0.1"
 * console.log(await toip("::1", { ipv6: true })); // "::1"
 * ```
 */
export function toip(address: string, options?: ToipOptions): Operation<string> {
  options ??= {};
  return lazy(async () => {
    try {
      return (await lookup(address, { family: options.ipv6 ? 6 : 4 })).address;
    } catch (error) {
      const failure = toSocketError(error, `resolve "${address}"`);
      throw failure.code === "io"
        ? Object.assign(failure, { code: "unreachable" as const })
        : failure;
    }
  });
}
