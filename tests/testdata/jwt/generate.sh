#!/bin/sh
# Regenerates the JWT test keys (test-only keys; never use them elsewhere).
set -eu
cd "$(dirname "$0")"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa_pkcs8.pem
openssl pkey -in rsa_pkcs8.pem -traditional -out rsa_pkcs1.pem
openssl pkey -in rsa_pkcs8.pem -pubout -out rsa_spki.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec_p256_pkcs8.pem
openssl ec -in ec_p256_pkcs8.pem -out ec_p256_sec1.pem 2>/dev/null
openssl pkey -in ec_p256_pkcs8.pem -pubout -out ec_p256_spki.pem
openssl req -new -x509 -key ec_p256_pkcs8.pem -subj /CN=jwt-test -days 36500 -out ec_p256_cert.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ec_p384_pkcs8.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out ec_p521_pkcs8.pem
openssl genpkey -algorithm ED25519 -out ed25519_pkcs8.pem
openssl pkey -in ed25519_pkcs8.pem -pubout -out ed25519_spki.pem
openssl pkey -in ec_p384_pkcs8.pem -pubout -out ec_p384_spki.pem
openssl pkey -in ec_p521_pkcs8.pem -pubout -out ec_p521_spki.pem
