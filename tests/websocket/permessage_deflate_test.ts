// permessage-deflate (RFC 7692): negotiation, every parameter combination, fragmented
// inflation, the inflated size limit, corrupt input, and interop with npm `ws`'s own
// PerMessageDeflate (its real compressor and decompressor, both directions).

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { constants, deflateRawSync, inflateRawSync } from "node:zlib";
import "npm:ws@8.23.0";
import {
  acceptOffer,
  type DeflateParams,
  formatOffer,
  parseExtensions,
  parseResponse,
  PerMessageDeflate,
  type PerMessageDeflateOptions,
} from "../../websocket/_permessage_deflate.ts";
import { prng } from "../_shared.ts";

const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);
const MiB = 1 << 20;

/** Compressible text that differs per seed: JSON-like records. */
function text(size: number, seed = 1): Uint8Array {
  const random = prng(seed);
  const words = ["alpha", "beta", "gamma", "delta", "price", "name", "user", "id", "time"];
  let s = "";
  while (s.length < size) {
    const word = words[Math.floor(random() * words.length)]!;
    s += `{"${word}":${Math.floor(random() * 1e6)},"v":"${random().toFixed(3)}"},`;
  }
  return new TextEncoder().encode(s.slice(0, size));
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function params(
  serverMaxWindowBits = 15,
  clientMaxWindowBits = 15,
  serverNoContextTakeover = false,
  clientNoContextTakeover = false,
): DeflateParams {
  return {
    serverNoContextTakeover,
    clientNoContextTakeover,
    serverMaxWindowBits,
    clientMaxWindowBits,
  };
}

/** Asserts that `fn` throws the given class with the given `code`. */
function assertCode(fn: () => unknown, cls: ErrorConstructor, code: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof cls, `expected ${cls.name}, got ${error}`);
    assert.equal((error as { code?: string }).code, code);
    return true;
  });
}

// --- header parsing -------------------------------------------------------------------

Deno.test("parseExtensions() reads tokens, quoted values, whitespace and empty elements", () => {
  assert.deepEqual(
    parseExtensions(
      ' , foo ;a; b = 1 ,permessage-deflate;client_max_window_bits="10"\t;X=y,, bar ',
    ),
    [
      { name: "foo", params: [["a", true], ["b", "1"]] },
      { name: "permessage-deflate", params: [["client_max_window_bits", "10"], ["x", "y"]] },
      { name: "bar", params: [] },
    ],
  );
  assert.deepEqual(parseExtensions('a; b="c\\d"'), [{ name: "a", params: [["b", "cd"]] }]);
  assert.deepEqual(parseExtensions(""), []);
  assert.deepEqual(parseExtensions(" ,, "), []);
});

Deno.test("parseExtensions() throws SyntaxError on malformed values", () => {
  for (
    const bad of [
      "permessage-deflate;",
      "permessage-deflate; =1",
      "permessage-deflate; a=",
      'permessage-deflate; a="1',
      'permessage-deflate; a="1 2"',
      'permessage-deflate; a=""',
      'permessage-deflate; a="x\\',
      "permessage-deflate; a=1 2",
      "permessage deflate",
      "permessage-deflate; a=(1)",
      ";a",
      'a; b="c"d',
      "a\u00e9",
      "a; b=1; c=\u0000",
    ]
  ) {
    assert.throws(() => parseExtensions(bad), SyntaxError, bad);
  }
});

// --- server negotiation ---------------------------------------------------------------

Deno.test("acceptOffer() returns null without a permessage-deflate offer", () => {
  assert.equal(acceptOffer(null, {}), null);
  assert.equal(acceptOffer("", {}), null);
  assert.equal(acceptOffer("x-webkit-deflate-frame; no_context_takeover", {}), null);
});

Deno.test("acceptOffer() accepts a plain offer with defaults", () => {
  assert.deepEqual(acceptOffer("permessage-deflate", {}), {
    response: "permessage-deflate",
    params: params(),
  });
  // Chromium's and ws's default offer.
  assert.deepEqual(acceptOffer("permessage-deflate; client_max_window_bits", {}), {
    response: "permessage-deflate",
    params: params(),
  });
});

