import type { IoFile } from "./io.ts";

/** Options for {@linkcode ioReadable}. */
export interface IoReadableOptions {
  /**
   * The most bytes one read asks for.
   *
   * @default {65536}
   */
  pieceSize?: number;
}

/**
 * A file of an {@linkcode Io} as a stream of bytes, read piece by piece as
 * the stream is pulled and closed at its end or when the stream is
 * cancelled. Give it an open file, or the promise of one (an `open` still
 * running: the stream then opens the file only as fast as that promise,
 * and reports its failure on the first read).
 *
 * @param file The file, open for reading, or its promise.
 * @param options The read size.
 * @returns The stream.
 *
 * @example Stream a file of a memory Io
 * ```ts
 * import { ioReadable, memoryIo } from "@cosocket/io";
 *
 * const io = memoryIo();
 * const out = await io.open("greeting.txt", "w");
 * await out.write("hello from an Io");
 * await out.close();
 * const text = await new Response(ioReadable(io.open("greeting.txt"))).text();
 * console.log(text); // "hello from an Io"
 * ```
 */
export function ioReadable(
  file: IoFile | Promise<IoFile>,
  options?: IoReadableOptions,
): ReadableStream<Uint8Array> {
  const pieceSize = options?.pieceSize ?? 65536;
  const opening = Promise.resolve(file);
  // A stream cancelled before its first read must not leave the open's
  // failure unhandled.
  opening.catch(() => {});
  return new ReadableStream({
    async pull(controller) {
      const open = await opening;
      const piece = await open.read(pieceSize);
      if (piece === null) {
        await open.close();
        controller.close();
      } else controller.enqueue(piece);
    },
    async cancel() {
      await (await opening.catch(() => null))?.close();
    },
  });
}
