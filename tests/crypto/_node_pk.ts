// A Node.js (OpenSSL) peer for signature and RSA encryption cross-checks.
import { node } from "./_helpers.ts";

export interface PkCase {
  op: "sign" | "verify" | "encrypt" | "decrypt";
  pem: string;
  data: string;
  sig?: string;
  hash?: string | null;
  pss?: boolean;
  saltLength?: number;
  dsaEncoding?: "der" | "ieee-p1363";
  padding?: "pkcs1" | "oaep" | "none";
  label?: string;
}

const SCRIPT = `
const c = require("crypto");
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = cases.map((k) => {
  const data = Buffer.from(k.data, "hex");
  const opts = {};
  if (k.pss) { opts.padding = c.constants.RSA_PKCS1_PSS_PADDING; opts.saltLength = k.saltLength; }
  if (k.dsaEncoding) opts.dsaEncoding = k.dsaEncoding;
  if (k.op === "verify") {
    return c.verify(k.hash ?? null, data, { key: c.createPublicKey(k.pem), ...opts }, Buffer.from(k.sig, "hex"));
  }
  if (k.op === "sign") return c.sign(k.hash ?? null, data, { key: c.createPrivateKey(k.pem), ...opts }).toString("hex");
  const pad = { pkcs1: c.constants.RSA_PKCS1_PADDING, oaep: c.constants.RSA_PKCS1_OAEP_PADDING, none: c.constants.RSA_NO_PADDING }[k.padding];
  const keyOpts = { padding: pad };
  if (k.padding === "oaep") { keyOpts.oaepHash = k.hash; if (k.label !== undefined) keyOpts.oaepLabel = Buffer.from(k.label, "hex"); }
  if (k.op === "encrypt") return c.publicEncrypt({ key: c.createPublicKey(k.pem), ...keyOpts }, data).toString("hex");
  return c.privateDecrypt({ key: c.createPrivateKey(k.pem), ...keyOpts }, data).toString("hex");
});
process.stdout.write(JSON.stringify(out));
`;

/** Runs the cases in one Node process; results are hex strings or booleans. */
export async function nodePk(cases: PkCase[]): Promise<(string | boolean)[]> {
  return await node<(string | boolean)[]>(SCRIPT, cases);
}
