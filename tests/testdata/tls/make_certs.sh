#!/usr/bin/env bash
# Generates the test CA and a leaf certificate for localhost / 127.0.0.1 / ::1
# (Deno's TLS refuses a self-signed certificate used directly as a server
# certificate, so tests need a CA plus a leaf). Valid for 100 years; rerun to
# regenerate. Requires the openssl CLI.
set -euo pipefail
cd "$(dirname "$0")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 \
  -subj "/CN=cosocket test CA" -keyout ca.key -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout server.key -out server.csr 2>/dev/null
cat > server.ext <<'EXT'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 36500 \
  -extfile server.ext -out server.pem 2>/dev/null
# A second, unrelated CA: a client trusting only it must refuse the server.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 \
  -subj "/CN=cosocket other CA" -keyout other_ca.key -out other_ca.pem 2>/dev/null
rm -f server.csr server.ext ca.srl other_ca.key
