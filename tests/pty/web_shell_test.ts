// The Web Shell end to end in headless Chromium: the page (xterm.js) gets a shell only with the
// token; typed keys reach the shell, its output reaches the screen, and resizing the page
// changes the terminal's size as the shell sees it.
import { equal, ok } from "node:assert/strict";
import { startWebShell } from "../../examples/web_shell/server.ts";
import { connect } from "@cosocket/websocket";
import { runExample } from "../_shared.ts";
import { launchChromium, within } from "../websocket/_peers.ts";

/** What the page's script puts on globalThis. */
interface PageGlobals {
  shellReady?: boolean;
  screenText(): string;
}

Deno.test("Web Shell: type a command in Chromium, see its output; resize; no token, no shell", async () => {
  await using shell = await startWebShell({ shell: "sh" });
  await using chrome = await launchChromium();
  const page = await chrome.context.newPage();
  const refused = await within(
    page.goto(`http://127.0.0.1:${shell.server.port}/`),
    "the page without a token",
  );
  equal(refused?.status(), 403);
  await page.setViewportSize({ width: 800, height: 400 });
  const loaded = await within(page.goto(shell.url), "the page");
  equal(loaded?.status(), 200);
  await within(
    page.waitForFunction(() => (globalThis as unknown as PageGlobals).shellReady === true),
    "the shell",
  );
  await page.click("#terminal");
  await page.keyboard.type("echo hello-$((6*7))");
  await page.keyboard.press("Enter");
  await within(
    page.waitForFunction(() =>
      /hello-42/.test((globalThis as unknown as PageGlobals).screenText())
    ),
    "the command's output on the screen",
  );
  await page.keyboard.type("stty size");
  await page.keyboard.press("Enter");
  await within(
    page.waitForFunction(() =>
      /\n\d+ \d+\n/.test((globalThis as unknown as PageGlobals).screenText())
    ),
    "stty size",
  );
  const before =
    (await page.evaluate(() => (globalThis as unknown as PageGlobals).screenText())).match(
      /\n(\d+ \d+)\n/,
    )![1];
  await page.setViewportSize({ width: 1200, height: 700 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await page.keyboard.type("clear; stty size");
  await page.keyboard.press("Enter");
  let after = before;
  await within(
    (async () => {
      while (after === before) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const text = await page.evaluate(() => (globalThis as unknown as PageGlobals).screenText());
        after = text.match(/\n?(\d+ \d+)\n/)?.[1] ?? before;
      }
    })(),
    "a new size after the resize",
  );
  const [rows, cols] = after!.split(" ").map(Number);
  const [oldRows, oldCols] = before!.split(" ").map(Number);
  ok(rows! > oldRows! && cols! > oldCols!, `${before} -> ${after}`);
  await page.close();
});

Deno.test("example: the Web Shell checks itself as `deno task examples` runs it", async () => {
  const text = await runExample("web_shell.ts", {
    permissions: [
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-run",
      "--allow-env",
      "--allow-ffi",
    ],
  });
  ok(text.includes("without the token: 403"), text);
  ok(text.includes("session: given"), text);
  ok(text.includes("shell said: hello from the 2nd terminal"), text);
  ok(text.includes("stty size: 30 100"), text);
});

Deno.test("Web Shell: a page that lost its connection comes back to the same shell within the grace period", async () => {
  await using shell = await startWebShell({ shell: "sh", grace: 5000 });
  const base = `ws://127.0.0.1:${shell.server.port}/shell?token=${shell.token}`;
  const read = async (ws: Awaited<ReturnType<typeof connect>>, pattern: RegExp) => {
    let screen = "";
    while (!pattern.test(screen)) {
      const message = await ws.readMessage(10_000);
      if (message === null) break;
      screen += typeof message === "string" ? message : new TextDecoder().decode(message);
    }
    return screen;
  };
  let session: string;
  {
    await using first = await connect(base);
    session = JSON.parse((await first.readMessage()) as string).session;
    await first.write(new TextEncoder().encode("REMEMBERED=forty-two\n"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await first.close(4001, "page reloaded");
  }
  await using second = await connect(`${base}&session=${session}`);
  equal(JSON.parse((await second.readMessage()) as string).session, session);
  await second.write(new TextEncoder().encode("echo value=$REMEMBERED\n"));
  ok((await read(second, /value=forty-two/)).includes("value=forty-two"));
  // An unknown session gets a new shell.
  await using other = await connect(`${base}&session=nope`);
  ok(JSON.parse((await other.readMessage()) as string).session !== session);
});

Deno.test("Web Shell: a foreign Origin gets no shell; two terminals at once are two shells", async () => {
  const { WebSocketError } = await import("@cosocket/websocket");
  await using shell = await startWebShell({ shell: "sh", grace: 0 });
  const base = `ws://127.0.0.1:${shell.server.port}/shell?token=${shell.token}`;
  let refused: unknown = null;
  try {
    await using _ = await connect(base, { headers: { Origin: "http://evil.example" } });
  } catch (error) {
    refused = error;
  }
  ok(refused instanceof WebSocketError, String(refused));
  equal(refused.status, 403);
  const origin = `http://127.0.0.1:${shell.server.port}`;
  await using one = await connect(base, { headers: { Origin: origin } });
  await using two = await connect(base, { headers: { Origin: origin } });
  const first = JSON.parse((await one.readMessage()) as string).session;
  const second = JSON.parse((await two.readMessage()) as string).session;
  ok(first !== second);
  const pids: string[] = [];
  for (const ws of [one, two]) {
    await ws.write(new TextEncoder().encode("echo pid=$$\n"));
    let screen = "";
    while (!/pid=\d+\r?\n/.test(screen)) {
      const message = await ws.readMessage(10_000);
      if (message === null) break;
      screen += typeof message === "string" ? message : new TextDecoder().decode(message);
    }
    pids.push(screen.match(/pid=(\d+)\r?\n/)![1]!);
  }
  ok(pids[0] !== pids[1], `two shells: ${pids}`);
});
