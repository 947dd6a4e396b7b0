// JWT claim checks (RFC 7519 section 4.1), run after the signature verified.

import { JwtError } from "./jwt_error.ts";
import type { JwtPayload } from "./types.ts";

/** The subset of VerifyOptions the claim checks read. */
export interface ClaimExpectations {
  audience?: string | readonly string[];
  issuer?: string | readonly string[];
  subject?: string;
  requiredClaims?: readonly string[];
  clockTolerance?: number;
  maxTokenAge?: number;
  currentDate?: Date;
}

function mismatch(claim: string, message: string): JwtError {
  return new JwtError("claim_mismatch", `Cannot verify token: ${message}`, { claim });
}

function requireClaim(payload: JwtPayload, claim: string): void {
  if (payload[claim] === undefined) throw mismatch(claim, `required claim "${claim}" is missing`);
}

function checkTypes(payload: JwtPayload): void {
  for (const claim of ["exp", "nbf", "iat"]) {
    const value = payload[claim];
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value))) {
      throw mismatch(claim, `claim "${claim}" must be a number`);
    }
  }
  for (const claim of ["iss", "sub", "jti"]) {
    const value = payload[claim];
    if (value !== undefined && typeof value !== "string") {
      throw mismatch(claim, `claim "${claim}" must be a string`);
    }
  }
  const aud: unknown = payload.aud;
  if (
    aud !== undefined && typeof aud !== "string" &&
    !(Array.isArray(aud) && aud.every((item) => typeof item === "string"))
  ) {
    throw mismatch("aud", `claim "aud" must be a string or a list of strings`);
  }
}

function list(value: string | readonly string[]): readonly string[] {
  return typeof value === "string" ? [value] : value;
}

/** Checks types, required claims, times, audience, issuer and subject. */
export function checkClaims(payload: JwtPayload, expect: ClaimExpectations): void {
  checkTypes(payload);
  for (const claim of expect.requiredClaims ?? []) requireClaim(payload, claim);
  if (expect.issuer !== undefined) requireClaim(payload, "iss");
  if (expect.audience !== undefined) requireClaim(payload, "aud");
  if (expect.subject !== undefined) requireClaim(payload, "sub");
  if (expect.maxTokenAge !== undefined) requireClaim(payload, "iat");

  const tolerance = expect.clockTolerance ?? 0;
  const now = Math.floor((expect.currentDate?.getTime() ?? Date.now()) / 1000);
  if (payload.nbf !== undefined && payload.nbf > now + tolerance) {
    throw new JwtError("not_yet_valid", `Cannot verify token: not valid before ${payload.nbf}`, {
      claim: "nbf",
    });
  }
  if (payload.exp !== undefined && payload.exp <= now - tolerance) {
    throw new JwtError("expired", `Cannot verify token: expired at ${payload.exp}`, {
      claim: "exp",
    });
  }
  if (expect.maxTokenAge !== undefined) {
    const age = now - (payload.iat as number);
    if (age - tolerance > expect.maxTokenAge) {
      throw new JwtError(
        "expired",
        `Cannot verify token: issued ${age} seconds ago, the limit is ${expect.maxTokenAge}`,
        { claim: "iat" },
      );
    }
    if (age < -tolerance) {
      throw new JwtError("not_yet_valid", `Cannot verify token: issued in the future`, {
        claim: "iat",
      });
    }
  }
  if (expect.issuer !== undefined && !list(expect.issuer).includes(payload.iss as string)) {
    throw mismatch("iss", `issuer "${payload.iss}" is not accepted`);
  }
  if (expect.subject !== undefined && payload.sub !== expect.subject) {
    throw mismatch("sub", `subject "${payload.sub}" is not accepted`);
  }
  if (expect.audience !== undefined) {
    const accepted = list(expect.audience);
    if (!list(payload.aud as string | string[]).some((aud) => accepted.includes(aud))) {
      throw mismatch("aud", `audience ${JSON.stringify(payload.aud)} is not accepted`);
    }
  }
}
