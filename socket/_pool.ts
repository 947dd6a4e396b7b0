import type { StreamConn } from "./_conn.ts";
import type { SocketAddress } from "./socket_state.ts";
import { type Timer, TimerQueue } from "./_timers.ts";
import { allocBytes } from "./alloc_bytes.ts";

/** Identifies the place a pooled connection leads to. */
export type PoolKey = string;

/** An idle connection and what a socket needs to take it over. */
export interface PooledConnection {
  conn: StreamConn;
  tls: boolean;
  serverName: string | null;
  hostnameVerified: boolean;
  alpnProtocol: string | null;
  reused: number;
  remote: SocketAddress | null;
  local: SocketAddress | null;
}

/**
 * A connection taken from the pool, with the read that watched it (now the
 * socket's), or `null` when it was taken before any read watched it.
 */
export interface TakenConnection extends PooledConnection {
  inflight: Promise<Uint8Array | null> | null;
  poolKey: PoolKey;
}

interface Idle {
  key: PoolKey;
  connection: PooledConnection;
  /**
   * The read that watches the idle connection; it becomes the socket's read
   * in flight. `null` until the next watch pass.
   */
  watch: Promise<Uint8Array | null> | null;
  /** Closes it unless it is taken first. */
  timer: Timer;
  stale: boolean;
}

const pools = new Map<PoolKey, Idle[]>();
/** The idle timeouts: parked connections never keep the process alive. */
const idleTimers = new TimerQueue({ unref: true });
/**
 * Connections parked since the last watch pass. A client that parks its
 * connection and takes it back a moment later (one `fetch()` after another)
 * then pays no watching read, no copy of what it brought, no unref and ref:
 * about a fifth of a small request's cost. Until its pass, an idle
 * connection the server closes is found out by the request that takes it,
 * as one closed between the pass and the take always was (the client
 * retries a safe request on a reused connection that fails so).
 */
let unwatched: Idle[] = [];
let watchPass: Timer | null = null;

/** Builds the pool key of a connection. */
export function poolKey(
  host: string,
  port: number,
  tls: { serverName: string; caCerts: string[] } | null,
  name?: string,
): PoolKey {
  if (name !== undefined) return `name:${name}`;
  if (tls === null) return `tcp:${host}:${port}`;
  return `tls:${host}:${port}:${tls.serverName}:${fingerprint(tls.caCerts.join("\n"))}`;
}

function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return `${text.length}.${(hash >>> 0).toString(16)}`;
}

/** Parks an idle connection in its pool. */
export function returnToPool(
  key: PoolKey,
  connection: PooledConnection,
  options: { timeout?: number; poolSize?: number },
): void {
  const { timeout = 60_000, poolSize = 30 } = options;
  let pool = pools.get(key);
  if (pool === undefined) pools.set(key, pool = []);
  const idle: Idle = { key, connection, watch: null, timer: undefined!, stale: false };
  idle.timer = idleTimers.set(timeout, () => discard(idle));
  pool.push(idle);
  unwatched.push(idle);
  watchPass ??= idleTimers.set(0, watchParked);
  while (pool.length > poolSize) discard(pool[0]!);
}

/** Starts a watching read on every connection parked since the last pass and still idle. */
function watchParked(): void {
  const parked = unwatched;
  unwatched = [];
  watchPass = null;
  for (const idle of parked) if (!idle.stale) watch(idle);
}

/**
 * Any byte or end of stream on an idle connection makes it unusable, so a
 * read watches it; a taken connection keeps that read as its first one.
 */
function watch(idle: Idle): void {
  const conn = idle.connection.conn;
  const buffer = allocBytes(512);
  const watching = conn.read(buffer).then(
    (count) => count === null ? null : buffer.slice(0, count),
    () => null,
  );
  idle.watch = watching;
  unref(conn);
  watching.then(() => discard(idle));
}

/** Takes the newest idle connection for `key`, if any. */
export function takeFromPool(key: PoolKey): TakenConnection | null {
  const pool = pools.get(key);
  const idle = pool?.pop();
  if (idle === undefined) return null;
  if (pool!.length === 0) pools.delete(key);
  idleTimers.clear(idle.timer);
  idle.stale = true;
  if (idle.watch !== null) ref(idle.connection.conn);
  // The parked object leaves the pool: completed in place rather than copied.
  const taken = idle.connection as TakenConnection;
  taken.inflight = idle.watch;
  taken.poolKey = key;
  return taken;
}

function discard(idle: Idle): void {
  if (idle.stale) return;
  idle.stale = true;
  idleTimers.clear(idle.timer);
  const pool = pools.get(idle.key);
  const index = pool?.indexOf(idle) ?? -1;
  if (index >= 0) pool!.splice(index, 1);
  if (pool?.length === 0) pools.delete(idle.key);
  try {
    idle.connection.conn.close();
  } catch {
    // Closed already.
  }
}

/** Counts idle pooled connections. */
export function pooledConnections(): number {
  let count = 0;
  for (const pool of pools.values()) count += pool.length;
  return count;
}

/** Closes every idle connection and waits for their watching reads to end. */
export async function drainPools(): Promise<void> {
  const watches: Promise<unknown>[] = [];
  for (const pool of [...pools.values()]) {
    for (const idle of [...pool]) {
      if (idle.watch !== null) watches.push(idle.watch);
      discard(idle);
    }
  }
  unwatched = [];
  if (watchPass !== null) idleTimers.clear(watchPass);
  watchPass = null;
  await Promise.allSettled(watches);
}

function unref(conn: StreamConn): void {
  (conn as Partial<Deno.Conn>).unref?.();
}

function ref(conn: StreamConn): void {
  (conn as Partial<Deno.Conn>).ref?.();
}
