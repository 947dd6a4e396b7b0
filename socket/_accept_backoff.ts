/**
 * Accepting under resource exhaustion. When the process or the system runs
 * out of descriptors or buffers, `accept` fails although the listener is
 * fine, and the connection stays queued in the kernel's backlog. Such errors
 * are temporary: the listener waits a little, keeps its port, and tries
 * again; the wait doubles while the errors last (no busy loop) and is short
 * enough that a connection is accepted soon after a descriptor frees up.
 */

/** Error codes of `accept` that say "not now" rather than "never". */
const TEMPORARY_CODES: ReadonlySet<string> = new Set([
  "EMFILE",
  "ENFILE",
  "ENOBUFS",
  "ENOMEM",
  "ECONNABORTED",
]);
// The same errors by their Linux numbers, for errors that carry no `code`.
const TEMPORARY_OS_ERRORS = /\(os error (24|23|105|12|103)\)/;

/** The first wait after a temporary error, and the longest. */
export const FIRST_BACKOFF_MS = 5;
export const MAX_BACKOFF_MS = 200;

let backoffs = 0;

/** How many times, in this process, an accept waited after a temporary error. */
export function acceptBackoffs(): number {
  return backoffs;
}

/** Counts one wait for {@linkcode acceptBackoffs}. */
export function countBackoff(): void {
  backoffs++;
}

/** Reports whether an accept failure is temporary (resources ran out, a peer aborted). */
export function isTemporaryAcceptError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && TEMPORARY_CODES.has(code)) return true;
  return TEMPORARY_OS_ERRORS.test(error.message);
}

/** The next wait: doubled, up to {@linkcode MAX_BACKOFF_MS}. */
export function nextBackoff(previous: number): number {
  return previous === 0 ? FIRST_BACKOFF_MS : Math.min(previous * 2, MAX_BACKOFF_MS);
}
