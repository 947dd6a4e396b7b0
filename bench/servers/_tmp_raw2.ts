import { bind, type Socket, spawn } from "@cosocket/socket";
const resp = new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
const BL = new Uint8Array([13, 10, 13, 10]);
const mode = Deno.args[1];
function* conn(s: Socket) {
  let d;
  const slab = new Uint8Array(16384);
  const enc = new TextEncoder();
  if (mode.includes("until")) {
    while ((d = yield* s.readUntil(BL, { inclusive: true })) !== null) yield* s.write(mode.includes("slab") ? slab.subarray(0, enc.encodeInto("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello", slab).written) : mode.includes("fresh") ? resp.slice() : mode.includes("str") ? "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello" : resp);
  } else while ((d = yield* s.read()) !== null) yield* s.write(mode.includes("slab") ? slab.subarray(0, enc.encodeInto("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello", slab).written) : mode.includes("fresh") ? resp.slice() : mode.includes("str") ? "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello" : resp);
}
bind(Number(Deno.args[0]), { hostname: "127.0.0.1" }).event(function* (l: Socket) {
  let c: Socket | null;
  while ((c = yield* l.accept()) !== null) {
    const cc = c;
    if (mode.includes("spawn")) spawn(() => conn(cc)).detach();
    else cc.event(conn);
  }
});
setTimeout(() => Deno.exit(0), 6000);
