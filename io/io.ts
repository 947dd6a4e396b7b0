/** What `stat` tells about a file or directory. */
export interface IoStat {
  /** The size in bytes (0 for a directory). */
  size: number;
  /** The last modification time. */
  mtime: Date;
  /** `true` for a directory. */
  isDir: boolean;
}

/** One entry of a directory listing. */
export interface IoEntry {
  /** The entry's name inside the directory. */
  name: string;
  /** Its size, time and kind. */
  stat: IoStat;
}

/** An open file of an {@linkcode Io} (the seed's `read/write/seek/flush/close` table). */
export interface IoFile extends AsyncDisposable {
  /**
   * Reads the next bytes, at most `max`.
   *
   * @returns The bytes, or `null` at the end of the file.
   */
  read(max?: number): Promise<Uint8Array | null>;
  /** Writes bytes (a string as UTF-8), all of them. */
  write(data: Uint8Array | string): Promise<void>;
  /** Moves to `offset` bytes from the start. */
  seek(offset: number): Promise<void>;
  /** Makes what was written durable (fsync for a disk). */
  flush(): Promise<void>;
  /** Closes the file; closing twice is allowed. */
  close(): Promise<void>;
}

/**
 * A file system as the seed's I/O interface sees it (`ba.openio`, LuaIo):
 * names are `/`-separated and relative to the I/O's root. Every method
 * that fails throws an `IoError` with one of the seed's codes. From a
 * cosocket, delegate with `yield* until(io.stat(name))`.
 */
export interface Io {
  /** Opens a file for reading (`"r"`, the default) or writing (`"w"`: created or truncated). */
  open(name: string, mode?: "r" | "w"): Promise<IoFile>;
  /** Lists a directory (the seed's `files` iterator). */
  files(name: string): AsyncIterable<IoEntry>;
  /** Information about a name, or `null` when it does not exist. */
  stat(name: string): Promise<IoStat | null>;
  /** Creates a directory (its parent must exist). */
  mkdir(name: string): Promise<void>;
  /** Removes an empty directory. */
  rmdir(name: string): Promise<void>;
  /** Removes a file. */
  remove(name: string): Promise<void>;
  /**
   * Renames a file, replacing the target atomically where the medium can
   * (what `rwfile` needs for crash-safe writes); absent when it cannot.
   */
  rename?(from: string, to: string): Promise<void>;
}
