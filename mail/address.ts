/** A mailbox: an address with an optional display name. */
export interface Mailbox {
  /** The display name ("" when none). */
  name: string;
  /** The address, `local@domain`. */
  address: string;
}

const ADDRESS = /^[^\s@<>()",;:\\\[\]]+@[^\s@<>()",;:\\\[\]]+$/;

/**
 * Parses one address in any of the seed's forms: `a@b`, `<a@b>`,
 * `Name <a@b>`, `"Name, Jr." <a@b>`.
 *
 * @param text The address.
 * @returns The mailbox.
 * @throws {TypeError} For CR, LF or NUL (header injection) or a malformed address.
 *
 * @example
 * ```ts
 * import { parseAddress } from "@cosocket/mail";
 *
 * console.log(parseAddress("Alice Doe <alice@example.com>")); // { name: "Alice Doe", address: "alice@example.com" }
 * ```
 */
export function parseAddress(text: string): Mailbox {
  if (/[\r\n\0]/.test(text)) {
    throw new TypeError(
      `Cannot use address ${JSON.stringify(text)}: CR, LF or NUL in it`,
    );
  }
  const trimmed = text.trim();
  const open = trimmed.lastIndexOf("<");
  let name = "";
  let address = trimmed;
  if (open >= 0) {
    if (!trimmed.endsWith(">")) {
      throw new TypeError(
        `Cannot parse address ${JSON.stringify(text)}: no closing ">"`,
      );
    }
    address = trimmed.slice(open + 1, -1).trim();
    name = trimmed.slice(0, open).trim();
    if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) {
      name = name.slice(1, -1).replace(/\\(.)/g, "$1");
    }
  }
  if (!ADDRESS.test(address)) {
    throw new TypeError(`Cannot parse address ${JSON.stringify(text)}`);
  }
  return { name, address };
}

/**
 * Parses a list of addresses: an array, or one string with commas between
 * (commas inside quotes or angle brackets do not split).
 *
 * @param list The addresses.
 * @returns The mailboxes.
 * @throws {TypeError} As {@linkcode parseAddress}.
 *
 * @example
 * ```ts
 * import { parseAddressList } from "@cosocket/mail";
 *
 * console.log(parseAddressList('"Doe, Jane" <jane@x.org>, bob@y.org').map((m) => m.address)); // ["jane@x.org", "bob@y.org"]
 * ```
 */
export function parseAddressList(list: string | readonly string[]): Mailbox[] {
  const items = typeof list === "string" ? splitList(list) : list;
  return items.filter((item) => item.trim() !== "").map(parseAddress);
}

function splitList(text: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let angle = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === "<" && !quoted) angle = true;
    else if (c === ">" && !quoted) angle = false;
    else if (c === "," && !quoted && !angle) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}
