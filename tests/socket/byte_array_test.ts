import { ByteArray } from "@cosocket/socket/byte-array";
import { h2n, n2h } from "@cosocket/socket/network-order";
import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { bundleForBrowser, runUnderNode } from "../_bundle.ts";

Deno.test("ByteArray reproduces the seed's example (0-based)", () => {
  // The seed's text lost two lines (the setsize(array,1,20) that makes #array 20, and the
  // loop that fills "abc..."), has a typo ("...uvz" for "...uvw") and prints a last line
  // that its own code cannot produce; see the ByteArray section of ubjson/README.md.
  const printed: string[] = [];
  const print = (...values: unknown[]) => printed.push(values.join("\t"));

  const array = new ByteArray(23); // local array = ba.bytearray.create(23)
  for (let i = 0; i < 20; i++) array.set(i, 65 + i); // for i=1,20 do array[i]=64+i end
  print(array.length); // 23
  array.setSize(0, 20); // ba.bytearray.setsize(array,1,20)
  print(array.length); // 20
  print(...array.size()); // 23 1 20 → 23 0 20
  const t: number[] = [];
  for (let i = 0; i < array.length; i++) t.push(array.get(i));
  array.setSize(); // same as (array,1,-1); length is now 23
  for (let i = 0; i < array.length; i++) array.set(i, 0x61 + i); // fill with a..w
  print(array); // abcdefghijklmnopqrstuvw
  array.set(3, t); // array[4]=t: copy the table starting at position 4
  array.setSize(-3); // same as (array,-3,-1)
  print(array.length, array); // 3 RST
  array.setSize(); // restore normal size
  for (let i = 0; i < array.length; i++) array.set(i, "*"); // fill with '*'
  array.set(0, t); // array[1]=t
  print(array); // what array[1]=t really gives
  // The seed's last printed line, "***ABCDEFGHIJKLMNOPQ", is a 20-byte window with the
  // table copied at position 4 and the overflow dropped, i.e. ba.bytearray.copy:
  for (let i = 0; i < array.length; i++) array.set(i, "*");
  array.setSize(0, 20);
  const overflow = ByteArray.copy(array, 3, t);
  print(array, overflow);

  console.log(printed.join("\n"));
  deepStrictEqual(printed, [
    "23",
    "20",
    "23\t0\t20",
    "abcdefghijklmnopqrstuvw",
    "3\tRST",
    "ABCDEFGHIJKLMNOPQRST***",
    "***ABCDEFGHIJKLMNOPQ\t3",
  ]);
});

Deno.test("new ByteArray() creates from a size, a string or bytes", () => {
  const sized = new ByteArray(4);
  strictEqual(sized.length, 4);
  deepStrictEqual([...sized], [0, 0, 0, 0]);
  strictEqual(new ByteArray("héllo").length, 6);
  strictEqual(new ByteArray("héllo").toString(), "héllo");
  const source = new Uint8Array([1, 2, 3]);
  const copied = new ByteArray(source);
  source[0] = 9;
  strictEqual(copied.get(0), 1); // a copy, not a view
  strictEqual(new ByteArray(0).length, 0);
  throws(() => new ByteArray(-1), RangeError);
  throws(() => new ByteArray(1.5), RangeError);
});

Deno.test("ByteArray.view() returns the window without copying", () => {
  const array = new ByteArray("abcdef");
  array.setSize(1, 4);
  const view = array.view();
  strictEqual(view.length, 3);
  strictEqual(view.byteOffset, 1);
  strictEqual(new TextDecoder().decode(view), "bcd");
  view[0] = 0x42; // writes through
  strictEqual(array.toString(), "Bcd");
  array.set(2, 0x44); // and the other way
  strictEqual(view[2], 0x44);
  strictEqual(array.view().buffer, view.buffer);
});

Deno.test("ByteArray.setSize() moves the window with negative positions", () => {
  const array = new ByteArray("abcdefghij");
  deepStrictEqual(array.size(), [10, 0, 10]);
  strictEqual(array.setSize(2).toString(), "cdefghij");
  deepStrictEqual(array.size(), [10, 2, 10]);
  strictEqual(array.setSize(-3).toString(), "hij");
  strictEqual(array.setSize(1, -1).toString(), "bcdefghi");
  strictEqual(array.setSize(-4, -2).toString(), "gh");
  strictEqual(array.setSize(5, 5).length, 0);
  strictEqual(array.setSize().toString(), "abcdefghij");
  throws(() => array.setSize(11), RangeError);
  throws(() => array.setSize(-11), RangeError);
  throws(() => array.setSize(5, 4), RangeError);
  throws(() => array.setSize(0, 11), RangeError);
  throws(() => array.setSize(0.5), RangeError);
});

Deno.test("ByteArray.get() and set() index the window", () => {
  const array = new ByteArray("abcdef").setSize(2, 5);
  strictEqual(array.get(0), 0x63);
  strictEqual(array.get(2), 0x65);
  throws(() => array.get(3), RangeError);
  throws(() => array.get(-1), RangeError);
  array.set(0, 0x43);
  strictEqual(array.setSize().toString(), "abCdef");
  array.setSize(2, 5);
  throws(() => array.set(3, 1), RangeError);
  throws(() => array.set(0, 256), RangeError);
  throws(() => array.set(0, -1), RangeError);
  throws(() => array.set(0, 1.5), RangeError);
  array.set(1, "XY");
  strictEqual(array.toString(), "CXY");
  throws(() => array.set(1, "XYZ"), RangeError); // does not fit: nothing is written
  strictEqual(array.toString(), "CXY");
  array.set(0, new Uint8Array([0x31, 0x32]));
  array.set(2, new ByteArray("zz").setSize(1));
  array.set(0, []);
  strictEqual(array.toString(), "12z");
  throws(() => array.set(0, [300]), RangeError);
});

