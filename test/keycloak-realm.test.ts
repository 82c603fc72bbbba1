// The realm import renderer, its schema of the fields we use, and its cross-check with the gateway.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderEnvoyBootstrap } from "../render/envoy/bootstrap";
import { crossCheckRealmAndGateway } from "../render/keycloak/cross-check";
import { renderRealm, renderRealmJson, withClientSecrets } from "../render/keycloak/realm";
import { checkRealm, checkRealmImport, realmSchema } from "../render/keycloak/realm-schema";
import { assertGolden } from "./support/envoy-golden";
import { sampleClientSecrets, sampleGatewayInput, sampleRealmInput } from "./support/envoy-inputs";

type Obj = Record<string, any>;
const realm = () => renderRealm(sampleRealmInput()) as Obj;
const clone = <T>(v: T): T => structuredClone(v);

test("golden: the sample realm import (with stand-in secrets) renders byte for byte as reviewed", () => {
  assertGolden("keycloak/sample-realm.json", renderRealmJson(sampleRealmInput(), sampleClientSecrets()));
});

test("the rendered realm passes the schema of the fields we use; only the import with every secret passes checkRealmImport", () => {
  assert.deepEqual(checkRealm(realm()), []);
  assert.deepEqual(checkRealmImport(realm()), ["clients.0.secret: client backup-agent has no secret (set it with withClientSecrets)", "clients.1.secret: client forecast-widget has no secret (set it with withClientSecrets)"]);
  const imported = JSON.parse(renderRealmJson(sampleRealmInput(), sampleClientSecrets()));
  assert.deepEqual(checkRealmImport(imported), []);
});

test("each client gets exactly its own secret; a missing or unknown secret is refused", () => {
  const secrets = sampleClientSecrets();
  const imported = withClientSecrets(renderRealm(sampleRealmInput()), secrets);
  for (const c of imported.clients) assert.equal(c.secret, secrets[c.clientId], c.clientId);
  assert.equal(new Set(imported.clients.map((c) => c.secret)).size, imported.clients.length);
  assert.ok(!("secret" in renderRealm(sampleRealmInput()).clients[0]), "the rendered realm (shared with the gateway) holds no secret");
  const { "backup-agent": _dropped, ...missing } = secrets;
  assert.throws(() => withClientSecrets(renderRealm(sampleRealmInput()), missing), /missing: backup-agent; unknown: none/);
  assert.throws(() => withClientSecrets(renderRealm(sampleRealmInput()), { ...secrets, ghost: "x".repeat(40) }), /missing: none; unknown: ghost/);
});

test("one confidential client-credentials client per app, no browser or password flows", () => {
  const r = realm();
  assert.deepEqual(r.clients.map((c: Obj) => c.clientId), ["backup-agent", "forecast-widget"]);
  for (const c of r.clients) {
    assert.equal(c.publicClient, false);
    assert.equal(c.serviceAccountsEnabled, true);
    assert.equal(c.standardFlowEnabled, false);
    assert.equal(c.implicitFlowEnabled, false);
    assert.equal(c.directAccessGrantsEnabled, false);
    assert.equal(c.attributes["oauth2.device.authorization.grant.enabled"], "false");
  }
});

test("scopes: basic declared with a sub mapper, one scope per service, each client gets exactly its grants", () => {
  const r = realm();
  assert.deepEqual(r.clientScopes.map((s: Obj) => s.name), ["basic", "service.storage", "service.weather"]);
  assert.ok(r.clientScopes[0].protocolMappers.some((m: Obj) => m.protocolMapper === "oidc-sub-mapper"));
  const byId = Object.fromEntries(r.clients.map((c: Obj) => [c.clientId, c]));
  assert.deepEqual(byId["forecast-widget"].defaultClientScopes, ["basic", "service.weather"]);
  assert.deepEqual(byId["backup-agent"].defaultClientScopes, ["basic", "service.storage", "service.weather"]);
  for (const c of r.clients) assert.deepEqual(c.optionalClientScopes, []);
});

