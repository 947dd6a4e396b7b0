import { ensure, SocketError, type Suspension } from "@cosocket/socket";
import { closeOnExit, type WsSocket } from "./ws_socket.ts";

/**
 * Ties a new WebSocket to the cosocket that opened it, when there is one:
 * its close frame goes out when that cosocket ends, even after a halt.
 * Awaited from async code there is no cosocket, and nothing to tie.
 */
export function* closeWithCosocket(ws: WsSocket): Generator<Suspension, void> {
  try {
    yield* ensure((end) => closeOnExit(ws, end));
  } catch (error) {
    if (!(error instanceof SocketError && error.code === "incorrectuse")) throw error;
  }
}
