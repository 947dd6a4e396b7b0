// The one place that loads @peculiar/x509. It needs the `Reflect.metadata` polyfill
// (tsyringe) to be installed before it is evaluated, so reflect-metadata is imported first.
import "npm:reflect-metadata@0.2.2";
import * as x509 from "npm:@peculiar/x509@1.14.3";

x509.cryptoProvider.set(globalThis.crypto);

export { x509 };

/** Short attribute names (as @peculiar/x509 prints them) to our DN field names. */
export const DN_FIELDS: Record<string, string> = {
  CN: "commonName",
  C: "countryName",
  ST: "stateOrProvinceName",
  L: "localityName",
  O: "organizationName",
  OU: "organizationalUnitName",
  E: "emailAddress",
  "1.2.840.113549.1.9.1": "emailAddress",
  SERIALNUMBER: "serialNumber",
  "2.5.4.5": "serialNumber",
  DC: "domainComponent",
};

/** DN field names to attribute types, in the conventional order C, ST, L, O, OU, CN, E. */
export const DN_ORDER: [string, string][] = [
  ["countryName", "C"],
  ["stateOrProvinceName", "ST"],
  ["localityName", "L"],
  ["organizationName", "O"],
  ["organizationalUnitName", "OU"],
  ["commonName", "CN"],
  ["emailAddress", "E"],
];

/** Netscape-style certificate types (the seed's `certtype`) and their X.509 meaning. */
export const CERT_TYPE_EKU: Record<string, string> = {
  SSL_CLIENT: "1.3.6.1.5.5.7.3.2",
  SSL_SERVER: "1.3.6.1.5.5.7.3.1",
  EMAIL: "1.3.6.1.5.5.7.3.4",
  OBJECT_SIGNING: "1.3.6.1.5.5.7.3.3",
};
export const CA_CERT_TYPES = new Set(["SSL_CA", "EMAIL_CA", "OBJECT_SIGNING_CA"]);

/** The seed's key usage names and their X.509 KeyUsage bits. */
export const KEY_USAGE_FLAGS: Record<string, number> = {
  DIGITAL_SIGNATURE: 1,
  NON_REPUDIATION: 2,
  KEY_ENCIPHERMENT: 4,
  DATA_ENCIPHERMENT: 8,
  KEY_AGREEMENT: 16,
  KEY_CERT_SIGN: 32,
  CRL_SIGN: 64,
  ENCIPHER_ONLY: 128,
  DECIPHER_ONLY: 256,
};
