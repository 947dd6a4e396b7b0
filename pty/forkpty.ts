import {
  ensure,
  event,
  getsock,
  type Operation,
  operation,
  type Socket,
  type SocketLike,
  type SocketStatus,
  type Suspension,
  type Task,
  until,
} from "@cosocket/socket";
import {
  cString,
  cStringArray,
  EAGAIN,
  EINTR,
  errno,
  F_GETFL,
  F_SETFL,
  libc,
  O_CLOEXEC,
  O_NOCTTY,
  O_NONBLOCK,
  O_RDWR,
  POLLIN,
  POSIX_SPAWN_SETSID,
  POSIX_SPAWN_SETSIGDEF,
  POSIX_SPAWN_SETSIGMASK,
  SIGNALS,
  TIOCSWINSZ,
  WNOHANG,
} from "./_libc.ts";
import { PtyError } from "./pty_error.ts";

/** Options of {@linkcode forkpty}. */
export interface ForkptyOptions {
  /** The child's environment. @default {Deno.env.toObject() with TERM set} */
  env?: Record<string, string>;
  /** The child's working directory. @default {the current one} */
  cwd?: string;
  /** The initial size in lines. @default {24} */
  rows?: number;
  /** The initial size in columns. @default {80} */
  cols?: number;
  /** `TERM` for the child. @default {"xterm-256color"} */
  term?: string;
}

/** How the child ended (the seed's status forms). */
export interface PtyStatus {
  /** `true` when the child exited by itself. */
  exited: boolean;
  /** Its exit code (when `exited`). */
  status: number;
  /** `true` when a signal ended it. */
  signaled: boolean;
  /** The signal number (when `signaled`). */
  signal: number;
}

/** Output buffered while nobody reads before the child is stopped from producing more. */
const HIGH_WATER = 1024 * 1024;
/** The most one read asks for (a pty hands out a few KiB at a time). */
const READ_SIZE = 16384;
/** Reads land in slabs of this size; a chunk keeps its slab alive. */
const SLAB_SIZE = 256 * 1024;

/**
 * A child process on a pseudo-terminal (the seed's pty object): what it
 * prints is read with `read`, what it should receive is written with
 * `write`. Every call that waits is an operation: awaited from async code,
 * `yield*`ed in a cosocket (the seed's asynchronous mode).
 *
 * @example An interactive shell
 * ```ts
 * import { forkpty } from "@cosocket/pty";
 *
 * await using pty = forkpty("sh", [], { env: { PATH: "/usr/bin:/bin", PS1: "$ " } });
 * await pty.write("echo $((6 * 7)); exit\n");
 * let output = "";
 * let chunk;
 * while ((chunk = await pty.read()) !== null) output += new TextDecoder().decode(chunk);
 * console.log(output.includes("42")); // true
 * console.log((await pty.close()).exited); // true
 * ```
 */
export class Pty implements SocketLike<Pty>, AsyncDisposable {
  readonly #master: number;
  readonly #pid: number;
  readonly #wake: [number, number];
  readonly #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #eof = false;
  #closed = false;
  #waiter: (() => void) | null = null;
  #pump: Promise<void>;
  #status: PtyStatus | null = null;
  #throttled = false;
  /** The unconnected socket that carries the pty's cosocket (see event). */
  #cosocket: Socket | null = null;
  /** Reads hold output back until enable() (disable() called from outside the cosocket). */
  #paused = false;
  #reading = false;
  #writing = false;

  /** @internal Made by {@linkcode forkpty}. */
  constructor(master: number, pid: number, wake: [number, number]) {
    this.#master = master;
    this.#pid = pid;
    this.#wake = wake;
    this.#pump = this.#run();
  }

  /** The child's process id. */
  get pid(): number {
    return this.#pid;
  }

  /**
   * Reads what the child printed (the seed's `pty:read`).
   *
   * @param timeout The longest wait in milliseconds.
   * @returns The bytes, or `null` once the child closed its terminal (exited), or
   * when the pty is closed while the read waits.
   * @throws {PtyError} `timeout` (not fatal), `closed` after `close`.
   */
  read(timeout?: number): Operation<Uint8Array | null> {
    return operation(() => this.#read(timeout));
  }

  *#read(timeout: number | undefined) {
    this.#reading = true;
    try {
      return yield* this.#readChunk(timeout);
    } finally {
      this.#reading = false;
    }
  }