Deno.test("acceptOffer() picks the first acceptable offer and declines invalid ones", () => {
  const cases: [string, string][] = [
    ["foo, permessage-deflate; server_max_window_bits=10", "server_max_window_bits=10"],
    ["permessage-deflate; bogus, permessage-deflate; server_max_window_bits=11", "=11"],
    [
      "permessage-deflate; server_no_context_takeover; server_no_context_takeover, " +
      "permessage-deflate; server_max_window_bits=12",
      "=12",
    ],
    [
      "permessage-deflate; server_max_window_bits=16, permessage-deflate; server_max_window_bits=13",
      "=13",
    ],
    [
      "permessage-deflate; server_max_window_bits=7, permessage-deflate; server_max_window_bits=13",
      "=13",
    ],
    [
      "permessage-deflate; server_max_window_bits=010, permessage-deflate; server_max_window_bits=9",
      "=9",
    ],
    [
      "permessage-deflate; server_max_window_bits, permessage-deflate; server_max_window_bits=9",
      "=9",
    ],
    [
      "permessage-deflate; client_max_window_bits=x, permessage-deflate; server_max_window_bits=9",
      "=9",
    ],
    [
      "permessage-deflate; server_no_context_takeover=1, permessage-deflate; server_max_window_bits=9",
      "=9",
    ],
    ['permessage-deflate; server_max_window_bits="14"', "server_max_window_bits=14"],
    ["PerMessage-Deflate ;\tServer_Max_Window_Bits = 8 ", "server_max_window_bits=8"],
  ];
  for (const [header, expected] of cases) {
    const result = acceptOffer(header, {});
    assert.ok(result, header);
    assert.ok(result.response.endsWith(expected), `${header} -> ${result.response}`);
  }
  assert.equal(acceptOffer("permessage-deflate; foo=1, permessage-deflate; bar", {}), null);
});

Deno.test("acceptOffer() throws SyntaxError on a malformed header", () => {
  assert.throws(() => acceptOffer("permessage-deflate; a=", {}), SyntaxError);
  assert.throws(() => acceptOffer('permessage-deflate; a="b', {}), SyntaxError);
  // Even after an acceptable offer: a malformed header is a bad request.
  assert.throws(() => acceptOffer("permessage-deflate, ;;", {}), SyntaxError);
});

Deno.test("acceptOffer() applies our options to the client's offer", () => {
  const accept = (header: string, options: PerMessageDeflateOptions) =>
    acceptOffer(header, options)!;
  assert.deepEqual(
    accept("permessage-deflate; client_max_window_bits", {
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 9,
    }),
    {
      // server_max_window_bits was not offered: we use 10 without announcing it.
      response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; " +
        "client_max_window_bits=9",
      params: params(10, 9, true, true),
    },
  );
  // The client's limits win where they are smaller; offered flags are echoed.
  assert.deepEqual(
    accept(
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; " +
        "server_max_window_bits=9; client_max_window_bits=12",
      { serverMaxWindowBits: 11, clientMaxWindowBits: 13 },
    ),
    {
      response: "permessage-deflate; server_no_context_takeover; client_no_context_takeover; " +
        "server_max_window_bits=9; client_max_window_bits=12",
      params: params(9, 12, true, true),
    },
  );
  // A client that cannot be told its window is accepted; we inflate with 15 bits.
  assert.deepEqual(accept("permessage-deflate", { clientMaxWindowBits: 9 }), {
    response: "permessage-deflate",
    params: params(15, 15),
  });
});

Deno.test("acceptOffer(), formatOffer() and PerMessageDeflate throw RangeError on bad options", () => {
  for (
    const options of [
      { serverMaxWindowBits: 7 },
      { clientMaxWindowBits: 16 },
      { serverMaxWindowBits: 9.5 },
      { level: 10 },
      { level: -1 },
      { threshold: -1 },
    ]
  ) {
    assert.throws(() => acceptOffer("permessage-deflate", options), RangeError);
    assert.throws(() => formatOffer(options), RangeError);
    assert.throws(() => parseResponse("permessage-deflate", options), RangeError);
    // The constructor takes window bits from the negotiated parameters, not the options.
    if (!("serverMaxWindowBits" in options || "clientMaxWindowBits" in options)) {
      assert.throws(
        () => new PerMessageDeflate(params(), "server", { ...options, maxMessageSize: 1 }),
        RangeError,
      );
    }
  }
  assert.throws(
    () => new PerMessageDeflate(params(16), "client", { maxMessageSize: 1 }),
    RangeError,
  );
  assert.throws(
    () => new PerMessageDeflate(params(), "client", { maxMessageSize: -1 }),
    RangeError,
  );
});

// --- client negotiation ---------------------------------------------------------------

Deno.test("formatOffer() offers client_max_window_bits and our restrictions", () => {
  assert.equal(formatOffer({}), "permessage-deflate; client_max_window_bits");
  assert.equal(
    formatOffer({
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 9,
      clientMaxWindowBits: 10,
    }),
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover; " +
      "server_max_window_bits=9; client_max_window_bits=10",
  );
});