Deno.test("ByteArray.copy() copies what fits and returns the overflow", () => {
  const to = new ByteArray("......");
  strictEqual(ByteArray.copy(to, 0, "abc"), 0);
  strictEqual(to.toString(), "abc...");
  strictEqual(ByteArray.copy(to, 4, "hello"), 3);
  strictEqual(to.toString(), "abc.he");
  strictEqual(ByteArray.copy(to, 6, "x"), 1);
  strictEqual(ByteArray.copy(to, 0, "hello", -2), 0); // i = -2: "lo"
  strictEqual(to.toString(), "loc.he");
  strictEqual(ByteArray.copy(to, 2, "hello", 1, 3), 0); // [1, 3): "el"
  strictEqual(to.toString(), "loelhe");
  strictEqual(ByteArray.copy(to, 0, "hello", 1, -1), 0); // "ell"
  strictEqual(to.toString(), "elllhe");
  strictEqual(ByteArray.copy(to, 0, "hello", 3, 1), 0); // empty range
  strictEqual(ByteArray.copy(to, 0, [0x41, 0x42]), 0);
  strictEqual(ByteArray.copy(to, 0, new Uint8Array([0x43])), 0);
  strictEqual(to.toString(), "CBllhe");
  throws(() => ByteArray.copy(to, 7, "x"), RangeError);
  throws(() => ByteArray.copy(to, -1, "x"), RangeError);
  throws(() => ByteArray.copy(to, 0, "abc", 4), RangeError);
});

Deno.test("ByteArray.copy() respects both windows and overlapping memory", () => {
  const to = new ByteArray("0123456789").setSize(2, 6); // window "2345"
  const from = new ByteArray("abcdef").setSize(1, 4); // window "bcd"
  strictEqual(ByteArray.copy(to, 2, from), 1);
  strictEqual(to.setSize().toString(), "0123bc6789");
  const self = new ByteArray("abcdef");
  strictEqual(ByteArray.copy(self, 2, self), 2); // overlapping: source read before writing
  strictEqual(self.toString(), "ababcd");
});

Deno.test("ByteArray h2n/n2h/hf2n/fn2h use the network_order functions inside the window", () => {
  const array = new ByteArray(12).setSize(2);
  array.h2n(0, 4, 0xdeadbeef);
  array.h2n(4, 2, -2);
  strictEqual(array.n2h(0, 4), 0xdeadbeef);
  strictEqual(array.n2h(4, 2), 0xfffe);
  strictEqual(array.n2h(4, 2, { signed: true }), -2);
  strictEqual(array.view().subarray(0, 6).toHex(), h2n(4, 0xdeadbeef).toHex() + h2n(2, -2).toHex());
  strictEqual(array.n2h(0, 4), n2h(4, array.view()));
  array.h2n(2, 8, -1n);
  strictEqual(array.n2h(2, 8), 2n ** 64n - 1n);
  array.hf2n(0, 8, Math.E);
  strictEqual(array.fn2h(0, 8), Math.E);
  strictEqual(array.setSize().view().subarray(0, 2).toHex(), "0000"); // outside the window
  array.setSize(2);
  throws(() => array.h2n(8, 4, 1), RangeError); // past the window's end
  throws(() => array.n2h(7, 4), RangeError);
  throws(() => array.h2n(0, 9, 1), RangeError);
  throws(() => array.h2n(0, 1, 256), RangeError);
  throws(() => array.fn2h(0, 2 as 4), RangeError);
});

Deno.test("ByteArray.toString() decodes a window range as UTF-8", () => {
  const array = new ByteArray("hello world");
  strictEqual(array.toString(), "hello world");
  strictEqual(array.toString(6), "world");
  strictEqual(array.toString(-5, -2), "wor");
  strictEqual(array.toString(3, 2), "");
  strictEqual(`${array}`, "hello world");
  strictEqual(String(array.setSize(0, 5)), "hello");
  strictEqual(new ByteArray(new Uint8Array([0x61, 0xff])).toString(), "a\ufffd");
  throws(() => array.toString(6), RangeError); // the window is 5 bytes now
});

Deno.test("ByteArray sources use no Deno APIs and run under Node", async () => {
  for (const file of ["byte_array.ts", "network_order.ts"]) {
    const text = await Deno.readTextFile(new URL(`../../socket/${file}`, import.meta.url));
    strictEqual(/\bDeno\s*\./.test(text), false, file);
  }
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "byte_array_node_" });
  try {
    const bundle = `${dir}/byte_array.mjs`;
    await bundleForBrowser(new URL("../../socket/byte_array.ts", import.meta.url), bundle);
    const script = `
      import { ByteArray } from ${JSON.stringify(bundle)};
      const a = new ByteArray("......");
      const overflow = ByteArray.copy(a, 4, "hello");
      a.setSize(0, 4); a.h2n(0, 4, -2);
      console.log(JSON.stringify([overflow, a.n2h(0, 4), a.n2h(0, 4, { signed: true }), a.setSize().size(), a.toString(4)]));
    `;
    deepStrictEqual(await runUnderNode(script), [
      3,
      4294967294,
      -2,
      [6, 0, 6],
      "he",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ByteArray windows decode as UBJSON without copying", async () => {
  const { decode, encode } = await import("@cosocket/ubjson");
  const body = encode({ ok: true });
  const frame = new ByteArray(2 + body.length);
  frame.h2n(0, 2, body.length);
  ByteArray.copy(frame, 2, body);
  frame.setSize(2);
  deepStrictEqual(decode(frame), { ok: true });
  deepStrictEqual(decode(frame.view()), { ok: true });
});
