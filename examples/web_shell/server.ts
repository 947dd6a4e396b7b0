/**
 * The Web Shell's server: a page with xterm.js served by `@cosocket/http`,
 * and one WebSocket per terminal carrying the shell's output one way and
 * keystrokes and resizes the other, each terminal a pty of its own.
 *
 * Safe by default: it listens on 127.0.0.1, hands out a shell only to a
 * client with the random access token (as `?token=` on the page, which sets
 * a cookie, or in the WebSocket request), and checks `Origin`.
 */
import { type HttpServer, servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
import { forkpty, type Pty } from "@cosocket/pty";
import { spawn, until } from "@cosocket/socket";
import { upgrade } from "@cosocket/websocket";

/** Options of {@linkcode startWebShell}. */
export interface WebShellOptions {
  /** The port. @default {0} */
  port?: number;
  /** The shell. @default {"bash" when present, else "sh"} */
  shell?: string;
  /** The access token. @default {16 random bytes, hex} */
  token?: string;
  /** Milliseconds a shell waits for its page to come back after its WebSocket closed. @default {30000} */
  grace?: number;
}

/** A running Web Shell. */
export interface WebShell extends AsyncDisposable {
  server: HttpServer;
  token: string;
  /** The page's URL, token included. */
  url: string;
}

const here = new URL(".", import.meta.url);

/** Finds the npm packages' files in Deno's cache (`deno info` knows where). */
async function packageFiles(): Promise<Map<string, { path: string; type: string }>> {
  const packages = new URL("_xterm_packages.js", here).pathname;
  // Downloads them on a fresh machine (npm is reachable; a no-op once cached).
  await new Deno.Command(Deno.execPath(), {
    args: ["cache", packages],
    stdout: "null",
    stderr: "null",
  })
    .output();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", packages],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    npmPackages: Record<string, { name: string; localPath?: string }>;
  };
  const dir = (name: string) =>
    Object.values(info.npmPackages).find((p) => p.name === name)?.localPath;
  const xterm = dir("@xterm/xterm");
  const fit = dir("@xterm/addon-fit");
  if (xterm === undefined || fit === undefined) {
    throw new Error(
      "Cannot find @xterm/xterm and @xterm/addon-fit: run `deno cache examples/web_shell/_xterm_packages.js`",
    );
  }
  return new Map([
    ["/xterm/xterm.js", { path: `${xterm}/lib/xterm.js`, type: "text/javascript" }],
    ["/xterm/xterm.css", { path: `${xterm}/css/xterm.css`, type: "text/css" }],
    ["/xterm/addon-fit.js", { path: `${fit}/lib/addon-fit.js`, type: "text/javascript" }],
  ]);
}

function defaultShell(): string {
  try {
    Deno.statSync("/bin/bash");
    return "bash";
  } catch {
    return "sh";
  }
}

/**
 * Starts the Web Shell.
 *
 * @param options The port, the shell and the token.
 * @returns The running shell server.
 */
export async function startWebShell(options: WebShellOptions = {}): Promise<WebShell> {
  const files = await packageFiles();
  const page = await Deno.readTextFile(new URL("index.html", here));
  const token = options.token ?? crypto.getRandomValues(new Uint8Array(16)).toHex();
  const shell = options.shell ?? defaultShell();

  function authorized(request: ServerRequest): boolean {
    return request.query.get("token") === token || request.cookies.get("webshell") === token;
  }

  function* handler(request: ServerRequest, response: ServerResponse) {
    const file = files.get(request.pathname);
    if (file !== undefined) {
      response.headers.set("content-type", file.type);
      return yield* response.send(yield* until(Deno.readFile(file.path)));
    }
    if (!authorized(request)) {
      response.status = 403;
      return yield* response.send("A token is needed: open the address the server printed\n");
    }
    if (request.pathname === "/") {
      response.headers.set("content-type", "text/html; charset=utf-8");
      response.headers.set("set-cookie", `webshell=${token}; HttpOnly; SameSite=Strict; Path=/`);
      return yield* response.send(page);
    }
    if (request.pathname !== "/shell") {
      response.status = 404;
      return;
    }
    const host = request.headers.get("host");
    const ws = yield* upgrade(request, {
      origin: (origin) => origin === null || origin === `http://${host}`,
    });
    const session = attach(request.query.get("session"));
    const pty = session.pty;
    // The first message tells the page which shell it has, to come back to it.
    yield* ws.write(JSON.stringify({ session: session.id }), true);
    try {
      // Output to the browser in a child cosocket; input and resizes here.
      spawn(function* () {
        let chunk;
        while ((chunk = yield* pty.read()) !== null) yield* ws.write(chunk);
        yield* ws.close(1000, "shell exited");
      });
      let message;
      while ((message = yield* ws.readMessage()) !== null) {
        if (typeof message === "string") {
          const resize = (JSON.parse(message) as { resize?: [number, number] }).resize;
          if (resize !== undefined) pty.winsize(resize[0], resize[1]);
        } else {
          yield* pty.write(message);
        }
      }
    } finally {
      detach(session);
    }
  }

  /** A shell that outlives its WebSocket for a grace period, so that a page can come back to it. */
  interface Session {
    id: string;
    pty: Pty;
    attached: boolean;
    timer: ReturnType<typeof setTimeout> | undefined;
  }
  const sessions = new Map<string, Session>();
  const grace = options.grace ?? 30_000;

  function attach(id: string | null): Session {
    const known = id === null ? undefined : sessions.get(id);
    if (known !== undefined && !known.attached && known.pty.status() === null) {
      clearTimeout(known.timer);
      known.attached = true;
      return known;
    }
    const session: Session = {
      id: crypto.randomUUID(),
      pty: forkpty(shell, [], { env: { ...Deno.env.toObject(), PS1: "\\w $ " } }),
      attached: true,
      timer: undefined,
    };
    sessions.set(session.id, session);
    return session;
  }

  function detach(session: Session): void {
    session.attached = false;
    if (session.pty.status() !== null || grace === 0) {
      end(session);
      return;
    }
    // Output waits in the pty (held at about 1 MiB) until the page comes back.
    session.timer = setTimeout(() => end(session), grace);
  }

  function end(session: Session): void {
    clearTimeout(session.timer);
    sessions.delete(session.id);
    session.pty.close();
  }

  const server = servcon(options.port ?? 0, handler, { hostname: "127.0.0.1" });
  return {
    server,
    token,
    url: `http://127.0.0.1:${server.port}/?token=${token}`,
    async [Symbol.asyncDispose]() {
      await server.close();
      for (const session of [...sessions.values()]) end(session);
    },
  };
}
