// A stand-in token issuer for the gateway benchmark: an RSA-2048 key that signs RS256 JWTs (Keycloak's
// default realm signature algorithm, so Envoy verifies the same kind of signature) and its JWKS.
import { generateKeyPairSync, randomUUID, sign } from "node:crypto";

export interface TokenIssuer {
  /** the JWKS document Envoy fetches (`{"keys": [...]}`) */
  jwksJson: string;
  sign(claims: Record<string, unknown>): string;
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function rs256Issuer(kid = `bench-${randomUUID().slice(0, 8)}`): TokenIssuer {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  return {
    jwksJson: JSON.stringify({ keys: [jwk] }),
    sign(claims) {
      const input = `${part({ alg: "RS256", typ: "JWT", kid })}.${part(claims)}`;
      return `${input}.${sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
    },
  };
}

/** The claims of a Keycloak client-credentials access token for `app` with `scopes`. */
export function clientCredentialsClaims(options: { issuer: string; audience: string; app: string; scopes: readonly string[]; lifetimeSeconds: number }): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    exp: now + options.lifetimeSeconds,
    iat: now,
    jti: randomUUID(),
    iss: options.issuer,
    aud: options.audience,
    sub: randomUUID(),
    typ: "Bearer",
    azp: options.app,
    scope: options.scopes.join(" "),
    clientId: options.app,
  };
}
