/** Servers nobody here wrote, for the HTTP client tests: Node's `http` module and nginx. */

/** A server process and its port. */
export interface PeerServer extends AsyncDisposable {
  port: number;
}

/**
 * Runs `script` under Node; the script listens on 127.0.0.1 port 0 and
 * prints its port on the first line.
 */
export async function nodeServer(script: string): Promise<PeerServer> {
  const child = new Deno.Command("node", {
    args: ["--input-type=module", "-e", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("The Node server exited before printing its port");
    text += value;
  }
  reader.releaseLock();
  return {
    port: Number(text.trim()),
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await child.stdin.close().catch(() => {});
    },
  };
}

/** A free loopback port (nginx cannot listen on port 0 and report it). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Starts nginx (Debian's) in the foreground with a generated configuration
 * serving `root`, with the extra `server` directives given (and `http`
 * directives, such as an `upstream` block).
 */
export async function nginx(root: string, extra = "", httpExtra = ""): Promise<PeerServer> {
  const dir = await Deno.makeTempDir({ prefix: "cosocket_nginx_" });
  for (let attempt = 0;; attempt++) {
    const port = freePort();
    const conf = `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000;
  ${httpExtra}
  server {
    listen 127.0.0.1:${port};
    root ${root};
    ${extra}
  }
}`;
    await Deno.writeTextFile(`${dir}/nginx.conf`, conf);
    const child = new Deno.Command("nginx", {
      args: ["-p", dir, "-c", `${dir}/nginx.conf`, "-e", `${dir}/error.log`],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const errors = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    // Ready once it accepts a connection (or gone, when the port was taken).
    let ready = false;
    for (let i = 0; i < 100 && !ready; i++) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port })).close();
        ready = true;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const stop = async () => {
      child.kill("SIGTERM");
      await child.status;
      await errors.cancel().catch(() => {});
    };
    if (ready) {
      return {
        port,
        async [Symbol.asyncDispose]() {
          await stop();
          await Deno.remove(dir, { recursive: true });
        },
      };
    }
    await stop();
    if (attempt === 2) throw new Error("Cannot start nginx");
  }
}

/** A raw TCP server that answers each connection with `answer(requestText)` bytes, then closes. */
export function rawServer(
  answer: (request: string, conn: Deno.Conn) => Promise<void> | void,
): { port: number } & AsyncDisposable {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const serving = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      (async () => {
        const buffer = new Uint8Array(65536);
        const count = await conn.read(buffer);
        if (count !== null) await answer(new TextDecoder().decode(buffer.subarray(0, count)), conn);
      })().catch(() => {}).finally(() => {
        conns.delete(conn);
        try {
          conn.close();
        } catch {
          // Closed by the answer.
        }
      });
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
      await serving;
    },
  };
}

/** Waits until something listens on the port (at most two seconds). */
async function listening(port: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return false;
}

/** Runs a program that listens on `port` until it is stopped. */
async function daemon(cmd: string, args: (port: number) => string[]): Promise<PeerServer> {
  for (let attempt = 0;; attempt++) {
    const port = freePort();
    const child = new Deno.Command(cmd, { args: args(port), stdout: "null", stderr: "null" })
      .spawn();
    const stop = async () => {
      child.kill("SIGTERM");
      await child.status;
    };
    if (await listening(port)) return { port, [Symbol.asyncDispose]: stop };
    await stop();
    if (attempt === 2) throw new Error(`Cannot start ${cmd}`);
  }
}

/** Debian's tinyproxy (HTTP CONNECT), optionally with Basic authentication. */
export async function tinyproxy(auth?: { user: string; password: string }): Promise<PeerServer> {
  const dir = await Deno.makeTempDir({ prefix: "cosocket_tinyproxy_" });
  const server = await daemon("tinyproxy", (port) => {
    const conf = [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Timeout 60",
      "MaxClients 100",
      "Allow 127.0.0.1",
      "LogLevel Critical",
      ...(auth === undefined ? [] : [`BasicAuth ${auth.user} ${auth.password}`]),
    ].join("\n");
    Deno.writeTextFileSync(`${dir}/tinyproxy.conf`, conf);
    return ["-d", "-c", `${dir}/tinyproxy.conf`];
  });
  return {
    port: server.port,
    async [Symbol.asyncDispose]() {
      await server[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Debian's microsocks (SOCKS5), optionally with username/password. */
export function microsocks(auth?: { user: string; password: string }): Promise<PeerServer> {
  return daemon("microsocks", (port) => [
    "-i",
    "127.0.0.1",
    "-p",
    String(port),
    ...(auth === undefined ? [] : ["-u", auth.user, "-P", auth.password]),
  ]);
}
