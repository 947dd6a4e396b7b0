/**
 * The two handler styles over one engine: both run inside the
 * connection's cosocket on the same {@linkcode Exchange}.
 */
import { operation, type Suspension, until } from "@cosocket/socket";
import { concat } from "./_body_reader.ts";
import { type Exchange, exchanges } from "./_exchange.ts";
import type { CosocketHandler, ErrorHandler, WebHandler } from "./handler.ts";
import { HttpError } from "./http_error.ts";
import { appendFields } from "./_fields.ts";
import { fallbackHref, requestHref } from "./_request_url.ts";
import { ServerRequest } from "./server_request.ts";
import { ServerResponse } from "./server_response.ts";

/** Runs a cosocket-style handler and ends its response. */
export function* runCosocketHandler(
  handler: CosocketHandler,
  exchange: Exchange,
  onError: ErrorHandler | undefined,
): Generator<Suspension, void> {
  try {
    yield* handler(new ServerRequest(exchange), new ServerResponse(exchange)) as Generator<
      Suspension,
      unknown
    >;
    // Most responses have ended here (send): no generator for nothing to do.
    if (!exchange.taken && !exchange.ended) yield* exchange.end();
  } catch (error) {
    yield* answerFailure(exchange, error, onError);
  }
}

/** Runs a WHATWG-style handler and sends the `Response` it returns. */
export function* runWebHandler(
  handler: WebHandler,
  exchange: Exchange,
  onError: ErrorHandler | undefined,
): Generator<Suspension, void> {
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const completed = new Promise<void>((resolve, reject) => settle = { resolve, reject });
  completed.catch(() => {});
  try {
    const request = toRequest(exchange);
    const peer = exchange.socket.peername();
    const answer = handler(request, {
      remoteAddr: { transport: "tcp", hostname: peer.address, port: peer.port },
      completed,
    });
    // A Response returned at once needs no suspension.
    const response = answer instanceof Response ? answer : yield* until(Promise.resolve(answer));
    if (exchange.taken) {
      settle.resolve();
      return;
    }
    if (!(response instanceof Response)) {
      throw new TypeError("Cannot send response: the handler did not return a Response");
    }
    yield* sendResponse(exchange, response);
    settle.resolve();
  } catch (error) {
    settle.reject(error);
    yield* answerFailure(exchange, error, onError);
  }
}

/** The `Request` a web handler sees; its body streams from the connection. */
function toRequest(exchange: Exchange): Request {
  const head = exchange.head;
  const hasBody = !exchange.body.done;
  const init: RequestInit | undefined = hasBody
    ? {
      method: head.method,
      // Not a byte stream: that would transfer (detach) the buffers enqueued,
      // and they are views of the socket's slabs.
      body: new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const piece = await runRead(exchange);
          if (piece === null) controller.close();
          else controller.enqueue(piece);
        },
      }),
      duplex: "half",
    } as RequestInit
    : head.method === "GET"
    ? undefined
    : { method: head.method };
  let request: Request;
  try {
    request = new Request(requestHref(exchange), init);
  } catch {
    request = new Request(fallbackHref(exchange), init);
  }
  appendFields(head, request.headers);
  exchanges.set(request, exchange);
  return request;
}

function runRead(exchange: Exchange): PromiseLike<Uint8Array | null> {
  return operation(() => exchange.read(65536));
}

/**
 * Sends a `Response`: a body that ends within its first read goes out with
 * a `Content-Length`, anything longer streams chunk by chunk as it comes.
 */
export function* sendResponse(exchange: Exchange, response: Response): Generator<Suspension, void> {
  exchange.status = response.status;
  exchange.reason = response.statusText;
  for (const [name, value] of response.headers) exchange.headers.append(name, value);
  const body = response.body;
  if (body === null) {
    yield* exchange.end();
    return;
  }
  const reader = body.getReader();
  try {
    let chunk = yield* until(reader.read());
    if (chunk.done) {
      yield* exchange.end();
      return;
    }
    // Chunks that are there at once (a body made from a string or bytes,
    // which the platform may hand out in 64 KiB pieces) are gathered: a
    // body that ends among them goes out whole with a Content-Length.
    const gathered: Uint8Array[] = [chunk.value];
    let size = chunk.value.length;
    let next = reader.read();
    while (size <= GATHER_LIMIT && (yield* until(settledSoon(next)))) {
      chunk = yield* until(next);
      if (chunk.done) {
        return yield* exchange.sendLast(
          gathered.length === 1 ? gathered[0]! : concat(gathered, size),
        );
      }
      gathered.push(chunk.value);
      size += chunk.value.length;
      next = reader.read();
    }
    // A stream fed later: what is here goes out now, the rest as it comes.
    for (const piece of gathered) yield* exchange.write(piece);
    yield* exchange.flush();
    while (!(chunk = yield* until(next)).done) {
      yield* exchange.write(chunk.value);
      yield* exchange.flush();
      next = reader.read();
    }
    yield* exchange.end();
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }
  // The reader is dropped, not released: releasing makes an error object
  // for the read it could have had pending, which costs a fifth of a request.
}

/** The most bytes of a WHATWG body gathered before streaming starts. */
const GATHER_LIMIT = 1024 * 1024;

/**
 * `true` when `promise` settles within a few microtask turns: a body made
 * from a string or bytes, or a stream whose source enqueues at once, has
 * its chunks and its end ready; a stream fed later (events) has not, and
 * its first chunk must not wait for the second. (Microtasks, not a
 * `setImmediate`: a timer per response cost a tenth of a small request.)
 */
function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  const done = () => void (settled = true);
  promise.then(done, done);
  return Promise.resolve().then(turn).then(turn).then(turn).then(() => settled);
}

function turn(): void {}

/** Answers a handler's failure, or ends the connection when the head went out already. */
function* answerFailure(
  exchange: Exchange,
  error: unknown,
  onError: ErrorHandler | undefined,
): Generator<Suspension, void> {
  if (exchange.taken) return;
  const clientGone = error instanceof Error && error.name === "SocketError";
  if (clientGone || !exchange.reset()) {
    exchange.keepAlive = false;
    if (!clientGone) console.error("HTTP handler failed after its response head was sent:", error);
    return;
  }
  if (!exchange.body.done) exchange.keepAlive = false;
  let answer: Response | void = undefined;
  if (onError !== undefined) {
    try {
      answer = yield* until(Promise.resolve(onError(error)));
    } catch (failure) {
      console.error("HTTP onError failed:", failure);
    }
  }
  if (!(answer instanceof Response)) {
    const status = error instanceof HttpError
      ? error.status ?? (error.code === "protocol" ? 400 : error.code === "toolarge" ? 413 : 500)
      : 500;
    if (status === 500 && onError === undefined) console.error("HTTP handler failed:", error);
    answer = new Response(
      `${status === 500 ? "Internal Server Error" : (error as Error).message}\n`,
      {
        status,
        headers: { "content-type": "text/plain; charset=utf-8" },
      },
    );
  }
  try {
    yield* sendResponse(exchange, answer);
  } catch {
    exchange.keepAlive = false;
  }
}
