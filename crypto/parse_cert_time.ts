/**
 * Certificate time strings (the seed's `ba.parsecerttime`).
 *
 * @module
 */

const TIME = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Parses an X.509 time, UTCTime `YYMMDDHHMMSSZ` or GeneralizedTime `YYYYMMDDHHMMSSZ`, to
 * seconds since 1970-01-01 00:00:00 UTC. Two-digit years follow RFC 5280: 50..99 are
 * 1950..1999, 00..49 are 2000..2049.
 *
 * Unlike the seed, which returns zero for text it cannot parse, this throws.
 *
 * @param time The time string.
 * @returns Seconds since the Unix epoch.
 * @throws {SyntaxError} If the string is not in either format or names an invalid date.
 *
 * @example Both time formats
 * ```ts
 * import { parseCertTime } from "@cosocket/crypto";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseCertTime("700101000000Z"), 0);
 * assert.equal(parseCertTime("20380119031408Z"), 2 ** 31);
 * ```
 */
export function parseCertTime(time: string): number {
  const m = typeof time === "string" ? TIME.exec(time) : null;
  if (!m) throw new SyntaxError(`Cannot parse certificate time: "${String(time)}"`);
  let year = Number(m[1]);
  if (m[1]!.length === 2) year += year >= 50 ? 1900 : 2000;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  if (
    month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 ||
    d.getUTCDate() !== day || d.getUTCMonth() !== month - 1
  ) {
    throw new SyntaxError(`Cannot parse certificate time: invalid date "${time}"`);
  }
  return ms / 1000;
}
