import { IoError } from "./io_error.ts";

/**
 * Splits a name into its segments, resolving "." and "..": a name that
 * would climb above the root is refused, as are NUL characters.
 */
export function segments(name: string): string[] {
  if (typeof name !== "string" || name.includes("\0")) {
    throw new IoError(
      "invalidname",
      `Invalid name ${JSON.stringify(name)}`,
      String(name),
    );
  }
  const out: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) {
        throw new IoError(
          "noaccess",
          `Cannot reach ${JSON.stringify(name)}: it leaves the root`,
          name,
        );
      }
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out;
}

/** Maps a platform error to an `IoError` with the seed's code. */
export function toIoError(
  error: unknown,
  action: string,
  name: string,
): IoError {
  if (error instanceof IoError) return error;
  const code = (error as { code?: string }).code;
  const kind = code === "ENOENT"
    ? "notfound"
    : code === "EEXIST"
    ? "exist"
    : code === "EACCES" || code === "EPERM"
    ? "noaccess"
    : code === "ENOTEMPTY"
    ? "notempty"
    : code === "EISDIR"
    ? "isdir"
    : code === "ENOTDIR"
    ? "notdir"
    : code === "ENOSPC"
    ? "nospace"
    : "ioerror";
  return new IoError(
    kind,
    `Cannot ${action} ${JSON.stringify(name)}: ${(error as Error).message ?? String(error)}`,
    name,
    { cause: error },
  );
}

/** The error of an operation on a closed file. */
export function closedError(action: string, name: string): IoError {
  return new IoError(
    "closed",
    `Cannot ${action} ${JSON.stringify(name)}: the file is closed`,
    name,
  );
}