test("audience mapper for the gateway audience and a short, configurable token lifespan", () => {
  const input = { ...sampleRealmInput(), accessTokenLifespanSeconds: 120 };
  const r = renderRealm(input) as Obj;
  assert.equal(r.accessTokenLifespan, 120);
  for (const c of r.clients) {
    assert.equal(c.attributes["access.token.lifespan"], "120");
    const mapper = c.protocolMappers.find((m: Obj) => m.protocolMapper === "oidc-audience-mapper");
    assert.equal(mapper.config["included.custom.audience"], "gateway.test.platform.example");
    assert.equal(mapper.config["access.token.claim"], "true");
  }
});

test("the schema rejects each unsafe or broken realm with its path", () => {
  const cases: [string, (r: Obj) => void, RegExp][] = [
    ["weak secret", (r) => (r.clients[0].secret = "hunter2"), /clients\.0\.secret: a client secret is generated/],
    // nothing would resolve it any more: Keycloak's container has no secret env
    ["env placeholder", (r) => (r.clients[0].secret = "${PLATFORM_CLIENT_SECRET_BACKUP_AGENT}"), /clients\.0\.secret: a client secret is generated/],
    ["password grant", (r) => (r.clients[0].directAccessGrantsEnabled = true), /clients\.0\.directAccessGrantsEnabled: no password grant/],
    ["browser flow", (r) => (r.clients[0].standardFlowEnabled = true), /clients\.0\.standardFlowEnabled: no browser flows/],
    ["public client", (r) => (r.clients[0].publicClient = true), /clients\.0\.publicClient/],
    ["missing basic", (r) => (r.clientScopes = r.clientScopes.filter((s: Obj) => s.name !== "basic")), /declare the basic scope/],
    ["undeclared scope", (r) => r.clients[1].defaultClientScopes.push("service.billing"), /references undeclared scope service\.billing/],
    ["no audience", (r) => (r.clients[0].protocolMappers = []), /needs an oidc-audience-mapper/],
    ["unknown field", (r) => (r.clients[0].redirectUri = "https://evil.example/"), /clients\.0: Unrecognized key/i],
    ["long token", (r) => (r.clients[0].attributes["access.token.lifespan"] = "86400"), /access\.token\.lifespan must be/],
    ["duplicate client", (r) => r.clients.push(clone(r.clients[0])), /client backup-agent is declared twice/],
  ];
  for (const [what, breakIt, expected] of cases) {
    const r = clone(realm());
    breakIt(r);
    const problems = checkRealm(r);
    assert.ok(problems.some((p) => expected.test(p)), `${what}: ${problems.join(" | ")}`);
  }
});

test("renderer refuses a grant of an unknown service", () => {
  const input = sampleRealmInput();
  (input.apps[0].services as string[]).push("billing");
  assert.throws(() => renderRealm(input), /app forecast-widget is granted unknown service "billing"/);
});

test("cross-check: the sample realm and gateway agree on issuer realm, audience, client ids and scopes", () => {
  const checked = realmSchema.parse(realm());
  assert.deepEqual(crossCheckRealmAndGateway(checked, renderEnvoyBootstrap(sampleGatewayInput())), []);
});

test("cross-check: each kind of disagreement is reported", () => {
  const gateway = () => renderEnvoyBootstrap(sampleGatewayInput()) as Obj;
  const check = (r: Obj, g: Obj) => crossCheckRealmAndGateway(realmSchema.parse(r), g);

  const otherRealm = clone(realm());
  otherRealm.realm = "other";
  assert.ok(check(otherRealm, gateway()).some((p) => /JWT issuer .* is not realm other's/.test(p)));

  const otherAudience = clone(realm());
  otherAudience.clients[0].protocolMappers[0].config["included.custom.audience"] = "somebody-else";
  assert.ok(check(otherAudience, gateway()).some((p) => /do not include the client's audience somebody-else/.test(p)));

  const missingGrant = clone(realm());
  missingGrant.clients[1].defaultClientScopes = ["basic"];
  assert.ok(check(missingGrant, gateway()).some((p) => /requires scope service\.weather, which client forecast-widget does not get/.test(p)));

  const extraClient = clone(realm());
  extraClient.clients.push({ ...clone(extraClient.clients[0]), clientId: "ghost" });
  assert.ok(check(extraClient, gateway()).some((p) => /client ghost has no gateway chain/.test(p)));

  const missingClient = clone(realm());
  missingClient.clients = missingClient.clients.slice(1);
  assert.ok(check(missingClient, gateway()).some((p) => /chain app:backup-agent has no Keycloak client/.test(p)));
});
