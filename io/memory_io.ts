// The Io interface is asynchronous; memory answers at once.
// deno-lint-ignore-file require-await
import type { Io, IoEntry, IoFile, IoStat } from "./io.ts";
import { IoError } from "./io_error.ts";
import { closedError, segments } from "./_names.ts";

interface Node {
  dir: boolean;
  data: Uint8Array;
  mtime: Date;
}

/**
 * A file system in memory as an {@linkcode Io}: for tests, caches and
 * generated content. A file written is visible to readers when it is
 * closed (or flushed); `rename` replaces its target atomically.
 *
 * @returns An empty I/O (its root directory exists).
 *
 * @example
 * ```ts
 * import { memoryIo } from "@cosocket/io";
 *
 * const io = memoryIo();
 * await io.mkdir("conf");
 * const file = await io.open("conf/app.json", "w");
 * await file.write('{"port":8080}');
 * await file.close();
 * console.log((await io.stat("conf/app.json"))?.size); // 13
 * ```
 */
export function memoryIo(): Io {
  const nodes = new Map<string, Node>([["", {
    dir: true,
    data: new Uint8Array(0),
    mtime: new Date(),
  }]]);
  const key = (name: string) => segments(name).join("/");
  const parentOf = (path: string) => path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const needParent = (path: string, name: string) => {
    const parent = nodes.get(parentOf(path));
    if (parent === undefined) {
      throw new IoError(
        "notfound",
        `Cannot create ${JSON.stringify(name)}: no parent directory`,
        name,
      );
    }
    if (!parent.dir) {
      throw new IoError(
        "notdir",
        `Cannot create ${JSON.stringify(name)}: the parent is a file`,
        name,
      );
    }
  };
  const fail = (code: IoError["code"], message: string, name: string) => {
    throw new IoError(code, message, name);
  };
  return {
    async open(name, mode = "r") {
      const path = key(name);
      const node = nodes.get(path);
      if (node?.dir) fail("isdir", `Cannot open ${JSON.stringify(name)}: it is a directory`, name);
      if (mode === "r") {
        if (node === undefined) {
          fail("notfound", `Cannot open ${JSON.stringify(name)}: not found`, name);
        }
        return memoryFile(node!.data, name, null);
      }
      needParent(path, name);
      return memoryFile(new Uint8Array(0), name, (data) => {
        nodes.set(path, { dir: false, data, mtime: new Date() });
      });
    },
    async *files(name) {
      const path = key(name);
      const node = nodes.get(path);
      if (node === undefined) {
        fail("notfound", `Cannot list ${JSON.stringify(name)}: not found`, name);
      }
      if (!node!.dir) fail("notdir", `Cannot list ${JSON.stringify(name)}: not a directory`, name);
      const prefix = path === "" ? "" : `${path}/`;
      const entries: IoEntry[] = [];
      for (const [other, child] of nodes) {
        if (
          other === path || !other.startsWith(prefix) || other.slice(prefix.length).includes("/")
        ) {
          continue;
        }
        entries.push({ name: other.slice(prefix.length), stat: statOf(child) });
      }
      yield* entries.sort((a, b) => a.name < b.name ? -1 : 1);
    },
    async stat(name) {
      const node = nodes.get(key(name));
      return node === undefined ? null : statOf(node);
    },
    async mkdir(name) {
      const path = key(name);
      if (nodes.has(path)) {
        fail("exist", `Cannot create directory ${JSON.stringify(name)}: it exists`, name);
      }
      needParent(path, name);
      nodes.set(path, { dir: true, data: new Uint8Array(0), mtime: new Date() });
    },
    async rmdir(name) {
      const path = key(name);
      const node = nodes.get(path);
      if (node === undefined) {
        fail("notfound", `Cannot remove directory ${JSON.stringify(name)}: not found`, name);
      }
      if (!node!.dir || path === "") {
        fail("notdir", `Cannot remove directory ${JSON.stringify(name)}`, name);
      }
      for (const other of nodes.keys()) {
        if (other.startsWith(`${path}/`)) {
          fail("notempty", `Cannot remove directory ${JSON.stringify(name)}: not empty`, name);
        }
      }
      nodes.delete(path);
    },
    async remove(name) {
      const path = key(name);
      const node = nodes.get(path);
      if (node === undefined) {
        fail("notfound", `Cannot remove ${JSON.stringify(name)}: not found`, name);
      }
      if (node!.dir) {
        fail("isdir", `Cannot remove ${JSON.stringify(name)}: it is a directory`, name);
      }
      nodes.delete(path);
    },
    async rename(from, to) {
      const source = key(from);
      const target = key(to);
      const node = nodes.get(source);
      if (node === undefined || node.dir) {
        fail("notfound", `Cannot rename ${JSON.stringify(from)}: no such file`, from);
      }
      if (nodes.get(target)?.dir) {
        fail("isdir", `Cannot rename onto ${JSON.stringify(to)}: it is a directory`, to);
      }
      needParent(target, to);
      nodes.delete(source);
      nodes.set(target, node!);
    },
  };
}

function statOf(node: Node): IoStat {
  return {
    size: node.dir ? 0 : node.data.length,
    mtime: node.mtime,
    isDir: node.dir,
  };
}

/** A file over a byte array; `commit` publishes what was written (write mode). */
function memoryFile(
  initial: Uint8Array,
  name: string,
  commit: ((data: Uint8Array) => void) | null,
): IoFile {
  let data = initial;
  let length = initial.length;
  let position = 0;
  let closed = false;
  const check = (action: string) => {
    if (closed) throw closedError(action, name);
  };
  return {
    async read(max = 65536) {
      check("read");
      if (position >= length) return null;
      const piece = data.slice(position, Math.min(length, position + max));
      position += piece.length;
      return piece;
    },
    async write(chunk) {
      check("write");
      if (commit === null) {
        return Promise.reject(
          new IoError(
            "noaccess",
            `Cannot write ${JSON.stringify(name)}: opened for reading`,
            name,
          ),
        );
      }
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
      const end = position + bytes.length;
      if (end > data.length) {
        const grown = new Uint8Array(Math.max(end, data.length * 2));
        grown.set(data.subarray(0, length));
        data = grown;
      }
      data.set(bytes, position);
      position = end;
      length = Math.max(length, end);
    },
    async seek(offset) {
      check("seek");
      if (!Number.isSafeInteger(offset) || offset < 0) {
        return Promise.reject(new RangeError(`Cannot seek to ${offset}`));
      }
      position = offset;
    },
    async flush() {
      check("flush");
      commit?.(data.slice(0, length));
    },
    async close() {
      if (!closed) {
        closed = true;
        commit?.(data.slice(0, length));
      }
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}
