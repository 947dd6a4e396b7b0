import { TraceBuffer } from "./trace_buffer.ts";

/** The process's trace buffer (the seed's global trace buffer). *
 * @example
 * ```ts
 * import { traceBuffer, tracep } from "@cosocket/trace";
 *
 * traceBuffer.configure({ priority: 3 });
 * tracep(2, "kept");
 * console.log(traceBuffer.entries().at(-1)?.text); // "kept"
 * ```
 */
export const traceBuffer: TraceBuffer = new TraceBuffer();

function format(args: unknown[]): string {
  return args.map((arg) => typeof arg === "string" ? arg : Deno.inspect(arg, { depth: 4 })).join(
    " ",
  );
}

/**
 * Writes a line to the trace buffer at priority 5 (the seed's `trace`):
 * arguments joined with spaces, non-strings inspected.
 *
 * @param args What to trace.
 *
 * @example
 * ```ts
 * import { trace, traceBuffer } from "@cosocket/trace";
 *
 * trace("user", { id: 7 }, "logged in");
 * console.log(traceBuffer.entries().at(-1)?.text); // "user { id: 7 } logged in"
 * ```
 */
export function trace(...args: unknown[]): void {
  traceBuffer.add(5, format(args));
}

/**
 * Writes a line with a priority (the seed's `tracep`): kept when it is at
 * least as important (as low) as the buffer's `priority` setting.
 *
 * @param priority 0 is the most important.
 * @param args What to trace.
 *
 * @example
 * ```ts
 * import { tracep, traceBuffer } from "@cosocket/trace";
 *
 * tracep(9, "too chatty"); // dropped at the default setting 5
 * tracep(1, "important");
 * console.log(traceBuffer.entries().at(-1)?.text); // "important"
 * ```
 */
export function tracep(priority: number, ...args: unknown[]): void {
  traceBuffer.add(priority, format(args));
}