Deno.test("parseResponse() returns the agreed parameters", () => {
  assert.equal(parseResponse(null, {}), null);
  assert.equal(parseResponse("", {}), null);
  assert.deepEqual(parseResponse("permessage-deflate", {}), params());
  assert.deepEqual(
    parseResponse(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits="10"; client_max_window_bits=9',
      {},
    ),
    params(10, 9, true, true),
  );
  assert.deepEqual(
    parseResponse("permessage-deflate; server_max_window_bits=9", {
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 12,
      clientNoContextTakeover: true,
    }),
    params(9, 12, false, true),
  );
});

Deno.test("parseResponse() throws SyntaxError on answers that do not fit the offer", () => {
  const cases: [string, PerMessageDeflateOptions, RegExp][] = [
    ["permessage-deflate; foo", {}, /unknown parameter "foo"/],
    ["permessage-deflate; server_no_context_takeover; server_no_context_takeover", {}, /twice/],
    ["permessage-deflate; server_max_window_bits=16", {}, /8\.\.15/],
    ["permessage-deflate; server_max_window_bits=08", {}, /8\.\.15/],
    ["permessage-deflate; server_max_window_bits", {}, /needs a value/],
    ["permessage-deflate; client_max_window_bits", {}, /needs a value/],
    ["permessage-deflate; client_max_window_bits=x", {}, /8\.\.15/],
    ["permessage-deflate; client_no_context_takeover=1", {}, /takes no value/],
    ["permessage-deflate, permessage-deflate", {}, /more than once/],
    ["permessage-deflate, x-foo", {}, /"x-foo" was not offered/],
    ["x-foo", {}, /"x-foo" was not offered/],
    ["permessage-deflate", { serverNoContextTakeover: true }, /server_no_context_takeover/],
    ["permessage-deflate", { serverMaxWindowBits: 10 }, /was offered but not accepted/],
    ["permessage-deflate; server_max_window_bits=11", { serverMaxWindowBits: 10 }, /exceeds/],
    ["permessage-deflate; client_max_window_bits=11", { clientMaxWindowBits: 10 }, /exceeds/],
    ["permessage-deflate; a=", {}, /Cannot parse/],
  ];
  for (const [header, options, message] of cases) {
    assert.throws(() => parseResponse(header, options), (error: unknown) => {
      assert.ok(error instanceof SyntaxError, header);
      assert.match(error.message, message, header);
      return true;
    });
  }
});

Deno.test("formatOffer() -> acceptOffer() -> parseResponse() agree for every option combination", () => {
  for (let bitsA = 8; bitsA <= 15; bitsA++) {
    for (let bitsB = 8; bitsB <= 15; bitsB++) {
      for (let flags = 0; flags < 16; flags++) {
        const client: PerMessageDeflateOptions = {
          serverNoContextTakeover: (flags & 1) !== 0,
          clientNoContextTakeover: (flags & 2) !== 0,
          serverMaxWindowBits: bitsA,
          clientMaxWindowBits: bitsB,
        };
        const server: PerMessageDeflateOptions = {
          serverNoContextTakeover: (flags & 4) !== 0,
          clientNoContextTakeover: (flags & 8) !== 0,
          serverMaxWindowBits: bitsB,
          clientMaxWindowBits: bitsA,
        };
        const accepted = acceptOffer(formatOffer(client), server);
        assert.ok(accepted);
        const p = accepted.params;
        // Unasked, the server lowers its own window silently; the client inflates with 15.
        const serverBitsSeenByClient = bitsA < 15 ? p.serverMaxWindowBits : 15;
        assert.deepEqual(parseResponse(accepted.response, client), {
          ...p,
          serverMaxWindowBits: serverBitsSeenByClient,
        });
        assert.equal(p.serverMaxWindowBits, Math.min(bitsA, bitsB));
        assert.equal(p.clientMaxWindowBits, Math.min(bitsA, bitsB));
        assert.equal(p.serverNoContextTakeover, (flags & 5) !== 0);
        assert.equal(p.clientNoContextTakeover, (flags & 10) !== 0);
      }
    }
  }
});

// --- compression ----------------------------------------------------------------------

