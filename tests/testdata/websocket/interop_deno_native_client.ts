// Deno's native WebSocket client in its own process, so that it can trust the test CA through
// `--cert` (the in-process client only trusts the process's root store). Used by
// tests/websocket/interop_deno_test.ts against our wss:// server:
//
//   deno run --cert tests/testdata/tls/ca.pem --allow-net=localhost interop_deno_native_client.ts URL
//
// It sends a text message and a 1 MiB binary message, reads their echoes, closes with 4000, and
// prints one JSON line with what it saw.
const url = Deno.args[0]!;
const ws = new WebSocket(url);
ws.binaryType = "arraybuffer";
const messages: (string | ArrayBuffer)[] = [];
const waiters: ((message: string | ArrayBuffer) => void)[] = [];
ws.onmessage = (event) => {
  const waiter = waiters.shift();
  if (waiter) waiter(event.data);
  else messages.push(event.data);
};
const next = () =>
  new Promise<string | ArrayBuffer>((resolve) => {
    const message = messages.shift();
    if (message !== undefined) resolve(message);
    else waiters.push(resolve);
  });
const closed = new Promise<CloseEvent>((resolve) => ws.onclose = resolve);
const timer = setTimeout(() => {
  console.log(JSON.stringify({ error: "timed out" }));
  Deno.exit(2);
}, 20_000);

await new Promise((resolve, reject) => {
  ws.onopen = resolve;
  ws.onerror = (event) => reject(new Error(`WebSocket error: ${(event as ErrorEvent).message}`));
});
ws.send("over tls");
const text = await next();
const bytes = new Uint8Array(1 << 20).map((_, index) => (index * 31) & 0xff);
ws.send(bytes);
const echoed = new Uint8Array(await next() as ArrayBuffer);
ws.close(4000, "native leaves");
const event = await closed;
clearTimeout(timer);
console.log(JSON.stringify({
  text,
  binaryMatches: echoed.length === bytes.length && echoed.every((byte, index) => byte === bytes[index]),
  closeCode: event.code,
  wasClean: event.wasClean,
}));
