/** permessage-deflate (RFC 7692) settings for one side of a connection. */
export interface PerMessageDeflateOptions {
  /**
   * Server: never keep the LZ77 window between messages it sends. Client: ask the server
   * to do so.
   *
   * @default {false}
   */
  serverNoContextTakeover?: boolean;
  /**
   * Client: never keep the window between messages it sends. Server: require this of the
   * client.
   *
   * @default {false}
   */
  clientNoContextTakeover?: boolean;
  /**
   * Largest LZ77 window (base-2 logarithm, 8..15) the server may use. 8 is honoured by
   * compressing with Huffman coding only, because zlib has no 256-byte window.
   *
   * @default {15}
   */
  serverMaxWindowBits?: number;
  /**
   * Largest LZ77 window (8..15) the client may use. The client always offers the
   * parameter so that servers may restrict it; a server still accepts a client that does
   * not offer it, and then inflates with 15 bits.
   *
   * @default {15}
   */
  clientMaxWindowBits?: number;
  /**
   * zlib compression level, 0 (store) to 9 (smallest).
   *
   * @default {6}
   */
  level?: number;
  /**
   * Messages shorter than this many bytes are sent uncompressed (RSV1 clear).
   *
   * @default {1024}
   */
  threshold?: number;
}
