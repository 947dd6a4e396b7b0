// UBJSON benchmarks: `deno bench --allow-read --allow-env bench/ubjson_bench.ts`.
// Each group compares @cosocket/ubjson (the baseline) with JSON.stringify/JSON.parse of the
// same data and with @shelacek/ubjson, so Deno prints the ratios side by side.
// `deno run --allow-read --allow-env bench/ubjson_bench.ts --throughput` prints MB/s and
// output sizes with a simple timing loop instead.
import { decode, encode } from "@cosocket/ubjson";
import * as shelacek from "npm:@shelacek/ubjson@1.1.1";
// The same seeded PRNG as the tests, so every run benchmarks the same documents.
import { prng } from "../tests/ubjson/_helpers.ts";

const random = prng(42);
const int = (n: number) => Math.floor(random() * n);
const WORDS = [
  "deno",
  "socket",
  "binary",
  "json",
  "fast",
  "the",
  "a",
  "release",
  "today",
  "🎉",
  "café",
  "東京",
  "über",
  "network",
  "stream",
  "#typescript",
  "@ada",
  "http://x.co/abc",
];
const sentence = (n: number) => Array.from({ length: n }, () => WORDS[int(WORDS.length)]).join(" ");

/** A Twitter-timeline-shaped document: 100 statuses with users and entities. */
function timeline(): unknown {
  return {
    statuses: Array.from({ length: 100 }, (_, i) => ({
      created_at: "Sun Nov 22 00:13:59 +0000 2026",
      id: 1_400_000_000_000 + i * 7919,
      id_str: String(1_400_000_000_000 + i * 7919),
      text: sentence(5 + int(20)),
      truncated: false,
      entities: {
        hashtags: Array.from(
          { length: int(3) },
          () => ({ text: WORDS[int(WORDS.length)], indices: [int(100), int(140)] }),
        ),
        symbols: [],
        user_mentions: Array.from(
          { length: int(2) },
          () => ({ screen_name: "ada", name: "Ada L.", id: int(1e9), indices: [0, 4] }),
        ),
        urls: [{
          url: "https://t.co/abc",
          expanded_url: "https://example.com/some/path",
          indices: [10, 33],
        }],
      },
      source: '<a href="http://twitter.com" rel="nofollow">Twitter Web App</a>',
      in_reply_to_status_id: null,
      in_reply_to_screen_name: null,
      user: {
        id: int(2 ** 31),
        name: sentence(2),
        screen_name: `user_${i}`,
        location: ["Tokyo", "Oslo", "", "São Paulo"][int(4)],
        description: sentence(10),
        followers_count: int(100000),
        friends_count: int(5000),
        listed_count: int(100),
        favourites_count: int(20000),
        verified: random() < 0.1,
        lang: "en",
        profile_background_color: "C0DEED",
        profile_image_url: "http://pbs.twimg.com/profile_images/1/abc_normal.jpg",
        default_profile: true,
      },
      geo: null,
      coordinates: null,
      place: null,
      retweet_count: int(1000),
      favorite_count: int(5000),
      favorited: false,
      retweeted: false,
      possibly_sensitive: false,
      lang: "en",
      score: random() * 100,
    })),
    search_metadata: {
      completed_in: 0.087,
      max_id: 1_400_000_000_999,
      count: 100,
      query: "%23deno",
    },
  };
}

const N = 1 << 17;
const floats = new Float64Array(N).map(() => (random() - 0.5) * 1e6);
const ints = new Int32Array(N).map(() => int(2 ** 32));
const floatList = Array.from(floats);
const intList = Array.from(ints);

const mixed = timeline();
const mixedUb = encode(mixed);
const mixedJson = JSON.stringify(mixed);
const mixedTheirs = shelacek.encode(mixed);
const floatsUb = encode(floats);
const floatsJson = JSON.stringify(floatList);
const floatsTheirs = shelacek.encode(floats, { optimizeArrays: "onlyTypedArrays" });
const intsUb = encode(ints);
const intsJson = JSON.stringify(intList);
const intsTheirs = shelacek.encode(ints, { optimizeArrays: "onlyTypedArrays" });
const jsonBytes = (text: string) => new TextEncoder().encode(text).length;

