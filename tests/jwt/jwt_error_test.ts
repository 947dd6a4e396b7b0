import assert from "node:assert/strict";
import { JwtError } from "@cosocket/jwt";

Deno.test("JwtError() carries name, code, claim and cause", () => {
  const cause = new SyntaxError("bad");
  const error = new JwtError("claim_mismatch", "Cannot verify token: wrong", {
    claim: "aud",
    cause,
  });
  assert.ok(error instanceof Error);
  assert.equal(error.name, "JwtError");
  assert.equal(error.code, "claim_mismatch");
  assert.equal(error.claim, "aud");
  assert.equal(error.cause, cause);
  assert.equal(new JwtError("expired", "Cannot verify token: expired").claim, undefined);
});
