// An SMTP sink for bench/mail_bench.ts: npm smtp-server, no TLS, no AUTH, counting
// messages. `node smtp_sink.mjs <prefix>` prints its port; exits when stdin closes.
import { createRequire } from "node:module";

const { SMTPServer } = createRequire(`${process.argv[2]}/node_modules/`)("smtp-server");
let count = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onData(stream, _session, callback) {
    stream.on("data", () => {});
    stream.on("end", () => {
      count++;
      callback();
    });
  },
});
server.listen(0, "127.0.0.1", () => console.log(server.server.address().port));
process.stdin.on("end", () => {
  console.error(`sink received ${count} messages`);
  server.close(() => process.exit(0));
});
process.stdin.resume();
