/**
 * Reads `tools/peers.txt`, the one list of programs, Python modules and npm
 * packages that the tests and benchmarks of this repository talk to.
 *
 * @module
 */

/** Where a peer comes from. */
export type PeerKind = "debian" | "npm" | "system";

/** One line of `tools/peers.txt`. */
export interface Peer {
  /** Where the peer comes from. */
  kind: PeerKind;
  /** Debian package name, npm package with its pinned version, or program name. */
  name: string;
  /** Commands, absolute paths or `py:<module>` entries that show it is installed. */
  provides: string[];
  /** The folders whose tests or benchmarks need it. */
  usedBy: string[];
  /** Why the peer is needed. */
  why: string;
}

const KINDS: readonly string[] = ["debian", "npm", "system"];

/** The list's location, next to this file. */
export const PEER_LIST_URL: URL = new URL("./peers.txt", import.meta.url);

/**
 * Parses the text of a peer list.
 *
 * @param text The list's text.
 * @returns The peers, in the list's order.
 * @throws {SyntaxError} When a line has fewer than four columns or an unknown kind.
 */
export function parsePeerList(text: string): Peer[] {
  const peers: Peer[] = [];
  text.split("\n").forEach((raw, index) => {
    const hash = raw.indexOf("#");
    const line = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (line === "") return;
    const [kind, name, provides, usedBy, ...rest] = line.split(/\s+/);
    if (
      kind === undefined || name === undefined || provides === undefined || usedBy === undefined
    ) {
      throw new SyntaxError(`Cannot parse peer list: line ${index + 1} has fewer than 4 columns`);
    }
    if (rest.length > 0 || !KINDS.includes(kind)) {
      throw new SyntaxError(`Cannot parse peer list: line ${index + 1} is malformed: ${line}`);
    }
    peers.push({
      kind: kind as PeerKind,
      name,
      provides: provides === "-" ? [] : provides.split(","),
      usedBy: usedBy.split(","),
      why: hash === -1 ? "" : raw.slice(hash + 1).trim(),
    });
  });
  return peers;
}

/**
 * Reads and parses `tools/peers.txt`.
 *
 * @returns The peers, in the list's order.
 */
export async function readPeerList(): Promise<Peer[]> {
  return parsePeerList(await Deno.readTextFile(PEER_LIST_URL));
}
