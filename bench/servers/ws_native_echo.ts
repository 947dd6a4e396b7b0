// Deno's own WebSocket server (Deno.serve + Deno.upgradeWebSocket) echoing
// every message as it came (text as text, binary as binary), for
// bench/websocket_bench.ts. Prints its port, then serves until stdin closes.
import { serveUntilStdinCloses } from "./_stdin.ts";

const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => socket.send(event.data);
    socket.onerror = () => {};
    return response;
  },
);
console.log(server.addr.port);
await serveUntilStdinCloses();
Deno.exit(0);
