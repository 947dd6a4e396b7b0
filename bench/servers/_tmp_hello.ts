import { servcon, type ServerRequest, type ServerResponse } from "@cosocket/http";
const style = Deno.args[0];
const server = style === "web"
  ? servcon(Number(Deno.args[1]), () => new Response("hello"), { hostname: "127.0.0.1" })
  : servcon(Number(Deno.args[1]), function* (_q: ServerRequest, r: ServerResponse) { yield* r.write("hello"); }, { hostname: "127.0.0.1" });
console.log("ready", server.port);
setTimeout(() => { server.close(); }, Number(Deno.args[2] ?? 1e9));