const cases = {
  "mixed (timeline)": {
    value: mixed,
    ub: mixedUb,
    json: mixedJson,
    theirs: mixedTheirs,
    list: mixed,
    typed: {},
  },
  "float64[131072]": {
    value: floats,
    ub: floatsUb,
    json: floatsJson,
    theirs: floatsTheirs,
    list: floatList,
    typed: { optimizeArrays: "onlyTypedArrays" as const },
  },
  "int32[131072]": {
    value: ints,
    ub: intsUb,
    json: intsJson,
    theirs: intsTheirs,
    list: intList,
    typed: { optimizeArrays: "onlyTypedArrays" as const },
  },
};

for (const [name, c] of Object.entries(cases)) {
  const typedDecode = name !== "mixed (timeline)";
  Deno.bench(`@cosocket/ubjson encode ${name}`, { group: `encode ${name}`, baseline: true }, () => {
    encode(c.value);
  });
  Deno.bench(`JSON.stringify ${name}`, { group: `encode ${name}` }, () => {
    JSON.stringify(c.list);
  });
  Deno.bench(`@shelacek/ubjson encode ${name}`, { group: `encode ${name}` }, () => {
    shelacek.encode(c.value, c.typed);
  });
  Deno.bench(`@cosocket/ubjson decode ${name}`, { group: `decode ${name}`, baseline: true }, () => {
    decode(c.ub, { typedArrays: typedDecode });
  });
  if (typedDecode) {
    Deno.bench(
      `@cosocket/ubjson decode ${name} to a plain array`,
      { group: `decode ${name}` },
      () => {
        decode(c.ub);
      },
    );
  }
  Deno.bench(`JSON.parse ${name}`, { group: `decode ${name}` }, () => {
    JSON.parse(c.json);
  });
  Deno.bench(`@shelacek/ubjson decode ${name}`, { group: `decode ${name}` }, () => {
    shelacek.decode(c.theirs, { useTypedArrays: typedDecode });
  });
}

/** Best-of-7 time per call in ms: the minimum filters out noise from a shared machine. */
function time(fn: () => void): number {
  for (let i = 0; i < 20; i++) fn(); // warm up
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    let runs = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < 60) {
      fn();
      runs++;
      elapsed = performance.now() - start;
    }
    best = Math.min(best, elapsed / runs);
  }
  return best;
}

if (Deno.args.includes("--throughput")) {
  // MB/s is measured against each format's own bytes (output for encode, input for decode).
  const rows = [];
  for (const [name, c] of Object.entries(cases)) {
    const typedDecode = name !== "mixed (timeline)";
    const sizes = { ubjson: c.ub.length, json: jsonBytes(c.json), shelacek: c.theirs.byteLength };
    const ms = {
      encode: time(() => encode(c.value)),
      stringify: time(() => JSON.stringify(c.list)),
      theirEncode: time(() => shelacek.encode(c.value, c.typed)),
      decode: time(() => decode(c.ub, { typedArrays: typedDecode })),
      parse: time(() => JSON.parse(c.json)),
      theirDecode: time(() => shelacek.decode(c.theirs, { useTypedArrays: typedDecode })),
    };
    const mbs = (bytes: number, t: number) => (bytes / 1e6 / (t / 1000)).toFixed(0);
    rows.push({
      data: name,
      "ubjson bytes": sizes.ubjson,
      "json bytes": sizes.json,
      "size vs JSON": (sizes.ubjson / sizes.json).toFixed(2),
      "encode MB/s": mbs(sizes.ubjson, ms.encode),
      "stringify MB/s": mbs(sizes.json, ms.stringify),
      "shelacek enc MB/s": mbs(sizes.shelacek, ms.theirEncode),
      "decode MB/s": mbs(sizes.ubjson, ms.decode),
      "parse MB/s": mbs(sizes.json, ms.parse),
      "shelacek dec MB/s": mbs(sizes.shelacek, ms.theirDecode),
      "enc vs stringify": (ms.stringify / ms.encode).toFixed(2) + "x",
      "enc vs shelacek": (ms.theirEncode / ms.encode).toFixed(2) + "x",
      "dec vs parse": (ms.parse / ms.decode).toFixed(2) + "x",
      "dec vs shelacek": (ms.theirDecode / ms.decode).toFixed(2) + "x",
    });
  }
  for (const row of rows) console.log(row);
}
