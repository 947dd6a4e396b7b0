import type { Io, IoEntry, IoFile, IoStat } from "./io.ts";
import { IoError } from "./io_error.ts";
import { closedError, segments, toIoError } from "./_names.ts";

/**
 * The disk below `root` as an {@linkcode Io} (the seed's `ba.openio("disk")`
 * with a root). Jailed: a name with `..` above the root, or a symbolic
 * link whose target lies outside it, is refused with `noaccess`. `flush`
 * is an fsync; `rename` replaces its target atomically and syncs the
 * directory, which `rwfile` uses for crash-safe writes.
 *
 * @param root An existing directory.
 * @returns The I/O.
 * @throws {IoError} `notfound` when `root` does not exist, `notdir` when it
 * is not a directory.
 *
 * @example Write, list and read back
 * ```ts
 * import { diskIo } from "@cosocket/io";
 *
 * const dir = await Deno.makeTempDir();
 * const io = diskIo(dir);
 * await using file = await io.open("hello.txt", "w");
 * await file.write("hello");
 * await file.close();
 * for await (const entry of io.files("/")) console.log(entry.name, entry.stat.size); // hello.txt 5
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function diskIo(root: string): Io {
  let base: string;
  try {
    base = Deno.realPathSync(root);
  } catch (error) {
    throw toIoError(error, "open the root", root);
  }
  if (!Deno.statSync(base).isDirectory) {
    throw new IoError(
      "notdir",
      `Cannot use ${JSON.stringify(root)} as a root: not a directory`,
      root,
    );
  }
  /** The path of `name`, checked to stay inside the root through any link. */
  const resolve = async (name: string, mayBeNew: boolean): Promise<string> => {
    const parts = segments(name);
    const path = [base, ...parts].join("/");
    let real: string;
    try {
      real = await Deno.realPath(path);
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") {
        throw toIoError(error, "resolve", name);
      }
      // Missing, or a link to nowhere, which a write would follow out of the root.
      const link = await Deno.lstat(path).then(
        (info) => info.isSymlink,
        () => false,
      );
      if (link) {
        throw new IoError(
          "noaccess",
          `Cannot reach ${JSON.stringify(name)}: a dangling link`,
          name,
        );
      }
      if (!mayBeNew || parts.length === 0) return path;
      const parent = [base, ...parts.slice(0, -1)].join("/");
      try {
        real = `${await Deno.realPath(parent)}/${parts.at(-1)}`;
      } catch (failure) {
        throw toIoError(failure, "resolve", name);
      }
    }
    if (real !== base && !real.startsWith(`${base}/`)) {
      throw new IoError(
        "noaccess",
        `Cannot reach ${JSON.stringify(name)}: it leads out of the root`,
        name,
      );
    }
    return real;
  };
  return {
    async open(name, mode = "r") {
      const path = await resolve(name, mode === "w");
      try {
        const file = await Deno.open(
          path,
          mode === "w" ? { write: true, create: true, truncate: true } : { read: true },
        );
        return diskFile(file, name);
      } catch (error) {
        throw toIoError(error, "open", name);
      }
    },
    async *files(name) {
      const path = await resolve(name, false);
      let entries: Deno.DirEntry[];
      try {
        entries = await Array.fromAsync(Deno.readDir(path));
      } catch (error) {
        throw toIoError(error, "list", name);
      }
      for (const entry of entries.sort((a, b) => a.name < b.name ? -1 : 1)) {
        try {
          const info = await Deno.lstat(`${path}/${entry.name}`);
          yield { name: entry.name, stat: toStat(info) } satisfies IoEntry;
        } catch {
          // Removed while listing.
        }
      }
    },
    async stat(name) {
      let path: string;
      try {
        path = await resolve(name, false);
        return toStat(await Deno.stat(path));
      } catch (error) {
        const failure = toIoError(error, "stat", name);
        if (failure.code === "notfound") return null;
        throw failure;
      }
    },
    async mkdir(name) {
      const path = await resolve(name, true);
      await Deno.mkdir(path).catch((error) => {
        throw toIoError(error, "create directory", name);
      });
    },
    async rmdir(name) {
      const path = await resolve(name, false);
      const info = await Deno.lstat(path).catch((error) => {
        throw toIoError(error, "remove directory", name);
      });
      if (!info.isDirectory) {
        throw new IoError(
          "notdir",
          `Cannot remove directory ${JSON.stringify(name)}: not a directory`,
          name,
        );
      }
      await Deno.remove(path).catch((error) => {
        throw toIoError(error, "remove directory", name);
      });
    },
    async remove(name) {
      const path = await resolve(name, false);
      const info = await Deno.lstat(path).catch((error) => {
        throw toIoError(error, "remove", name);
      });
      if (info.isDirectory) {
        throw new IoError(
          "isdir",
          `Cannot remove ${JSON.stringify(name)}: it is a directory`,
          name,
        );
      }
      await Deno.remove(path).catch((error) => {
        throw toIoError(error, "remove", name);
      });
    },
    async rename(from, to) {
      const source = await resolve(from, false);
      const target = await resolve(to, true);
      try {
        await Deno.rename(source, target);
        // The rename itself must survive a crash: sync the directory entry.
        const dir = await Deno.open(
          target.slice(0, target.lastIndexOf("/")) || "/",
          { read: true },
        );
        try {
          await dir.sync();
        } finally {
          dir.close();
        }
      } catch (error) {
        throw toIoError(error, "rename", from);
      }
    },
  };
}

function toStat(info: Deno.FileInfo): IoStat {
  return {
    size: info.isDirectory ? 0 : info.size,
    mtime: info.mtime ?? new Date(0),
    isDir: info.isDirectory,
  };
}

function diskFile(file: Deno.FsFile, name: string): IoFile {
  let closed = false;
  const check = (action: string) => {
    if (closed) throw closedError(action, name);
  };
  return {
    async read(max = 65536) {
      check("read");
      const buffer = new Uint8Array(max);
      try {
        const count = await file.read(buffer);
        return count === null ? null : buffer.subarray(0, count);
      } catch (error) {
        throw toIoError(error, "read", name);
      }
    },
    async write(data) {
      check("write");
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      try {
        let at = 0;
        while (at < bytes.length) at += await file.write(bytes.subarray(at));
      } catch (error) {
        throw toIoError(error, "write", name);
      }
    },
    async seek(offset) {
      check("seek");
      try {
        await file.seek(offset, Deno.SeekMode.Start);
      } catch (error) {
        throw toIoError(error, "seek", name);
      }
    },
    async flush() {
      check("flush");
      try {
        await file.sync();
      } catch (error) {
        throw toIoError(error, "flush", name);
      }
    },
    close() {
      if (!closed) {
        closed = true;
        file.close();
      }
      return Promise.resolve();
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}
