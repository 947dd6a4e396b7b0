// Opens <count> connections to 127.0.0.1:<port>; each writes 64 KiB without
// reading and then resets the connection (RST, not FIN) in the middle of the
// echo coming back. Exits 0 when every connection has been reset.
import net from "node:net";

const [port, count] = process.argv.slice(2).map(Number);
const payload = Buffer.alloc(65536, 0x61);
await Promise.all(Array.from({ length: count }, () =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.write(payload);
      socket.once("data", () => {
        socket.resetAndDestroy();
        resolve();
      });
    });
    socket.on("error", reject);
  })));
