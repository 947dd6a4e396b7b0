// undici's request() on Node against bench/servers/http_node_server.mjs:
// `node undici_client.mjs <prefix> <url> <inFlight> <ms>` prints the number
// of responses read whole in that time.
import { createRequire } from "node:module";

const [prefix, url, inFlight, ms] = process.argv.slice(2);
const { request, Agent } = createRequire(`${prefix}/node_modules/`)("undici");
const dispatcher = new Agent({ connections: Number(inFlight), pipelining: 1 });
let count = 0;
const end = performance.now() + Number(ms);
await Promise.all(Array.from({ length: Number(inFlight) }, async () => {
  while (performance.now() < end) {
    const { body } = await request(url, { dispatcher });
    await body.arrayBuffer();
    count++;
  }
}));
console.log(count);
await dispatcher.close();