Deno.test("PerMessageDeflate round trips in both roles for every parameter combination", () => {
  const messages = [text(3000, 1), text(3000, 1), text(100, 2), new Uint8Array(0), text(70000, 3)];
  for (let serverBits = 8; serverBits <= 15; serverBits++) {
    for (let clientBits = 8; clientBits <= 15; clientBits++) {
      for (let flags = 0; flags < 4; flags++) {
        const p = params(serverBits, clientBits, (flags & 1) !== 0, (flags & 2) !== 0);
        using server = new PerMessageDeflate(p, "server", { maxMessageSize: MiB });
        using client = new PerMessageDeflate(p, "client", { maxMessageSize: MiB });
        for (
          const [from, to, bits, reset] of [
            [server, client, serverBits, p.serverNoContextTakeover],
            [client, server, clientBits, p.clientNoContextTakeover],
          ] as const
        ) {
          const sizes: number[] = [];
          for (const message of messages) {
            const compressed = from.compress(message);
            sizes.push(compressed.length);
            assert.deepEqual(to.decompress(compressed, true), message);
          }
          const label = `bits ${bits} reset ${reset}: ${sizes}`;
          // The repeated message costs almost nothing when the window still holds it.
          if (!reset && bits >= 12) assert.ok(sizes[1]! < sizes[0]! / 4, label);
          if (reset || bits === 8) assert.equal(sizes[1], sizes[0], label);
        }
      }
    }
  }
});

Deno.test("compress() keeps distances inside the negotiated window", () => {
  // zlib refuses distances beyond its window: inflating with exactly the negotiated
  // window checks the compressor. 8 bits is checked against a 256-byte LZ77 window by
  // inflating with zlib's smallest (9) after asserting Huffman-only output has no matches.
  for (let bits = 9; bits <= 15; bits++) {
    using server = new PerMessageDeflate(params(bits), "server", { maxMessageSize: MiB });
    const a = server.compress(text(50000, 4));
    const b = server.compress(text(50000, 4));
    const inflated = inflateRawSync(concat([a, TAIL, b, TAIL]), {
      windowBits: bits,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    assert.equal(inflated.length, 100000);
  }
  using huffman = new PerMessageDeflate(params(8), "server", { maxMessageSize: MiB });
  const repeated = new Uint8Array(10000).fill(97);
  // Without LZ77 matches, a run of one byte still costs at least one bit per byte.
  assert.ok(huffman.compress(repeated).length >= 10000 / 8);
});

Deno.test("compress() sends an empty message as a single 0x00 byte", () => {
  using server = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB });
  using client = new PerMessageDeflate(params(), "client", { maxMessageSize: MiB });
  assert.deepEqual(server.compress(new Uint8Array(0)), new Uint8Array([0]));
  server.compress(text(2000));
  assert.deepEqual(server.compress(new Uint8Array(0)), new Uint8Array([0]));
  assert.deepEqual(client.decompress(new Uint8Array([0]), true), new Uint8Array(0));
  assert.deepEqual(client.decompress(new Uint8Array(0), true), new Uint8Array(0));
});

Deno.test("shouldCompress() and threshold follow the option", () => {
  using a = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB });
  assert.equal(a.threshold, 1024);
  assert.equal(a.shouldCompress(1023), false);
  assert.equal(a.shouldCompress(1024), true);
  using b = new PerMessageDeflate(params(), "client", { maxMessageSize: MiB, threshold: 0 });
  assert.equal(b.shouldCompress(0), true);
});

Deno.test("compress() honours every level", () => {
  const message = text(20000, 4);
  const sizes: number[] = [];
  for (let level = 0; level <= 9; level++) {
    using server = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB, level });
    using client = new PerMessageDeflate(params(), "client", { maxMessageSize: MiB });
    const compressed = server.compress(message);
    sizes.push(compressed.length);
    assert.deepEqual(client.decompress(compressed, true), message);
  }
  assert.ok(sizes[0]! > message.length, `stored: ${sizes}`);
  assert.ok(sizes[1]! < message.length / 2 && sizes[9]! < sizes[1]!, `${sizes}`);
});

Deno.test("compress() with fin false streams one message in pieces, each flushed", () => {
  for (const reset of [false, true]) {
    const p = params(15, 15, reset, reset);
    using server = new PerMessageDeflate(p, "server", { maxMessageSize: MiB });
    using client = new PerMessageDeflate(p, "client", { maxMessageSize: MiB });
    for (let round = 0; round < 3; round++) {
      const pieces = [text(5000, round), new Uint8Array(0), text(300, 9), text(7000, round)];
      const frames = pieces.map((piece, i) => server.compress(piece, i === pieces.length - 1));
      // Each piece is flushed: the peer inflates it before the message ends.
      for (const [i, frame] of frames.entries()) {
        assert.deepEqual(client.decompress(frame, i === frames.length - 1), pieces[i]);
      }
    }
    // An empty last piece still ends the message correctly.
    const frames = [server.compress(text(2000), false), server.compress(new Uint8Array(0))];
    assert.deepEqual(frames[1], new Uint8Array([0]));
    assert.deepEqual(
      concat([client.decompress(frames[0]!, false), client.decompress(frames[1]!, true)]),
      text(2000),
    );
  }
});

