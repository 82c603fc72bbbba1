// A schema of the realm fields the platform uses, with the security invariants as literal types:
// a realm that parses here is client-credentials only, every client secret is a generated one (never
// a `${…}` placeholder: Keycloak's container has no secret env to resolve it), and every scope a
// client references is declared. `checkRealmImport` also requires a secret on every client.
import { z } from "zod";

/** The shape of the secrets IdentityProvider generates (random.RandomPassword, no specials). */
const GENERATED_SECRET = /^[A-Za-z0-9]{32,}$/;

const stringMap = z.record(z.string(), z.string());

const protocolMapper = z.strictObject({
  name: z.string().min(1),
  protocol: z.literal("openid-connect"),
  protocolMapper: z.string().min(1),
  consentRequired: z.literal(false),
  config: stringMap,
});

const clientScope = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._:-]+$/, { error: "client scope names are single tokens (no spaces)" }),
  description: z.string(),
  protocol: z.literal("openid-connect"),
  attributes: stringMap,
  protocolMappers: z.array(protocolMapper).optional(),
});

const client = z.strictObject({
  clientId: z.string().min(1),
  name: z.string(),
  description: z.string(),
  enabled: z.literal(true),
  protocol: z.literal("openid-connect"),
  publicClient: z.literal(false, { error: "app clients are confidential" }),
  bearerOnly: z.literal(false),
  clientAuthenticatorType: z.literal("client-secret"),
  // absent in the rendered realm, present in the uploaded import (see render/keycloak/realm.ts)
  secret: z
    .string()
    .regex(GENERATED_SECRET, { error: "a client secret is generated: 32 or more letters and digits (a ${…} placeholder would stay unresolved, Keycloak gets no secret env)" })
    .optional(),
  serviceAccountsEnabled: z.literal(true),
  standardFlowEnabled: z.literal(false, { error: "no browser flows for app clients" }),
  implicitFlowEnabled: z.literal(false),
  directAccessGrantsEnabled: z.literal(false, { error: "no password grant for app clients" }),
  frontchannelLogout: z.literal(false),
  consentRequired: z.literal(false),
  fullScopeAllowed: z.literal(false),
  redirectUris: z.array(z.string()).max(0),
  webOrigins: z.array(z.string()).max(0),
  attributes: stringMap,
  defaultClientScopes: z.array(z.string()),
  optionalClientScopes: z.array(z.string()),
  protocolMappers: z.array(protocolMapper),
});

export const realmSchema = z
  .strictObject({
    realm: z.string().regex(/^[a-z][a-z0-9-]*$/),
    enabled: z.literal(true),
    sslRequired: z.literal("all"),
    accessTokenLifespan: z.number().int().min(30).max(3600),
    registrationAllowed: z.literal(false),
    resetPasswordAllowed: z.literal(false),
    rememberMe: z.literal(false),
    loginWithEmailAllowed: z.literal(false),
    bruteForceProtected: z.literal(true),
    revokeRefreshToken: z.literal(true),
    clientScopes: z.array(clientScope),
    defaultDefaultClientScopes: z.array(z.string()),
    defaultOptionalClientScopes: z.array(z.string()),
    clients: z.array(client),
  })
  .superRefine((realm, ctx) => {
    const scopes = new Set(realm.clientScopes.map((s) => s.name));
    const basic = realm.clientScopes.find((s) => s.name === "basic");
    if (!basic || !basic.protocolMappers?.some((m) => m.protocolMapper === "oidc-sub-mapper")) {
      ctx.addIssue({ code: "custom", path: ["clientScopes"], message: "declare the basic scope with an oidc-sub-mapper: declared client scopes replace Keycloak's built-ins, and tokens would lose sub" });
    }
    realm.defaultDefaultClientScopes.forEach((name, i) => {
      if (!scopes.has(name)) ctx.addIssue({ code: "custom", path: ["defaultDefaultClientScopes", i], message: `scope ${name} is not declared in clientScopes` });
    });
    const ids = new Set<string>();
    realm.clients.forEach((c, i) => {
      if (ids.has(c.clientId)) ctx.addIssue({ code: "custom", path: ["clients", i, "clientId"], message: `client ${c.clientId} is declared twice` });
      ids.add(c.clientId);
      [...c.defaultClientScopes, ...c.optionalClientScopes].forEach((name) => {
        if (!scopes.has(name)) ctx.addIssue({ code: "custom", path: ["clients", i], message: `client ${c.clientId} references undeclared scope ${name}` });
      });
      if (!c.defaultClientScopes.includes("basic")) ctx.addIssue({ code: "custom", path: ["clients", i, "defaultClientScopes"], message: `client ${c.clientId} needs the basic scope` });
      if (!c.protocolMappers.some((m) => m.protocolMapper === "oidc-audience-mapper" && m.config["included.custom.audience"])) {
        ctx.addIssue({ code: "custom", path: ["clients", i, "protocolMappers"], message: `client ${c.clientId} needs an oidc-audience-mapper with included.custom.audience (the gateway's audience)` });
      }
      const lifespan = Number(c.attributes["access.token.lifespan"]);
      if (!(lifespan > 0 && lifespan <= realm.accessTokenLifespan)) {
        ctx.addIssue({ code: "custom", path: ["clients", i, "attributes", "access.token.lifespan"], message: `client ${c.clientId}: access.token.lifespan must be a positive number no longer than the realm's ${realm.accessTokenLifespan}s` });
      }
    });
  });

export type CheckedRealm = z.output<typeof realmSchema>;

/** Problems with a realm JSON object, as `path: message` lines; empty when it is valid. */
export function checkRealm(realm: unknown): string[] {
  const result = realmSchema.safeParse(realm);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
}

/** Problems with the realm import file as uploaded: checkRealm's, and every client must carry its secret. */
export function checkRealmImport(realm: unknown): string[] {
  const problems = checkRealm(realm);
  if (problems.length > 0) return problems;
  return realmSchema
    .parse(realm)
    .clients.flatMap((c, i) => (c.secret === undefined ? [`clients.${i}.secret: client ${c.clientId} has no secret (set it with withClientSecrets)`] : []));
}
