// nodemailer on Node: `node nodemailer_client.mjs <prefix> <port> <count>` sends <count>
// small messages one after another over one pooled connection and prints the messages/s.
import { createRequire } from "node:module";

const [prefix, port, count] = process.argv.slice(2);
const nodemailer = createRequire(`${prefix}/node_modules/`)("nodemailer");
const transport = nodemailer.createTransport({
  host: "127.0.0.1",
  port: Number(port),
  secure: false,
  ignoreTLS: true,
  pool: true,
  maxConnections: 1,
  maxMessages: Infinity,
});
const start = performance.now();
for (let i = 0; i < Number(count); i++) {
  await transport.sendMail({
    from: "Bob <bob@example.com>",
    to: "Alice <alice@example.org>",
    subject: `Message ${i}`,
    text: "Hello Alice, this is a small message.",
  });
}
console.log(Number(count) / ((performance.now() - start) / 1000));
transport.close();