Deno.test("compress() and decompress() reproduce RFC 7692 section 7.2.3's examples", () => {
  const hello = new TextEncoder().encode("Hello");
  const bytes = (...b: number[]) => new Uint8Array(b);
  using server = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB });
  using client = new PerMessageDeflate(params(), "client", { maxMessageSize: MiB });
  // 7.2.3.1 and 7.2.3.2: "Hello" twice, the second time through the shared window.
  assert.deepEqual(server.compress(hello), bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00));
  assert.deepEqual(server.compress(hello), bytes(0xf2, 0x00, 0x11, 0x00, 0x00));
  assert.deepEqual(client.decompress(bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00), true), hello);
  assert.deepEqual(client.decompress(bytes(0xf2, 0x00, 0x11, 0x00, 0x00), true), hello);
  // 7.2.3.1: the same message in two fragments.
  assert.deepEqual(
    concat([
      client.decompress(bytes(0xf2, 0x48, 0xcd), false),
      client.decompress(bytes(0xc9, 0xc9, 0x07, 0x00), true),
    ]),
    hello,
  );
  // 7.2.3.3: a stored block; 7.2.3.4: a block with BFINAL set; 7.2.3.5: two blocks.
  using fresh = new PerMessageDeflate(params(), "client", { maxMessageSize: MiB });
  assert.deepEqual(
    fresh.decompress(bytes(0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00), true),
    hello,
  );
  assert.deepEqual(
    fresh.decompress(bytes(0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00), true),
    hello,
  );
  assert.deepEqual(
    fresh.decompress(
      bytes(0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00),
      true,
    ),
    hello,
  );
});

// --- fragmented decompression ---------------------------------------------------------

Deno.test("decompress() inflates a message split into frames down to one byte each", () => {
  for (const size of [1, 2, 3, 7, 100, 4096, 70000]) {
    using server = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB });
    using client = new PerMessageDeflate(params(), "client", { maxMessageSize: MiB });
    for (let round = 0; round < 3; round++) {
      const message = text(size === 1 ? 5000 : 50000, round);
      const compressed = server.compress(message);
      const out: Uint8Array[] = [];
      for (let at = 0; at < compressed.length; at += size) {
        const fragment = compressed.subarray(at, at + size);
        out.push(client.decompress(fragment, at + size >= compressed.length));
      }
      assert.deepEqual(concat(out), message, `fragments of ${size}`);
    }
  }
});

Deno.test("decompress() accepts empty frames, including an empty final frame", () => {
  using server = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB });
  using client = new PerMessageDeflate(params(), "client", { maxMessageSize: MiB });
  const message = text(5000);
  const compressed = server.compress(message);
  const out = [
    client.decompress(new Uint8Array(0), false),
    client.decompress(compressed, false),
    client.decompress(new Uint8Array(0), false),
    client.decompress(new Uint8Array(0), true),
  ];
  assert.deepEqual(concat(out), message);
});

// --- limits ---------------------------------------------------------------------------

/** One message of `count` MiB of zeros, built from takeover-compressed 1 MiB pieces. */
function zipBomb(count: number): Uint8Array {
  using deflater = new PerMessageDeflate(params(), "server", { maxMessageSize: 0 });
  const zeros = new Uint8Array(MiB);
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < count; i++) pieces.push(deflater.compress(zeros), TAIL);
  pieces.pop();
  return concat(pieces);
}

Deno.test("decompress() accepts a message of exactly maxMessageSize and rejects one byte more", () => {
  const message = text(100000, 9);
  for (const [limit, ok] of [[100000, true], [99999, false]] as const) {
    using server = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB });
    using client = new PerMessageDeflate(params(), "client", { maxMessageSize: limit });
    const compressed = server.compress(message);
    if (ok) assert.equal(client.decompress(compressed, true).length, limit);
    else assertCode(() => client.decompress(compressed, true), RangeError, "toobig");
  }
});

Deno.test("decompress() stops a zip bomb near the limit with bounded memory", () => {
  const bomb = zipBomb(256); // 256 MiB of zeros in about 260 KB
  assert.ok(bomb.length < 300_000, `bomb is ${bomb.length} bytes`);
  using client = new PerMessageDeflate(params(), "client", { maxMessageSize: 16 * MiB });
  const before = Deno.memoryUsage().rss;
  let delivered = 0;
  let failed = false;
  for (let at = 0; at < bomb.length && !failed; at += 500) {
    try {
      delivered += client.decompress(bomb.subarray(at, at + 500), false).length;
    } catch (error) {
      assert.ok(error instanceof RangeError);
      assert.equal((error as { code?: string }).code, "toobig");
      failed = true;
    }
  }
  assert.ok(failed, "the bomb was inflated whole");
  assert.ok(delivered <= 16 * MiB && delivered > 15 * MiB, `delivered ${delivered}`);
  // Inflating the whole bomb would hold 256 MiB; the limit keeps it near 16 MiB.
  const grown = Deno.memoryUsage().rss - before;
  assert.ok(grown < 128 * MiB, `rss grew by ${grown}`);
  // One frame holding the whole bomb stops too.
  assertCode(() => client.decompress(bomb, true), RangeError, "toobig");
});

