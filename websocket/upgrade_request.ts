/** An HTTP request head, as the opening handshake of a WebSocket sends it. */
export interface UpgradeRequest {
  /** The method, `GET` for a WebSocket. */
  method: string;
  /** The request target: path and query. */
  path: string;
  /** The HTTP version, `HTTP/1.1` for a WebSocket. */
  version: string;
  /** The request headers. */
  headers: Headers;
}

/** Limits and timing for reading a request head. */
export interface ReadRequestOptions {
  /**
   * The most bytes the head (request line and headers) may take.
   *
   * @default {16384}
   */
  maxHeaderSize?: number;
  /**
   * The most header lines.
   *
   * @default {100}
   */
  maxHeaders?: number;
  /**
   * The longest wait for the next piece of the head, in milliseconds.
   *
   * @default {10000}
   */
  timeout?: number;
}
