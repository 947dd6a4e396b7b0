/**
 * The seed's TraceLogger: {@linkcode trace} and {@linkcode tracep} write
 * to a bounded trace buffer with priorities and the seed's settings;
 * {@linkcode traceLogger} serves a live viewer over `@cosocket/http` and a
 * WebSocket (one client at a time) and can keep a rotating log file;
 * {@linkcode traceRequests} traces a server's requests and responses.
 *
 * ```ts
 * import { servcon } from "@cosocket/http";
 * import { trace, traceLogger } from "@cosocket/trace";
 *
 * await using logger = traceLogger();
 * logger.onclient((connected) => trace(connected ? "viewer connected" : "viewer left"));
 * await using server = servcon(0, logger.handler, { hostname: "127.0.0.1" });
 * const page = await fetch(`http://127.0.0.1:${server.port}/rtl/tracelogger/`);
 * console.log(page.status, (await page.text()).includes("TraceLogger")); // 200 true
 * ```
 *
 * @module
 */
export * from "./trace.ts";
export * from "./trace_buffer.ts";
export * from "./trace_logger.ts";
export * from "./trace_requests.ts";
