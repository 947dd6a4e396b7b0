// Cross-checks against py-ubjson 0.16.1 (Debian package `python3-ubjson`), an independent
// Draft 12 implementation with a C extension: each side decodes what the other encodes,
// with and without container counts. Needs /usr/bin/python3 with the `ubjson` module.
import { decode, encode } from "@cosocket/ubjson";
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { prng } from "./_helpers.ts";

const PYTHON = "/usr/bin/python3";

// "decode": hex UBJSON lines in, JSON lines out. "encode": JSON lines in, hex UBJSON lines
// out, alternating container_count. Decimal (H) becomes {"H": text}, bytes {"bytes": [...]}.
const HELPER = `
import sys, json, decimal, ubjson
def plain(v):
    if isinstance(v, decimal.Decimal): return {"H": str(v)}
    if isinstance(v, (bytes, bytearray)): return {"bytes": list(v)}
    if isinstance(v, list): return [plain(x) for x in v]
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    return v
mode = sys.argv[1]
for i, line in enumerate(sys.stdin.read().splitlines()):
    if mode == "decode":
        print(json.dumps(plain(ubjson.loadb(bytes.fromhex(line))), ensure_ascii=True))
    else:
        print(ubjson.dumpb(json.loads(line), container_count=(i % 2 == 0)).hex())
`;

async function python(mode: "decode" | "encode", lines: string[]): Promise<string[]> {
  const child = new Deno.Command(PYTHON, {
    args: ["-c", HELPER, mode],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    cwd: "/tmp", // keep our ubjson/ folder from shadowing the Python module
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(lines.join("\n") + "\n"));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  strictEqual(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout).trimEnd().split("\n");
}

/** Random JSON values that both languages represent exactly (safe integers only). */
function randomValue(random: () => number, depth = 0): unknown {
  const int = (n: number) => Math.floor(random() * n);
  switch (int(depth > 3 ? 6 : 8)) {
    case 0:
      return [null, true, false][int(3)];
    case 1:
      return [0, 127, 128, 255, 256, -1, -128, -129, 32767, 32768, -32769, 2 ** 31, -(2 ** 31) - 1][
        int(13)
      ];
    case 2:
      return Math.floor((random() - 0.5) * 2 ** (1 + int(53)));
    case 3:
      return (random() - 0.5) * 10 ** (int(20) - 10);
    case 4:
    case 5: {
      let s = "";
      for (let i = int(70); i > 0; i--) {
        const r = random();
        s += r < 0.7
          ? String.fromCharCode(32 + int(95))
          : r < 0.9
          ? String.fromCharCode(0xa0 + int(0x700))
          : String.fromCodePoint(0x1f300 + int(0x200));
      }
      return s;
    }
    case 6:
      return Array.from({ length: int(5) }, () => randomValue(random, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = int(5); i > 0; i--) object[`k${int(100)}é`] = randomValue(random, depth + 1);
      return object;
    }
  }
}

Deno.test("py-ubjson decodes what encode() writes", async () => {
  const random = prng(21);
  const values = Array.from({ length: 300 }, () => randomValue(random));
  const decoded = await python("decode", values.map((v) => encode(v).toHex()));
  for (let i = 0; i < values.length; i++) {
    deepStrictEqual(JSON.parse(decoded[i]!), JSON.parse(JSON.stringify(values[i])), `value ${i}`);
  }
  // Beyond JSON: int64, H, typed containers, float32, C.
  const special = [
    encode(2n ** 62n),
    encode(-(2n ** 63n)),
    encode(2n ** 70n),
    encode(new Uint8Array([1, 2, 255])),
    encode(new Int16Array([-2, 300])),
    encode(new Float64Array([1.5, -0.25])),
    encode([1.5, "x"], { float32: true, char: true }),
    encode(NaN),
  ];
  deepStrictEqual(
    (await python("decode", special.map((b) => b.toHex()))).map((l) => JSON.parse(l)),
    [
      4611686018427387904,
      -9223372036854775808,
      { H: "1180591620717411303424" },
      { bytes: [1, 2, 255] },
      [-2, 300],
      [1.5, -0.25],
      [1.5, "x"],
      null,
    ],
  );
});

Deno.test("decode() reads what py-ubjson writes, with and without container counts", async () => {
  const random = prng(22);
  const values = Array.from({ length: 300 }, () => randomValue(random));
  const encoded = await python("encode", values.map((v) => JSON.stringify(v)));
  for (let i = 0; i < values.length; i++) {
    const bytes = Uint8Array.fromHex(encoded[i]!);
    deepStrictEqual(decode(bytes), JSON.parse(JSON.stringify(values[i])), `value ${i}`);
  }
  // Integers beyond 2^53 travel as L and H; JSON text keeps them exact on the Python side.
  const big = await python("encode", [
    "4611686018427387904",
    "-9223372036854775808",
    "1180591620717411303424",
    "[1.5e300, 1e-300]",
  ]);
  strictEqual(decode(Uint8Array.fromHex(big[0]!)), 2n ** 62n);
  strictEqual(decode(Uint8Array.fromHex(big[1]!)), -(2n ** 63n));
  strictEqual(
    decode(Uint8Array.fromHex(big[2]!), { highPrecision: "string" }),
    "1180591620717411303424",
  );
  deepStrictEqual(decode(Uint8Array.fromHex(big[3]!)), [1.5e300, 1e-300]);
});