Deno.test("decompress() applies the limit per message, resetting after each", () => {
  using server = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB });
  using client = new PerMessageDeflate(params(), "client", { maxMessageSize: 10000 });
  for (let i = 0; i < 20; i++) {
    assert.equal(client.decompress(server.compress(text(9000, i)), true).length, 9000);
  }
});

// --- bad input ------------------------------------------------------------------------

Deno.test("decompress() throws SyntaxError with code protocol on corrupt data", () => {
  using client = new PerMessageDeflate(params(), "client", { maxMessageSize: MiB });
  // BTYPE 11 is reserved.
  assertCode(
    () => client.decompress(new Uint8Array([0xff, 0xff, 0xff]), true),
    SyntaxError,
    "protocol",
  );
  // A stored block whose NLEN is not the complement of LEN.
  assertCode(
    () => client.decompress(new Uint8Array([0x00, 0x05, 0x00, 0x00, 0x00]), true),
    SyntaxError,
    "protocol",
  );
  // A distance beyond anything produced so far.
  using fresh = new PerMessageDeflate(params(), "client", { maxMessageSize: MiB });
  const far = deflateRawSync(text(40000, 5), { finishFlush: constants.Z_SYNC_FLUSH });
  assertCode(() => fresh.decompress(far.subarray(far.length / 2), true), SyntaxError, "protocol");
  // The context recovers for the next message.
  using server = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB });
  assert.deepEqual(client.decompress(server.compress(text(3000)), true), text(3000));
});

Deno.test("decompress() accepts final blocks, restarting the stream after each", () => {
  using client = new PerMessageDeflate(params(), "client", { maxMessageSize: MiB });
  const message = text(5000, 6);
  // Some peers end each message with BFINAL set (RFC 7692 section 7.2.3.4).
  const final = deflateRawSync(message);
  assert.deepEqual(client.decompress(final, true), message);
  assert.deepEqual(client.decompress(final, true), message);
  // The RFC's form: the final block, then a 0x00 (in its own frame here).
  assert.deepEqual(
    concat([client.decompress(final, false), client.decompress(new Uint8Array([0x00]), true)]),
    message,
  );
  // Two whole streams in one message.
  const other = text(3000, 7);
  assert.deepEqual(
    client.decompress(concat([final, deflateRawSync(other)]), true),
    concat([message, other]),
  );
  // Bytes after a final block that are no deflate stream: a stored block whose NLEN is wrong.
  assertCode(
    () => client.decompress(concat([final, new Uint8Array([1, 2])]), true),
    SyntaxError,
    "protocol",
  );
  // Takeover data after a restart has no window to refer to.
  using server = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB });
  server.compress(message);
  const referring = server.compress(message);
  assertCode(() => client.decompress(concat([final, referring]), true), SyntaxError, "protocol");
  assert.deepEqual(client.decompress(final, true), message);
});

Deno.test("decompress() never hangs and throws only typed errors on random input (bounded fuzz)", () => {
  const random = prng(7);
  using server = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB });
  const valid = server.compress(text(20000, 8));
  let errors = 0;
  for (let i = 0; i < 3000; i++) {
    using client = new PerMessageDeflate(params(9 + (i % 7)), "client", {
      maxMessageSize: 64 * 1024,
    });
    let input: Uint8Array;
    if (i % 2 === 0) {
      input = new Uint8Array(1 + Math.floor(random() * 300)).map(() => random() * 256);
    } else {
      input = valid.slice();
      for (let k = 0; k < 1 + random() * 8; k++) {
        input[Math.floor(random() * input.length)] = random() * 256;
      }
    }
    try {
      const cut = Math.floor(random() * input.length);
      client.decompress(input.subarray(0, cut), false);
      client.decompress(input.subarray(cut), true);
    } catch (error) {
      const code = (error as { code?: string }).code;
      assert.ok(
        (error instanceof SyntaxError && code === "protocol") ||
          (error instanceof RangeError && code === "toobig"),
        `unexpected ${error}`,
      );
      errors++;
    }
  }
  assert.ok(errors > 1000, `only ${errors} inputs failed`);
});

