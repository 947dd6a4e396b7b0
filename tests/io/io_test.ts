// The Io implementations behave alike (disk, memory, a user-written one), the disk I/O stays
// in its root (.. and symbolic links out of it refused), and errors carry the seed's codes.
import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import {
  createIo,
  diskIo,
  type Io,
  IoError,
  ioReadable,
  type IoStat,
  memoryIo,
  rwfile,
} from "@cosocket/io";

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await rejects(promise, (error: unknown) => {
    ok(error instanceof IoError, String(error));
    equal(error.code, code, error.message);
    return true;
  });
}

/** A user-written I/O over a Map, as the seed's LuaIo example would build one. */
function mapIo(): Io {
  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>([""]);
  const clean = (name: string) => name.replace(/^\/+|\/+$/g, "");
  return createIo({
    open(name, mode) {
      const key = clean(name);
      if (mode === "r" && !files.has(key)) return null;
      let data = mode === "r" ? files.get(key)! : new Uint8Array(0);
      let at = 0;
      return {
        read: (max) => at >= data.length ? null : data.slice(at, at += max),
        write: (bytes) => {
          const grown = new Uint8Array(data.length + bytes.length);
          grown.set(data);
          grown.set(bytes, data.length);
          data = grown;
        },
        close: () => void (mode === "w" && files.set(key, data)),
      };
    },
    stat: (name): IoStat | null => {
      const key = clean(name);
      if (dirs.has(key)) return { size: 0, mtime: new Date(0), isDir: true };
      const data = files.get(key);
      return data === undefined ? null : { size: data.length, mtime: new Date(0), isDir: false };
    },
    files: (name) => {
      const key = clean(name);
      if (!dirs.has(key)) return null;
      return [...files].filter(([path]) => key === "" || path.startsWith(`${key}/`))
        .map(([path, data]) => ({
          name: path,
          stat: { size: data.length, mtime: new Date(0), isDir: false },
        }));
    },
    mkdir: (name) => void dirs.add(clean(name)),
    remove: (name) => files.delete(clean(name)),
  });
}

for (
  const [kind, make] of [["disk", null], ["memory", memoryIo], ["user-written", mapIo]] as const
) {
  Deno.test(`io (${kind}): open, write, read, seek, stat, list and remove`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const io = make === null ? diskIo(dir) : make();
      if (kind !== "user-written") await io.mkdir("sub");
      const file = await io.open("sub/a.txt", "w");
      await file.write("hello ");
      await file.write(new TextEncoder().encode("world"));
      await file.flush();
      await file.close();
      await file.close(); // twice is fine
      await expectCode(file.write("x"), "closed");
      const stat = await io.stat("sub/a.txt");
      deepStrictEqual([stat?.size, stat?.isDir], [11, false]);
      equal(await io.stat("missing"), null);
      const reader = await io.open("sub/a.txt");
      if (kind !== "user-written") await reader.seek(6);
      equal(
        new TextDecoder().decode((await reader.read())!),
        kind === "user-written" ? "hello world" : "world",
      );
      equal(await reader.read(), null);
      await reader.close();
      const names = [];
      for await (const entry of io.files(kind === "user-written" ? "/" : "sub")) {
        names.push(
          entry.name,
        );
      }
      ok(names.some((name) => name.endsWith("a.txt")), names.join());
      await expectCode(io.open("nope.txt"), "notfound");
      await io.remove("sub/a.txt");
      equal(await io.stat("sub/a.txt"), null);
      if (kind !== "user-written") {
        await io.rmdir("sub");
        await expectCode(io.rmdir("sub"), "notfound");
        await expectCode(io.open("../escape.txt", "w"), "noaccess");
      } else {
        await expectCode(io.rmdir("sub"), "notimplemented");
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** `ln -s`: Deno.symlink needs unscoped read and write permissions, which the suite does not grant. */
async function symlink(target: string, path: string): Promise<void> {
  const out = await new Deno.Command("ln", { args: ["-s", target, path] }).output();
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

Deno.test("io (disk): symbolic links out of the root and dangling links are refused", async () => {
  const root = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${outside}/secret.txt`, "secret");
    await symlink(outside, `${root}/out`);
    await symlink(`${outside}/new.txt`, `${root}/dangling`);
    await Deno.mkdir(`${root}/in`);
    await symlink(`${root}/in`, `${root}/inside`);
    const io = diskIo(root);
    await expectCode(io.open("out/secret.txt"), "noaccess");
    await expectCode(io.open("out/new.txt", "w"), "noaccess");
    await expectCode(io.open("dangling", "w"), "noaccess");
    await expectCode(io.stat("out/secret.txt"), "noaccess");
    await expectCode(Array.fromAsync(io.files("out")), "noaccess");
    await expectCode(io.open("a/../../x"), "noaccess");
    await expectCode(io.open("bad\0name"), "invalidname");
    // A link that stays inside is followed.
    await rwfile.file(io, "inside/ok.txt", "fine");
    equal(await Deno.readTextFile(`${root}/in/ok.txt`), "fine");
    ok(!(await Array.fromAsync(Deno.readDir(outside))).some((entry) => entry.name === "new.txt"));
    await expectCode(Promise.resolve().then(() => diskIo(`${root}/missing`)), "notfound");
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("rwfile: json and file read and write through any Io; bad JSON is an IoError", async () => {
  for (const io of [memoryIo(), mapIo()]) {
    await rwfile.json(io, "conf.json", { color: "blue", list: [1, 2] });
    deepStrictEqual(await rwfile.json(io, "conf.json"), { color: "blue", list: [1, 2] });
    await rwfile.file(io, "raw.bin", new Uint8Array([1, 2, 3]));
    deepStrictEqual([...await rwfile.file(io, "raw.bin")], [1, 2, 3]);
    await rwfile.file(io, "broken.json", "{not json");
    await expectCode(rwfile.json(io, "broken.json"), "ioerror");
    await expectCode(rwfile.json(io, "absent.json"), "notfound");
    await rejects(rwfile.json(io, "fn.json", () => 1), TypeError);
  }
  // Atomic writes leave no temporary file behind.
  const io = memoryIo();
  await rwfile.json(io, "a.json", 1);
  deepStrictEqual((await Array.fromAsync(io.files("/"))).map((entry) => entry.name), ["a.json"]);
});

Deno.test("ioReadable streams a file piece by piece and closes it; a failed open surfaces on the first read; cancel closes", async () => {
  const io = memoryIo();
  const data = new Uint8Array(200_000).map((_, i) => i % 251);
  const out = await io.open("big.bin", "w");
  await out.write(data);
  await out.close();
  const pieces: number[] = [];
  for await (const piece of ioReadable(io.open("big.bin"), { pieceSize: 65536 })) {
    pieces.push(piece.length);
  }
  deepStrictEqual(pieces, [65536, 65536, 65536, 3392]);
  const missing = ioReadable(io.open("missing.bin"));
  await rejects(new Response(missing).arrayBuffer(), IoError);
  let closed = 0;
  const file = await io.open("big.bin");
  const counting = { ...file, read: file.read.bind(file), close: () => (closed++, file.close()) };
  await ioReadable(counting as typeof file).cancel();
  equal(closed, 1);
});
