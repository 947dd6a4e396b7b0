/** Helpers of the HTTP server tests: raw clients that send exactly the bytes given. */
import { equal } from "node:assert/strict";

const decoder = new TextDecoder();

/**
 * Connects, writes `bytes` (pieces written one after another), and reads
 * until the server closes or `ms` pass without data.
 *
 * @returns What the server sent, as latin1 text, and whether it closed.
 */
export async function rawRequest(
  port: number,
  pieces: string | (string | Uint8Array)[],
  ms = 2000,
): Promise<{ text: string; closed: boolean }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    for (const piece of typeof pieces === "string" ? [pieces] : pieces) {
      let bytes = typeof piece === "string" ? new TextEncoder().encode(piece) : piece;
      // A write may take part of the bytes; a refused one (the server hung up) ends the sending.
      while (bytes.length > 0) {
        const written = await conn.write(bytes).catch(() => -1);
        if (written < 0) break;
        bytes = bytes.subarray(written);
      }
    }
    return await readAll(conn, ms);
  } finally {
    try {
      conn.close();
    } catch {
      // readAll closed it already.
    }
  }
}

/** Reads until the peer closes (`closed: true`) or `ms` pass without data. */
export async function readAll(
  conn: Deno.Conn,
  ms: number,
): Promise<{ text: string; closed: boolean }> {
  let text = "";
  const buffer = new Uint8Array(65536);
  while (true) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<"idle">((resolve) => timer = setTimeout(() => resolve("idle"), ms));
    const read = conn.read(buffer).catch(() => null);
    const count = await Promise.race([read, idle]);
    clearTimeout(timer);
    if (count === "idle") {
      // Leave no read pending: closing the connection settles it.
      conn.close();
      await read;
      return { text, closed: false };
    }
    if (count === null) return { text, closed: true };
    text += latin1(buffer.subarray(0, count));
  }
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

/** The responses in `text`, split by status lines (bodies included). */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
}

/** Runs a program to completion and returns its stdout (fails on a non-zero exit). */
export async function runProgram(command: string, args: string[], stdin?: string): Promise<string> {
  const child = new Deno.Command(command, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  equal(out.code, 0, `${command} failed: ${decoder.decode(out.stderr)}`);
  return decoder.decode(out.stdout);
}