Deno.test("parseExtensions() throws only SyntaxError on random headers (bounded fuzz)", () => {
  const random = prng(9);
  const alphabet = 'permssag-dflt_bixwnoc=;,"\\ \t8915\u00ff';
  for (let i = 0; i < 5000; i++) {
    let header = "";
    for (let k = Math.floor(random() * 60); k > 0; k--) {
      header += alphabet[Math.floor(random() * alphabet.length)];
    }
    for (const fn of [() => acceptOffer(header, {}), () => parseResponse(header, {})]) {
      try {
        fn();
      } catch (error) {
        assert.ok(error instanceof SyntaxError, `${JSON.stringify(header)}: ${error}`);
      }
    }
  }
});

// --- lifetime -------------------------------------------------------------------------

Deno.test("dispose() is idempotent and later use throws", () => {
  const server = new PerMessageDeflate(params(), "server", { maxMessageSize: MiB });
  const compressed = server.compress(text(2000));
  const client = new PerMessageDeflate(params(), "client", { maxMessageSize: MiB });
  client.decompress(compressed, true);
  for (const context of [server, client]) {
    context.dispose();
    context.dispose();
    context[Symbol.dispose]();
    assert.throws(() => context.compress(text(10)), /disposed/);
    assert.throws(() => context.decompress(compressed, true), /disposed/);
  }
  // Never used: nothing was opened, disposing is still fine.
  new PerMessageDeflate(params(), "client", { maxMessageSize: MiB }).dispose();
});

// --- interop with ws ------------------------------------------------------------------

interface WsPerMessageDeflate {
  offer(): Record<string, unknown>;
  accept(configurations: Record<string, unknown>[]): Record<string, unknown>;
  compress(
    data: Uint8Array,
    fin: boolean,
    callback: (error: Error | null, result?: Uint8Array) => void,
  ): void;
  decompress(
    data: Uint8Array,
    fin: boolean,
    callback: (error: Error | null, result?: Uint8Array) => void,
  ): void;
  cleanup(): void;
}

const requireWs = createRequire(import.meta.resolve("npm:ws@8.23.0"));
const WsPerMessageDeflate = requireWs("./lib/permessage-deflate.js") as new (
  options: Record<string, unknown>,
) => WsPerMessageDeflate;
const wsExtension = requireWs("./lib/extension.js") as {
  parse(header: string): Record<string, Record<string, unknown>[]>;
  format(extensions: Record<string, unknown>): string;
};

function wsCall(
  pmd: WsPerMessageDeflate,
  method: "compress" | "decompress",
  data: Uint8Array,
  fin = true,
): Promise<Uint8Array> {
  const { promise, resolve, reject } = Promise.withResolvers<Uint8Array>();
  pmd[method](data, fin, (error, result) => error ? reject(error) : resolve(result!));
  return promise;
}

/** A negotiated pair: a ws endpoint and ours, from the given ws and cosocket options. */
function negotiate(
  wsRole: "server" | "client",
  wsOptions: Record<string, unknown>,
  ours: PerMessageDeflateOptions,
): { ws: WsPerMessageDeflate; ours: PerMessageDeflate; params: DeflateParams } {
  const ws = new WsPerMessageDeflate({
    ...wsOptions,
    isServer: wsRole === "server",
    maxPayload: 4 * MiB,
  });
  let p: DeflateParams;
  if (wsRole === "server") {
    const accepted = ws.accept(wsExtension.parse(formatOffer(ours))["permessage-deflate"]!);
    const response = wsExtension.format({ "permessage-deflate": accepted });
    p = parseResponse(response, ours)!;
  } else {
    const offer = wsExtension.format({ "permessage-deflate": ws.offer() });
    const accepted = acceptOffer(offer, ours)!;
    ws.accept(wsExtension.parse(accepted.response)["permessage-deflate"]!);
    p = accepted.params;
  }
  assert.ok(p);
  const role = wsRole === "server" ? "client" : "server";
  return {
    ws,
    ours: new PerMessageDeflate(p, role, { ...ours, maxMessageSize: 4 * MiB }),
    params: p,
  };
}

const INTEROP_CASES: [string, Record<string, unknown>, PerMessageDeflateOptions][] = [
  ["defaults", {}, {}],
  ["window bits 9 both ways, asked by us", {}, { serverMaxWindowBits: 9, clientMaxWindowBits: 9 }],
  ["window bits 9 both ways, asked by ws", { serverMaxWindowBits: 9, clientMaxWindowBits: 9 }, {}],
  ["no context takeover both ways", {
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
  }, {}],
  ["our no context takeover", {}, { serverNoContextTakeover: true, clientNoContextTakeover: true }],
  ["mixed", { clientMaxWindowBits: 10 }, {
    serverMaxWindowBits: 12,
    clientNoContextTakeover: true,
  }],
];

