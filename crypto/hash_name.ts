/**
 * Hash names, in the two spellings this package takes: WebCrypto's
 * (`"SHA-256"`) and the seed's (`"sha256"`). Every option that names a hash
 * uses these.
 *
 * @module
 */

/** A hash function name as WebCrypto spells it. */
export type HashName = "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512";

/** The same hash functions in the seed's spelling. */
export type SeedHashName = "sha1" | "sha256" | "sha384" | "sha512";

/** A hash name in the seed's spelling (`"sha256"`) or WebCrypto's (`"SHA-256"`). */
export type AnyHashName = HashName | SeedHashName;
