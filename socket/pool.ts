import { drainPools, pooledConnections } from "./_pool.ts";

/**
 * Closes every idle connection parked with `Socket#setKeepAlive` and waits
 * until they are released. Call it at shutdown, and at the end of tests.
 *
 * @returns A promise that settles when all are closed.
 *
 * @example
 * ```ts
 * import { closePool, poolSize } from "@cosocket/socket";
 *
 * await closePool();
 * console.log(poolSize()); // 0
 * ```
 */
export function closePool(): Promise<void> {
  return drainPools();
}

/**
 * Counts the idle connections in all pools.
 *
 * @returns The number of idle pooled connections.
 *
 * @example
 * ```ts
 * import { poolSize } from "@cosocket/socket";
 *
 * console.log(poolSize()); // 0
 * ```
 */
export function poolSize(): number {
  return pooledConnections();
}
