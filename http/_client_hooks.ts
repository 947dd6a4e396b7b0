/**
 * The hooks through which `http2sock` takes a client's connection, and
 * `fetch` and the redirecting client read the response's fields as parsed
 * and take a body that has arrived whole: the client class installs them
 * (it alone can reach its private state), and they stay out of the public
 * API.
 */
import type { Socket } from "@cosocket/socket";
import type { Fields } from "./_fields.ts";

type Taker = (client: object) => Socket;

let taker: Taker | null = null;

/** Installs the hook (called once by the client class). */
export function installTakeSocket(fn: Taker): void {
  taker = fn;
}

/** Takes the connection of `client`. */
export function takeSocket(client: object): Socket {
  return taker!(client);
}

type BodyTaker = (client: object) => Uint8Array | null;

let bodyTaker: BodyTaker | null = null;

/** Installs the body hook (called once by the client class). */
export function installTakeWholeBody(fn: BodyTaker): void {
  bodyTaker = fn;
}

/**
 * The whole response body of `client` when all of it has arrived, read
 * without waiting (the exchange is then finished); otherwise `null`.
 */
export function takeWholeBody(client: object): Uint8Array | null {
  return bodyTaker!(client);
}

type FieldsReader = (client: object) => Fields | null;

let fieldsReader: FieldsReader | null = null;

/** Installs the fields hook (called once by the client class). */
export function installResponseFields(fn: FieldsReader): void {
  fieldsReader = fn;
}

/**
 * The header fields of `client`'s response as parsed (names in lower case,
 * no `Headers` built); `null` before the head is read or when it did not
 * come from this package's parser.
 */
export function responseFields(client: object): Fields | null {
  return fieldsReader!(client);
}
