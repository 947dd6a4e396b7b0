// Builds a small PKI (CA + leaf) with the package's own functions.
import { createCertificate, createCsr, createKey, type CreateKeyOptions } from "@cosocket/crypto";

export interface Pki {
  caKey: string;
  caCert: string;
  leafKey: string;
  leafCert: string;
}

export async function makePki(
  keyOptions: CreateKeyOptions = {},
  san = "localhost;127.0.0.1",
): Promise<Pki> {
  const caKey = await createKey(keyOptions);
  const caCsr = await createCsr(caKey, {
    commonName: "cosocket test CA",
    organizationName: "cosocket",
  }, {
    certTypes: ["SSL_CA"],
    keyUsage: ["KEY_CERT_SIGN", "CRL_SIGN"],
  });
  const caCert = await createCertificate(caCsr, caKey, { serial: 1 });
  const leafKey = await createKey(keyOptions);
  const leafCsr = await createCsr(leafKey, { commonName: "localhost" }, {
    san,
    certTypes: ["SSL_SERVER", "SSL_CLIENT"],
    keyUsage: ["DIGITAL_SIGNATURE", "KEY_ENCIPHERMENT"],
  });
  const leafCert = await createCertificate(leafCsr, caKey, { caCert, serial: 2 });
  return { caKey, caCert, leafKey, leafCert };
}