  *#readChunk(timeout: number | undefined) {
    let waited = false;
    while (true) {
      if (this.#closed) {
        // Closed while this read waited: the end of the output, as for a socket.
        if (waited) return null;
        throw new PtyError("closed", "Cannot read from pty: it is closed");
      }
      if (this.#pending.length > 0 && !this.#paused) {
        const chunk = this.#pending.length === 1
          ? this.#pending.pop()!
          : joinViews(this.#pending.splice(0));
        this.#pendingBytes = 0;
        this.#release();
        return chunk;
      }
      if (this.#eof && this.#pending.length === 0) return null;
      const arrived = new Promise<boolean>((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        this.#waiter = () => {
          clearTimeout(timer);
          resolve(true);
        };
        if (timeout !== undefined) {
          timer = setTimeout(() => {
            this.#waiter = null;
            resolve(false);
          }, timeout);
        }
      });
      waited = true;
      if (!(yield* until(arrived))) {
        throw new PtyError(
          "timeout",
          `Cannot read from pty: no output within ${timeout} ms`,
        );
      }
    }
  }

  /**
   * Writes to the child's terminal (the seed's `pty:write`): keystrokes,
   * `\x03` for Ctrl-C.
   *
   * @param data The bytes; a string as UTF-8.
   * @returns An operation that finishes when the terminal took every byte.
   * @throws {PtyError} `closed` after `close` or once the child is gone.
   */
  write(data: Uint8Array | string): Operation<void> {
    return operation(() =>
      this.#write(
        typeof data === "string" ? new TextEncoder().encode(data) : data,
      )
    );
  }

  *#write(bytes: Uint8Array) {
    this.#writing = true;
    try {
      yield* this.#writeAll(bytes);
    } finally {
      this.#writing = false;
    }
  }

  *#writeAll(bytes: Uint8Array) {
    let at = 0;
    while (at < bytes.length) {
      if (this.#closed || this.#eof) {
        throw new PtyError("closed", "Cannot write to pty: it is closed");
      }
      const view = bytes.subarray(at) as Uint8Array<ArrayBuffer>;
      const count = Number(
        libc.symbols.write(this.#master, view, BigInt(view.length)),
      );
      if (count > 0) {
        at += count;
        continue;
      }
      const code = errno();
      if (count < 0 && code !== EAGAIN && code !== EINTR) {
        throw new PtyError("io", `Cannot write to pty: errno ${code}`);
      }
      // The terminal's input queue is full: let the child read it.
      yield* until(new Promise((resolve) => setTimeout(resolve, 2)));
    }
  }

  /**
   * Sets the terminal's size (the seed's `pty:winsize`); the child gets SIGWINCH.
   *
   * @param rows Lines, 1 to 32767.
   * @param cols Columns, 1 to 32767.
   * @throws {PtyError} `incorrectuse` for a size out of range, `closed`.
   */
  winsize(rows: number, cols: number): void {
    if (this.#closed) {
      throw new PtyError("closed", "Cannot resize pty: it is closed");
    }
    for (const [name, value] of [["rows", rows], ["cols", cols]] as const) {
      if (!Number.isInteger(value) || value < 1 || value > 32767) {
        throw new PtyError(
          "incorrectuse",
          `Cannot resize pty: ${name} ${value} is not between 1 and 32767`,
        );
      }
    }
    setSize(this.#master, rows, cols);
  }

  /**
   * Stops (`true`) or resumes (`false`) the child (the seed's `pty:pause`).
   *
   * @param pause Whether to stop it.
   */
  pause(pause: boolean): void {
    if (this.#status === null) {
      libc.symbols.kill(this.#pid, pause ? SIGNALS.SIGSTOP! : SIGNALS.SIGCONT!);
    }
  }

  /**
   * The child's status without waiting: `null` while it runs.
   *
   * @returns The status, once it ended.
   */
  status(): PtyStatus | null {
    return this.#reap();
  }

  /**
   * Ends the child gracefully (the seed's `pty:close`): SIGHUP, then
   * SIGTERM, then SIGKILL after `wait` milliseconds, and releases the
   * terminal.
   *
   * @param wait How long the child may take to exit after SIGTERM.
   * @returns How it ended.
   */
  async close(wait?: number): Promise<PtyStatus> {
    if (!this.#closed) {
      this.#closed = true;
      this.#reap() ?? libc.symbols.kill(this.#pid, SIGNALS.SIGHUP!);
      libc.symbols.kill(this.#pid, SIGNALS.SIGCONT!);
      await this.#stopPump();
      libc.symbols.close(this.#master);
      // A cosocket waiting in disable() resumes with no values, as on a closed socket.
      this.#cosocket?.enable();
    }
    return await this.#waitExit(wait ?? 1000);
  }

  /**
   * Kills the child at once (the seed's `pty:terminate`, SIGKILL) and
   * releases the terminal.
   *
   * @returns How it ended.
   */
  terminate(): Promise<PtyStatus> {
    if (this.#reap() === null) libc.symbols.kill(this.#pid, SIGNALS.SIGKILL!);
    return this.close(0);
  }

  /**
   * Runs a cosocket for this pty (the seed's asynchronous mode,
   * `ba.forkpty(fn, ...)`): `fn` gets the pty, its `read()` suspends the
   * cosocket until output arrives or the child exits, and the pty is closed
   * when the cosocket ends, however it ends. Started inside another
   * cosocket, it is that one's child and ends with it.
   *
   * @param fn The cosocket: a generator function.
   * @returns This pty.
   * @throws {PtyError} `incorrectuse` when the pty already has a cosocket,
   * `closed` after `close`.
   *
   * @example Answer a shell's prompt from a cosocket
   * ```ts
   * import { forkpty, type Pty } from "@cosocket/pty";
   *
   * const pty = forkpty("sh", ["-c", "read name; echo hello $name"]).event(function* (pty: Pty) {
   *   yield* pty.write("world\n");
   *   let output = "";
   *   let chunk;
   *   while ((chunk = yield* pty.read()) !== null) output += new TextDecoder().decode(chunk);
   *   return output;
   * });
   * console.log(String(await pty.task).includes("hello world")); // true
   * ```
   */
  event<A extends unknown[]>(
    fn: (pty: Pty, ...args: A) => Iterator<Suspension, unknown, unknown>,
    ...args: A
  ): this {
    if (this.#closed) throw new PtyError("closed", "Cannot start cosocket: the pty is closed");
    if (this.#cosocket !== null) {
      throw new PtyError("incorrectuse", "Cannot start cosocket: the pty already has one");
    }
    const body = function* (pty: Pty) {
      // The first step runs inside event() below, before it returns.
      pty.#cosocket = getsock();
      yield* ensure(async () => {
        await pty.close();
      });
      return yield* { [Symbol.iterator]: () => fn(pty, ...args) };
    };
    // The cosocket runs on an unconnected socket of its own, which gives it
    // the socket's owner(), disable() and enable(); started inside another
    // cosocket, it is that one's child and ends with it.
    this.#cosocket = event(() => body(this));
    return this;
  }

  /** The cosocket started by {@linkcode Pty.prototype.event}, or `null`. */
  get task(): Task<unknown> | null {
    return this.#cosocket?.task ?? null;
  }

  /**
   * Reports whether the code running now is the pty's cosocket (the
   * seed's `socket:owner`).
   *
   * @returns `true` inside the cosocket started by {@linkcode Pty.prototype.event}.
   */
  owner(): boolean {
    return this.#cosocket?.owner() ?? false;
  }

  /**
   * Suspends the pty's events (the seed's `socket:disable`). Called by the
   * pty's cosocket, it suspends that cosocket until `enable(...values)`
   * (and returns those values) or until the pty is closed (and returns
   * `[]`). Called from anywhere else, reads get no output until `enable()`;
   * the output waits, and a child that prints on blocks once the
   * terminal's buffer is full.
   *
   * @returns The values passed to `enable`.
   *
   * @example A cosocket waits until the caller has something for it
   * ```ts
   * import { forkpty, type Pty } from "@cosocket/pty";
   *
   * const pty = forkpty("cat").event(function* (pty: Pty) {
   *   const [line] = yield* pty.disable();
   *   yield* pty.write(`${line}\n`);
   *   return new TextDecoder().decode((yield* pty.read())!);
   * });
   * pty.enable("hello");
   * console.log(String(await pty.task).includes("hello")); // true
   * ```
   */
  disable(): Operation<unknown[]> {
    const cosocket = this.#cosocket;
    if (cosocket !== null && cosocket.owner()) return cosocket.disable();
    this.#paused = true;
    return operation(nothingToWaitFor);
  }

  /**
   * Resumes a disabled pty (the seed's `socket:enable`): a cosocket waiting
   * in `disable()` gets `values`, and held-back output flows to reads again.
   *
   * @param values Values for the cosocket.
   * @returns `true` when something was disabled.
   */
  enable(...values: unknown[]): boolean {
    let enabled = false;
    if (this.#paused) {
      this.#paused = false;
      this.#notify();
      enabled = true;
    }
    if (this.#cosocket?.enable(...values)) enabled = true;
    return enabled;
  }

  /**
   * Reports what the pty is doing (the seed's `socket:state`): `read`
   * while a read (or its cosocket in `disable()`) waits, `write` while a
   * write waits for the terminal, `exec` otherwise, `notcon` once closed;
   * `connected` until the pty is closed or the child closed its terminal.
   *
   * @returns The state and whether the terminal is open.
   */
  state(): SocketStatus {
    const connected = !this.#closed && !this.#eof;
    if (this.#closed) return { state: "notcon", connected };
    if (this.owner()) return { state: "exec", connected };
    const cosocket = this.#cosocket;
    const cosocketState = cosocket?.task?.done === false ? cosocket.state().state : null;
    if (this.#reading || cosocketState === "read") return { state: "read", connected };
    if (this.#writing) return { state: "write", connected };
    return { state: "exec", connected };
  }

  /** Closes the pty (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #waitExit(wait: number): Promise<PtyStatus> {
    const started = Date.now();
    let signalled = false;
    while (true) {
      const status = this.#reap();
      if (status !== null) return status;
      const elapsed = Date.now() - started;
      if (!signalled && elapsed >= Math.min(wait, 50)) {
        libc.symbols.kill(this.#pid, SIGNALS.SIGTERM!);
        signalled = true;
      }
      if (elapsed >= wait) libc.symbols.kill(this.#pid, SIGNALS.SIGKILL!);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  #reap(): PtyStatus | null {
    if (this.#status !== null) return this.#status;
    const raw = new Int32Array(1);
    const pid = libc.symbols.waitpid(this.#pid, raw, WNOHANG);
    if (pid !== this.#pid) return null;
    const code = raw[0]!;
    const signal = code & 0x7f;
    this.#status = signal === 0
      ? { exited: true, status: (code >> 8) & 0xff, signaled: false, signal: 0 }
      : { exited: false, status: -1, signaled: true, signal };
    return this.#status;
  }

  /** Reads the master fd whenever poll says so, until EOF or close. */
  async #run(): Promise<void> {
    const fds = new Int32Array(4);
    // Reads land one after another in a slab and are handed out as views:
    // no copy per read, and what queues up between two reads of the caller
    // is one view (see #read).
    let slab = new Uint8Array(SLAB_SIZE);
    let offset = 0;
    while (!this.#eof) {
      fds[0] = this.#throttled ? -1 : this.#master;
      fds[1] = POLLIN;
      fds[2] = this.#wake[0];
      fds[3] = POLLIN;
      const ready = await libc.symbols.poll(fds, 2n, -1);
      if (this.#closed) return;
      if (ready < 0) continue;
      if (((fds[3]! >>> 16) & 0xffff) !== 0) drain(this.#wake[0]);
      const revents = (fds[1]! >>> 16) & 0xffff;
      if (revents === 0) continue;
      // Drain what the terminal holds now: each poll costs a thread hop, and a
      // pty hands out at most a few KiB per read.
      for (let round = 0; round < 64 && !this.#throttled; round++) {
        if (slab.length - offset < READ_SIZE) {
          slab = new Uint8Array(SLAB_SIZE);
          offset = 0;
        }
        const window = slab.subarray(offset, offset + READ_SIZE);
        const count = Number(libc.symbols.read(this.#master, window, BigInt(READ_SIZE)));
        if (count > 0) {
          this.#pending.push(window.subarray(0, count));
          offset += count;
          this.#pendingBytes += count;
          // Nobody reads: stop watching the terminal, and the child blocks on its writes.
          if (this.#pendingBytes >= HIGH_WATER) this.#throttled = true;
          continue;
        }
        // EIO: every slave descriptor closed (the child exited).
        if (count === 0 || errno() !== EAGAIN) this.#eof = true;
        break;
      }
      this.#notify();
    }
  }

  #notify(): void {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  #release(): void {
    if (!this.#throttled) return;
    this.#throttled = false;
    libc.symbols.write(this.#wake[1], new Uint8Array([1]), 1n);
  }

  async #stopPump(): Promise<void> {
    libc.symbols.write(this.#wake[1], new Uint8Array([1]), 1n);
    await this.#pump;
    libc.symbols.close(this.#wake[0]);
    libc.symbols.close(this.#wake[1]);
    this.#notify();
  }
}

/** Empties the wake-up pipe, so that the next poll waits again. */
function drain(fd: number): void {
  const sink = new Uint8Array(64);
  while (Number(libc.symbols.read(fd, sink, 64n)) > 0);
}

/** Views that follow each other in one slab become one view; others are copied together. */
function joinViews(parts: Uint8Array[]): Uint8Array {
  const first = parts[0]!;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.buffer !== first.buffer || part.byteOffset !== end) return join(parts);
    end += part.length;
  }
  return new Uint8Array(first.buffer, first.byteOffset, end - first.byteOffset);
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function setSize(fd: number, rows: number, cols: number): void {
  const size = new Uint16Array([rows, cols, 0, 0]);
  if (libc.symbols.ioctl(fd, TIOCSWINSZ, size) !== 0) {
    throw new PtyError("io", `Cannot resize pty: errno ${errno()}`);
  }
}

function check(result: number, what: string): void {
  if (result !== 0) {
    throw new PtyError(
      "io",
      `Cannot open pty: ${what} failed (errno ${errno()})`,
    );
  }
}

/**
 * Starts a program on a new pseudo-terminal (the seed's `ba.forkpty`):
 * the child's stdin, stdout and stderr are the terminal, which is its
 * controlling terminal (job control, Ctrl-C, `tty`, `stty size` work).
 *
 * @param program The program, looked up on `PATH`.
 * @param args Its arguments.
 * @param options Environment, working directory, size and `TERM`.
 * @returns The pty.
 * @throws {PtyError} `spawn` when the program cannot be started, `io`
 * when no terminal can be opened.
 *
 * @example Run a command and read its output
 * ```ts
 * import { forkpty } from "@cosocket/pty";
 *
 * await using pty = forkpty("sh", ["-c", "echo hello from a tty"]);
 * let output = "";
 * let chunk;
 * while ((chunk = await pty.read()) !== null) output += new TextDecoder().decode(chunk);
 * console.log(output.trim()); // "hello from a tty"
 * console.log((await pty.close()).status); // 0
 * ```
 */
export function forkpty(
  program: string,
  args?: readonly string[],
  options?: ForkptyOptions,
): Pty;
/**
 * Starts a program on a new pseudo-terminal and runs a cosocket for it (the
 * seed's asynchronous mode, `ba.forkpty(fn, prog, ...)`): the same as
 * `forkpty(program, args, options).event(fn)`.
 *
 * @param fn The cosocket: a generator function that gets the pty; the pty
 * is closed when it ends.
 * @param program The program, looked up on `PATH`.
 * @param args Its arguments.
 * @param options Environment, working directory, size and `TERM`.
 * @returns The pty; `pty.task` is the cosocket.
 * @throws {PtyError} `spawn` when the program cannot be started, `io`
 * when no terminal can be opened.
 *
 * @example Asynchronous mode
 * ```ts
 * import { forkpty, type Pty } from "@cosocket/pty";
 *
 * const pty = forkpty(function* (pty: Pty) {
 *   let lines = 0;
 *   let chunk;
 *   while ((chunk = yield* pty.read()) !== null) lines += chunk.filter((b) => b === 10).length;
 *   return lines;
 * }, "seq", ["1", "1000"]);
 * console.log(await pty.task); // 1000
 * ```
 */
export function forkpty(
  fn: (pty: Pty) => Iterator<Suspension, unknown, unknown>,
  program: string,
  args?: readonly string[],
  options?: ForkptyOptions,
): Pty;
export function forkpty(
  first: string | ((pty: Pty) => Iterator<Suspension, unknown, unknown>),
  second?: string | readonly string[],
  third?: readonly string[] | ForkptyOptions,
  fourth?: ForkptyOptions,
): Pty {
  if (typeof first === "function") {
    return open(second as string, third as readonly string[] | undefined, fourth).event(first);
  }
  return open(first, second as readonly string[] | undefined, third as ForkptyOptions | undefined);
}

function open(program: string, args?: readonly string[], options?: ForkptyOptions): Pty {
  const master = libc.symbols.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) {
    throw new PtyError(
      "io",
      `Cannot open pty: posix_openpt failed (errno ${errno()})`,
    );
  }
  const opened: number[] = [master];
  try {
    check(libc.symbols.grantpt(master), "grantpt");
    check(libc.symbols.unlockpt(master), "unlockpt");
    const nameBuffer = new Uint8Array(128);
    check(libc.symbols.ptsname_r(master, nameBuffer, 128n), "ptsname_r");
    const slave = new TextDecoder().decode(
      nameBuffer.subarray(0, nameBuffer.indexOf(0)),
    );
    setSize(master, options?.rows ?? 24, options?.cols ?? 80);
    const flags = libc.symbols.fcntl(master, F_GETFL, 0);
    libc.symbols.fcntl(master, F_SETFL, flags | O_NONBLOCK);
    const pipe = new Int32Array(2);
    check(libc.symbols.pipe2(pipe, O_CLOEXEC | O_NONBLOCK), "pipe2");
    opened.push(pipe[0]!, pipe[1]!);
    const pid = spawn(program, args ?? [], slave, options);
    return new Pty(master, pid, [pipe[0]!, pipe[1]!]);
  } catch (error) {
    for (const fd of opened) libc.symbols.close(fd);
    throw error;
  }
}

function spawn(
  program: string,
  args: readonly string[],
  slave: string,
  options?: ForkptyOptions,
): number {
  const actions = new Uint8Array(512);
  const attributes = new Uint8Array(1024);
  const signals = new Uint8Array(256);
  libc.symbols.posix_spawn_file_actions_init(actions);
  libc.symbols.posix_spawnattr_init(attributes);
  const slavePath = cString(slave);
  const cwd = options?.cwd === undefined ? null : cString(options.cwd);
  try {
    // Opened without O_NOCTTY after setsid: the slave becomes the controlling terminal.
    libc.symbols.posix_spawn_file_actions_addopen(
      actions,
      0,
      slavePath,
      O_RDWR,
      0,
    );
    libc.symbols.posix_spawn_file_actions_adddup2(actions, 0, 1);
    libc.symbols.posix_spawn_file_actions_adddup2(actions, 0, 2);
    if (cwd !== null) {
      libc.symbols.posix_spawn_file_actions_addchdir_np(actions, cwd);
    }
    libc.symbols.posix_spawnattr_setflags(
      attributes,
      POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK,
    );
    // Deno ignores SIGPIPE and blocks some signals: the child gets the defaults.
    libc.symbols.sigfillset(signals);
    libc.symbols.posix_spawnattr_setsigdefault(attributes, signals);
    libc.symbols.sigemptyset(signals);
    libc.symbols.posix_spawnattr_setsigmask(attributes, signals);
    const env = {
      ...(options?.env ?? Deno.env.toObject()),
      TERM: options?.term ?? "xterm-256color",
    };
    const argv = cStringArray([program, ...args]);
    const envp = cStringArray(
      Object.entries(env).map(([key, value]) => `${key}=${value}`),
    );
    const pid = new Int32Array(1);
    const result = libc.symbols.posix_spawnp(
      pid,
      cString(program),
      actions,
      attributes,
      argv.array,
      envp.array,
    );
    if (result !== 0) {
      throw new PtyError(
        "spawn",
        `Cannot start ${JSON.stringify(program)}: errno ${result}`,
      );
    }
    return pid[0]!;
  } finally {
    libc.symbols.posix_spawn_file_actions_destroy(actions);
    libc.symbols.posix_spawnattr_destroy(attributes);
  }
}

/** The body of an operation that is done at once with no values. */
// deno-lint-ignore require-yield
function* nothingToWaitFor(): Generator<Suspension, unknown[]> {
  return [];
}
