import type { CosocketHandler, ServerRequest, ServerResponse } from "@cosocket/http";
import type { Suspension } from "@cosocket/socket";
import { traceBuffer } from "./trace.ts";
import type { TraceBuffer } from "./trace_buffer.ts";

/**
 * Wraps a cosocket handler so that the trace buffer's settings apply to
 * it (the seed's `request`, `requestheaders`, `responseheaders` and
 * `responsebody` options): each request line, its headers, the response
 * status and headers, and the bodies the handler writes are traced at
 * priority 5 when the setting is on.
 *
 * @param handler The handler.
 * @param buffer The buffer.
 * @returns The traced handler.
 *
 * @example
 * ```ts
 * import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
 * import { traceBuffer, traceRequests } from "@cosocket/trace";
 *
 * traceBuffer.configure({ request: true });
 * await using server = servcon(0, traceRequests(function* (_q: ServerRequest, r: ServerResponse) {
 *   yield* r.send("ok");
 * }), { hostname: "127.0.0.1" });
 * await (await fetch(`http://127.0.0.1:${server.port}/path`)).text();
 * console.log(traceBuffer.entries().at(-1)?.text); // "GET /path HTTP/1.1"
 * ```
 */
export function traceRequests(handler: CosocketHandler, buffer?: TraceBuffer): CosocketHandler {
  const traced = buffer ?? traceBuffer;
  return function* (
    request: ServerRequest,
    response: ServerResponse,
  ): Generator<Suspension, unknown> {
    const settings = traced.settings;
    if (settings.request) traced.add(5, `${request.method} ${request.path} ${request.version}`);
    if (settings.requestHeaders) {
      for (const [name, value] of request.headers) traced.add(5, `> ${name}: ${value}`);
    }
    if (settings.responseBody) {
      const write = response.write.bind(response);
      response.write = (data) => {
        traced.add(
          5,
          `body: ${
            typeof data === "string" ? data : `${(data as Uint8Array).byteLength ?? 0} bytes`
          }`,
        );
        return write(data);
      };
    }
    try {
      return yield* handler(request, response) as Generator<Suspension, unknown>;
    } finally {
      if (settings.responseHeaders) {
        traced.add(5, `< ${response.status}`);
        for (const [name, value] of response.headers) traced.add(5, `< ${name}: ${value}`);
      }
    }
  };
}
