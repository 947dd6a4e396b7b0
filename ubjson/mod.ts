// Copyright 2026 the cosocket authors. MIT license.
/**
 * Universal Binary JSON (UBJSON, Draft 12) encoder and decoder: the TypeScript form of
 * the seed's `ba.ubjson.encode` / `ba.ubjson.decode`. Pure TypeScript with no Deno APIs,
 * so it also runs in Node and in browsers.
 *
 * ```ts
 * import { decode, encode } from "@cosocket/ubjson";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const doc = { user: "ada", scores: new Float64Array([1.5, 2.5]), big: 2n ** 62n };
 * const bytes = encode(doc);
 * deepStrictEqual(decode(bytes, { typedArrays: true }), doc);
 * ```
 *
 * @module
 */
export * from "./encode.ts";
export * from "./decode.ts";