for (const wsRole of ["server", "client"] as const) {
  Deno.test(`PerMessageDeflate exchanges messages with ws's PerMessageDeflate as ${wsRole}`, async () => {
    for (const [label, wsOptions, ours] of INTEROP_CASES) {
      const pair = negotiate(wsRole, wsOptions, ours);
      try {
        // A repeated 4000-byte message is nearly free only with takeover and a window
        // that holds it: zlib reaches back 2^bits - 262 bytes, so 13 bits and up.
        const { serverNoContextTakeover, clientNoContextTakeover } = pair.params;
        const serverGains = !serverNoContextTakeover && pair.params.serverMaxWindowBits >= 13;
        const clientGains = !clientNoContextTakeover && pair.params.clientMaxWindowBits >= 13;
        const wsTakeover = wsRole === "server" ? serverGains : clientGains;
        const ourTakeover = wsRole === "server" ? clientGains : serverGains;
        const wsSizes: number[] = [];
        const ourSizes: number[] = [];
        for (
          const [i, message] of [text(4000, 1), text(4000, 1), text(200000, 2), text(10, 3)]
            .entries()
        ) {
          // ws -> ours, fragmented into 3 frames the second time.
          const fromWs = await wsCall(pair.ws, "compress", message);
          wsSizes.push(fromWs.length);
          const third = Math.ceil(fromWs.length / 3);
          const inflated = i === 1
            ? concat(
              [0, 1, 2].map((k) =>
                pair.ours.decompress(fromWs.subarray(k * third, (k + 1) * third), k === 2)
              ),
            )
            : pair.ours.decompress(fromWs, true);
          assert.deepEqual(inflated, message, `${label}: ws -> ours #${i}`);
          // ours -> ws
          const fromUs = pair.ours.compress(message);
          ourSizes.push(fromUs.length);
          assert.deepEqual(
            new Uint8Array(await wsCall(pair.ws, "decompress", fromUs)),
            message,
            `${label}: ours -> ws #${i}`,
          );
        }
        // Takeover makes the repeated message nearly free, both ways.
        assert.equal(wsSizes[1]! < wsSizes[0]! / 4, wsTakeover, `${label}: ws ${wsSizes}`);
        assert.equal(ourSizes[1]! < ourSizes[0]! / 4, ourTakeover, `${label}: ours ${ourSizes}`);
        // A streamed message, piece by piece, each side inflating every piece as it comes.
        const pieces = [text(3000, 4), text(20, 5), text(9000, 4)];
        for (const [i, piece] of pieces.entries()) {
          const fin = i === pieces.length - 1;
          const fromWs = await wsCall(pair.ws, "compress", piece, fin);
          assert.deepEqual(pair.ours.decompress(fromWs, fin), piece, `${label}: ws piece ${i}`);
          const fromUs = pair.ours.compress(piece, fin);
          const inflated = await wsCall(pair.ws, "decompress", fromUs, fin);
          assert.deepEqual(new Uint8Array(inflated), piece, `${label}: our piece ${i}`);
        }
      } finally {
        pair.ws.cleanup();
        pair.ours.dispose();
      }
    }
  });
}

Deno.test("negotiation with ws covers window bits 9 and no context takeover in the headers", () => {
  const pair = negotiate("server", {}, {
    serverMaxWindowBits: 9,
    clientMaxWindowBits: 9,
    serverNoContextTakeover: true,
  });
  pair.ws.cleanup();
  pair.ours.dispose();
  assert.deepEqual(pair.params, params(9, 9, true, false));
  const back = negotiate("client", {
    serverMaxWindowBits: 9,
    clientMaxWindowBits: 9,
    clientNoContextTakeover: true,
  }, {});
  back.ws.cleanup();
  back.ours.dispose();
  assert.deepEqual(back.params, params(9, 9, false, true));
});

Deno.test("PerMessageDeflate interoperates with one-shot node:zlib without context takeover", () => {
  const p = params(15, 15, true, true);
  using server = new PerMessageDeflate(p, "server", { maxMessageSize: MiB });
  for (let i = 0; i < 3; i++) {
    const message = text(30000, i);
    const compressed = server.compress(message);
    const inflated = inflateRawSync(concat([compressed, TAIL]), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    assert.deepEqual(new Uint8Array(inflated), message);
    const fromNode = deflateRawSync(message, { finishFlush: constants.Z_SYNC_FLUSH });
    assert.deepEqual(server.decompress(fromNode.subarray(0, -4), true), message);
  }
});
