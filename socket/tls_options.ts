/**
 * TLS settings of a client connection (`connect` with `tls`, and
 * `Socket#upgrade`). They map to `Deno.startTls`.
 */
export interface TlsClientOptions {
  /**
   * Extra CA certificates (PEM) trusted besides Deno's root store, for
   * private CAs and test certificates.
   *
   * @default {[]}
   */
  caCerts?: string[];
  /**
   * The name sent in SNI and checked against the server certificate.
   *
   * @default {the host passed to connect}
   */
  serverName?: string;
  /**
   * Application-Layer Protocol Negotiation protocols to offer, most
   * preferred first (the seed's `alpn` option).
   *
   * @default {[]}
   */
  alpnProtocols?: string[];
  /**
   * Skips the check of the certificate's names (the chain is still
   * verified). `Socket#trusted` then reports `false`.
   *
   * @default {false}
   */
  unsafelyDisableHostnameVerification?: boolean;
}

/**
 * TLS settings of a listener (`bind` with `tls`): the certificate chain and
 * its private key, both PEM, as `@cosocket/crypto` produces them.
 */
export interface TlsServerOptions {
  /** The certificate chain, leaf first (PEM). */
  cert: string;
  /** The private key of the leaf certificate (PEM: PKCS#8, SEC1 or PKCS#1). */
  key: string;
  /**
   * ALPN protocols to accept, most preferred first.
   *
   * @default {[]}
   */
  alpnProtocols?: string[];
}
