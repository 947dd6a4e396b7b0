/**
 * Pseudo-terminals (the seed's forkpty library), Linux: {@linkcode forkpty}
 * starts a program with a real controlling terminal; its `Pty` reads the
 * output and writes keystrokes, awaited from async code or `yield*`ed in a
 * cosocket; `winsize`, `pause`, `close` and `terminate` manage the child.
 * Needs `--allow-ffi`.
 *
 * ```ts
 * import { forkpty } from "@cosocket/pty";
 *
 * await using pty = forkpty("sh", ["-c", "stty size; tty"], { rows: 30, cols: 100 });
 * let output = "";
 * let chunk;
 * while ((chunk = await pty.read()) !== null) output += new TextDecoder().decode(chunk);
 * const [size, tty] = output.trim().split(/\r?\n/);
 * console.log(size, tty!.startsWith("/dev/pts/")); // "30 100" true
 * ```
 *
 * @module
 */
export * from "./forkpty.ts";
export * from "./pty_error.ts";
