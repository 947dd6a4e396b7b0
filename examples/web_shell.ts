/**
 * The Web Shell (seed forkpty's Web Shell): a terminal in the browser,
 * xterm.js on a page served by our HTTP server, one WebSocket and one pty
 * per terminal. `deno task examples` runs it as a check: a WebSocket client
 * with the token types `echo hello` and reads the echo; a client without
 * the token is refused. With `--serve` it keeps running and prints the
 * address (with its access token) to open in a browser.
 *
 * Run: `deno run --allow-net=127.0.0.1 --allow-read --allow-run --allow-env --allow-ffi examples/web_shell.ts --serve`
 */
import { connect } from "@cosocket/websocket";
import { startWebShell } from "./web_shell/server.ts";

const shell = await startWebShell();
if (Deno.args.includes("--serve")) {
  console.log(`Web Shell: open ${shell.url}`);
} else {
  try {
    const refused = await fetch(`http://127.0.0.1:${shell.server.port}/`);
    console.log("without the token:", refused.status);
    await refused.body?.cancel();
    await using ws = await connect(
      `ws://127.0.0.1:${shell.server.port}/shell?token=${shell.token}`,
    );
    // The first message names the shell, to come back to it after a lost connection.
    const { session } = JSON.parse((await ws.readMessage()) as string);
    console.log("session:", typeof session === "string" ? "given" : "missing");
    await ws.write(JSON.stringify({ resize: [30, 100] }), true);
    await ws.write(
      new TextEncoder().encode("echo hello from the $((1+1))nd terminal; stty size\n"),
    );
    let screen = "";
    while (!/hello from the 2nd terminal\r?\n30 100/.test(screen)) {
      const chunk = await ws.readMessage(10_000);
      if (chunk === null) break;
      screen += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    }
    console.log(
      "shell said:",
      /hello from the 2nd terminal/.test(screen) ? "hello from the 2nd terminal" : screen,
    );
    console.log("stty size:", /30 100/.test(screen) ? "30 100" : "?");
    await ws.close();
  } finally {
    await shell[Symbol.asyncDispose]();
  }
}
