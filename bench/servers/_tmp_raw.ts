import { bind, type Socket } from "@cosocket/socket";
const resp = new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
bind(Number(Deno.args[0]), { hostname: "127.0.0.1" }).event(function* (l: Socket) {
  let c;
  while ((c = yield* l.accept()) !== null) c.event(function* (s: Socket) {
    let d;
    while ((d = yield* s.read()) !== null) yield* s.write(resp);
  });
});
