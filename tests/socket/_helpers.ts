import { prngBytes } from "../_shared.ts";
import { equal } from "node:assert/strict";
import { bind, closePool, connect, type Socket, SocketError, sockstat } from "@cosocket/socket";

const root = new URL("../testdata/tls/", import.meta.url);

/** The test CA and the localhost leaf certificate (see tests/testdata/tls/make_certs.sh). */
export const certs = {
  ca: Deno.readTextFileSync(new URL("ca.pem", root)),
  otherCa: Deno.readTextFileSync(new URL("other_ca.pem", root)),
  cert: Deno.readTextFileSync(new URL("server.pem", root)),
  key: Deno.readTextFileSync(new URL("server.key", root)),
};

/** Asserts that every socket is closed and every cosocket finished. */
export async function assertNoSockets(): Promise<void> {
  await closePool();
  // Teardown of finished cosockets runs in a microtask after they return.
  for (let i = 0; i < 50 && (sockstat().total > 0 || sockstat().active > 0); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const { total, active } = sockstat();
  equal(JSON.stringify({ total, active }), JSON.stringify({ total: 0, active: 0 }));
}

export { delay, prng } from "../_shared.ts";

/** Deterministic pseudo-random bytes: a fresh sequence from `seed`. */
export function pseudoRandomBytes(length: number, seed = 1): Uint8Array {
  return prngBytes(seed)(length);
}

export const text = (bytes: Uint8Array | null): string | null =>
  bytes === null ? null : new TextDecoder().decode(bytes);

/** A predicate for `rejects`/`throws`: a SocketError with this code. */
export const isCode = (code: string) => (error: unknown): boolean =>
  error instanceof SocketError && error.code === code;

/** A loopback listener, a client connected to it, and the accepted peer. */
export interface ConnectedPair extends AsyncDisposable {
  server: Socket;
  client: Socket;
  peer: Socket;
}

/** Opens a listener on a free loopback port and connects a client to it. */
export async function connectedPair(): Promise<ConnectedPair> {
  const server = bind(0, { hostname: "127.0.0.1" });
  const [client, peer] = await Promise.all([
    connect("127.0.0.1", server.sockname().port),
    server.accept(),
  ]);
  return {
    server,
    client,
    peer: peer!,
    async [Symbol.asyncDispose]() {
      await client[Symbol.asyncDispose]();
      await peer![Symbol.asyncDispose]();
      await server[Symbol.asyncDispose]();
    },
  };
}
