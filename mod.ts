/**
 * cosocket: Deno-native networking modules. Each package is published on
 * its own (`@cosocket/socket`, `@cosocket/crypto`, `@cosocket/jwt`,
 * `@cosocket/ubjson`, `@cosocket/websocket`, `@cosocket/http`,
 * `@cosocket/events`, `@cosocket/io`, `@cosocket/thread`, `@cosocket/trace`, `@cosocket/mail`, `@cosocket/pty`); this module gathers them under one
 * namespace each, since their names overlap (`encode`, `verify`,
 * `connect`, ...).
 *
 * ```ts
 * import { socket, ubjson } from "./mod.ts";
 *
 * await using server = socket.bind(0, { hostname: "127.0.0.1" });
 * console.log(server.sockname().port > 0); // true
 * console.log(ubjson.decode(ubjson.encode({ a: 1 }))); // { a: 1 }
 * ```
 *
 * @module
 */
export * as crypto from "./crypto/mod.ts";
export * as events from "./events/mod.ts";
export * as http from "./http/mod.ts";
export * as io from "./io/mod.ts";
export * as jwt from "./jwt/mod.ts";
export * as mail from "./mail/mod.ts";
export * as pty from "./pty/mod.ts";
export * as socket from "./socket/mod.ts";
export * as thread from "./thread/mod.ts";
export * as trace from "./trace/mod.ts";
export * as ubjson from "./ubjson/mod.ts";
export * as websocket from "./websocket/mod.ts";
