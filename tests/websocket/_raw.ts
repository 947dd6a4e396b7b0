// Raw WebSocket peers for conformance tests: frames built bit by bit (any flags, opcode, mask
// and length encoding, also non-minimal and lying lengths), byte streams chopped down to
// 1-octet writes, a raw client that does the opening handshake over Deno.connect, a raw
// server over Deno.listen that answers our client, and a frame reader that checks every
// frame our side sends against RFC 6455 (masking direction, RSV bits, opcodes, control
// frame rules, minimal length encoding, close payloads). Independent of the code under test.
export * from "./_raw_frames.ts";
export * from "./_raw_peer.ts";
export * from "./_raw_utf8_cases.ts";
export * from "./_conformance.ts";
