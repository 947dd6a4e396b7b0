/**
 * Header fields as parsed: a flat list of lower-cased names and values.
 * `Headers` is built only when someone asks for it, because building one
 * costs more than parsing the whole head, and a server mostly needs five
 * fields of its own (`Host`, `Connection`, `Content-Length`,
 * `Transfer-Encoding`, `Expect`).
 */
export class Fields {
  /** name, value, name, value, ... (names lower-cased). */
  readonly list: string[];
  #headers: Headers | null = null;

  constructor(list: string[]) {
    this.list = list;
  }

  /** The value of `name` (lower case), repeated fields joined with ", "; `null` when absent. */
  get(name: string): string | null {
    const list = this.list;
    let value: string | null = null;
    for (let index = 0; index < list.length; index += 2) {
      if (list[index] === name) {
        value = value === null ? list[index + 1]! : `${value}, ${list[index + 1]}`;
      }
    }
    return value;
  }

  /** The fields as `Headers`, built once. */
  headers(): Headers {
    if (this.#headers === null) {
      const headers = new Headers();
      this.appendTo(headers);
      this.#headers = headers;
    }
    return this.#headers;
  }

  /**
   * Appends every field to `target`: to a `Request`'s or `Response`'s own
   * headers, since a `headers` member in their init costs the platform
   * several times as much.
   */
  appendTo(target: Headers): void {
    const list = this.list;
    for (let index = 0; index < list.length; index += 2) {
      target.append(list[index]!, list[index + 1]!);
    }
  }
}

// The two parsed heads are separate classes, not subclasses of one: the
// `super` call of a derived constructor showed in the profile of every
// request a server reads.

/** A request head whose `headers` are built when first read. */
export class ParsedRequestHead {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly version: string,
    readonly fields: Fields,
  ) {}

  get headers(): Headers {
    return this.fields.headers();
  }
}

/**
 * A response head whose `headers` are built when first read: a client
 * reads its framing fields, and `fetch` puts the fields straight into the
 * `Response`'s own headers.
 */
export class ParsedResponseHead {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly version: string,
    readonly fields: Fields,
  ) {}

  get headers(): Headers {
    return this.fields.headers();
  }
}

/** The fields of a head parsed here, or `null` for any other head. */
function parsedFields(head: object): Fields | null {
  return head instanceof ParsedRequestHead || head instanceof ParsedResponseHead
    ? head.fields
    : null;
}

/** Appends the fields of any head to `target`, without building `Headers` when it was parsed here. */
export function appendFields(head: { headers: Headers }, target: Headers): void {
  const fields = parsedFields(head);
  if (fields !== null) fields.appendTo(target);
  else for (const [name, value] of head.headers) target.append(name, value);
}

/** A field of any head: without building `Headers` when the head was parsed here. */
export function field(head: { headers: Headers }, name: string): string | null {
  const fields = parsedFields(head);
  return fields !== null ? fields.get(name) : head.headers.get(name);
}

/** `line` from `start` on, without leading and trailing spaces and tabs (OWS). */
export function trimOws(line: string, start = 0): string {
  let end = line.length;
  let code;
  while (start < end && ((code = line.charCodeAt(start)) === 0x20 || code === 0x09)) start++;
  while (end > start && ((code = line.charCodeAt(end - 1)) === 0x20 || code === 0x09)) end--;
  return line.slice(start, end);
}

/**
 * A caller's header fields as `[name, value]` pairs, names in lower case
 * and values trimmed as `Headers` would; no `Headers` is built (one costs
 * more than writing the head). Names and values are checked where the head
 * is written.
 *
 * @throws {TypeError} For an entry that is not a pair.
 */
export function fieldPairs(init: HeadersInit | undefined): [string, string][] {
  if (init === undefined) return [];
  if (init instanceof Headers) return [...init];
  const pairs: [string, string][] = [];
  const entries = Symbol.iterator in init
    ? init as Iterable<string[]>
    : Object.entries(init as Record<string, string>);
  for (const entry of entries) {
    if (entry.length !== 2) {
      throw new TypeError(`Cannot use header fields: an entry has ${entry.length} items, not 2`);
    }
    pairs.push([String(entry[0]).toLowerCase(), trimOws(String(entry[1]))]);
  }
  return pairs;
}

/** Whether `pairs` (lower-case names) has a field `name` (lower case). */
export function hasField(pairs: [string, string][], name: string): boolean {
  for (const pair of pairs) {
    if (pair[0] === name) return true;
  }
  return false;
}
