/**
 * The {@linkcode Task} type: a running cosocket. It is declared beside
 * `Socket` in `socket.ts` (each refers to the other: a socket's `task`, a
 * task's `socket`), and exported here under its own name.
 *
 * @module
 */
export type { Task } from "./socket.ts";
