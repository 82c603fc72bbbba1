// The real Keycloak, started once per database kind exactly as the platform runs it (see
// test/support/real-keycloak.ts): its own healthcheck turns healthy; from another container on the
// identity network each app gets a client-credentials token with its secret over TLS verified against
// the platform CA, carrying the issuer, audience, azp and scopes the gateway checks; wrong secrets and
// the password grant are refused; the management interface answers on loopback only and no clustering
// port listens. With PostgreSQL the realm outlives Keycloak, so a changed realm (new client, rotated
// secret, removed client) must be applied when Keycloak is recreated. Prints start time and memory.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { dockerUnavailableSync } from "../sandbox/docker-availability";
import { KEYCLOAK_MANAGEMENT_PORT } from "../render/keycloak/from-plan";
import { DatabaseKind, generateSecret, imagesFor, isLoopback, RealKeycloak, RealmApp, StartTiming, TRUST_DOMAIN } from "./support/real-keycloak";

/** generous: 52-131 s measured at 1 CPU on a loaded 2-core host (docs/identity.md) */
const READY_WITHIN_MS = 240_000;
const JGROUPS_PORTS = [7800, 57800];

const clientCredentials = (clientId: string, secret: string) => ({ form: { grant_type: "client_credentials", client_id: clientId, client_secret: secret } });

function claimsOf(accessToken: string): Record<string, any> {
  const parts = accessToken.split(".");
  assert.equal(parts.length, 3, "a signed JWT");
  return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
}

const secretsFor = (apps: readonly RealmApp[]) => Object.fromEntries(apps.map((app) => [app.name, generateSecret()]));

const ready = (timing: StartTiming) =>
  `ready in ${timing.readySeconds.toFixed(1)} s (Keycloak's log: listening after ${timing.listeningSeconds ?? "?"} s, bootstrap completed ${timing.bootstrapSeconds ?? "?"} s later)`;

/** The checks both kinds must pass, declared inside the kind's describe. */
function commonChecks(kc: RealKeycloak, apps: () => readonly RealmApp[]): void {
  it("runs as declared: UID 9200, read-only root, no capabilities, no-new-privileges, data/ and /tmp as tmpfs, 1024 MiB without swap; no credential in Docker's record of it", async () => {
    const info = await kc.docker.getContainer(kc.keycloakName).inspect();
    assert.equal(info.Config.User, "9200:9200");
    assert.equal(info.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(info.HostConfig.CapDrop, ["ALL"]);
    assert.deepEqual(info.HostConfig.CapAdd ?? [], []);
    assert.deepEqual(info.HostConfig.SecurityOpt, ["no-new-privileges:true"]);
    assert.deepEqual(Object.keys(info.HostConfig.Tmpfs ?? {}).sort(), ["/opt/keycloak/data", "/tmp"]);
    assert.equal(info.HostConfig.Memory, 1024 * 2 ** 20);
    assert.equal(info.HostConfig.MemorySwap, info.HostConfig.Memory);
    assert.deepEqual(Object.keys(info.NetworkSettings.Networks), [kc.plan.networks.identity.dockerName]);
    const recorded = JSON.stringify({ env: info.Config.Env, cmd: info.Config.Cmd, entrypoint: info.Config.Entrypoint, labels: info.Config.Labels });
    for (const credential of kc.credentials()) assert.ok(!recorded.includes(credential), "a credential in docker inspect");
  });

  it("each app gets a client-credentials token with its secret over TLS checked against the platform CA (by name and by IP): issuer, gateway audience, azp, exactly its service scopes", async () => {
    const requests = apps().flatMap((app) => [{ via: "name" as const, ...clientCredentials(app.name, kc.secrets[app.name]) }, { via: "ip" as const, ...clientCredentials(app.name, kc.secrets[app.name]) }]);
    const { posts } = await kc.fromProbe(requests);
    apps().forEach((app, i) => {
      for (const answer of posts.slice(2 * i, 2 * i + 2)) {
        assert.equal(answer.status, 200, `${app.name}: ${answer.error ?? answer.body}`);
        const body = JSON.parse(answer.body!);
        assert.equal(body.token_type, "Bearer");
        assert.equal(body.refresh_token, undefined, "no refresh token for client credentials");
        const claims = claimsOf(body.access_token);
        assert.equal(claims.iss, `https://identity.${TRUST_DOMAIN}:8443/realms/platform`);
        assert.ok([claims.aud].flat().includes(`gateway.${TRUST_DOMAIN}`), `aud ${JSON.stringify(claims.aud)}`);
        assert.equal(claims.azp, app.name);
        assert.deepEqual(String(claims.scope).split(" ").sort(), app.services.map((s) => `service.${s}`).sort(), `scope "${claims.scope}"`);
        assert.equal(typeof claims.sub, "string", "the declared basic scope keeps sub");
        assert.equal(claims.exp - claims.iat, 300, "accessTokenLifespanSeconds");
      }
    });
  });

  it("a wrong secret gets 401; the password grant is refused even with the right secret", async () => {
    const [app] = apps();
    const { posts } = await kc.fromProbe([
      clientCredentials(app.name, generateSecret()),
      { form: { grant_type: "password", client_id: app.name, client_secret: kc.secrets[app.name], username: `service-account-${app.name}`, password: generateSecret() } },
    ]);
    const [wrongSecret, passwordGrant] = posts;
    assert.equal(wrongSecret.status, 401, wrongSecret.error ?? wrongSecret.body);
    assert.ok(!wrongSecret.body?.includes("access_token"));
    assert.equal(passwordGrant.status, 400, passwordGrant.error ?? passwordGrant.body);
    assert.equal(JSON.parse(passwordGrant.body!).error, "unauthorized_client", passwordGrant.body);
  });

  it(`the management interface (${KEYCLOAK_MANAGEMENT_PORT}) listens on loopback only and is not reachable from the network; no JGroups port (${JGROUPS_PORTS.join(", ")}) listens`, async () => {
    const listeners = await kc.listeners();
    const management = listeners.filter((l) => l.port === KEYCLOAK_MANAGEMENT_PORT);
    assert.ok(management.length > 0 && management.every((l) => isLoopback(l.address)), JSON.stringify(listeners));
    assert.deepEqual(listeners.filter((l) => JGROUPS_PORTS.includes(l.port)), [], "--cache=local: no clustering");
    assert.deepEqual([...new Set(listeners.filter((l) => !isLoopback(l.address)).map((l) => l.port))], [8443], `only HTTPS faces the network: ${JSON.stringify(listeners)}`);
    const { connects } = await kc.fromProbe([], [8443, KEYCLOAK_MANAGEMENT_PORT, ...JGROUPS_PORTS]);
    assert.deepEqual(connects, ["open", "refused", "refused", "refused"]);
  });
}

function memoryAtRest(kc: RealKeycloak, measured: (memoryMiB: number) => void): void {
  it("memory at rest (docker stats) stays under the 1024 MiB limit", async () => {
    await new Promise((resolve) => setTimeout(resolve, 3000)); // settle after the requests above
    const memory = await kc.memoryMiB();
    measured(memory);
    assert.ok(memory > 0 && memory < 1024, `${memory} MiB`);
  });
}

const DEV_FILE_APPS: RealmApp[] = [
  { name: "alpha", services: ["weather"] },
  { name: "beta", services: ["storage", "weather"] },
];

/** The suite's one Keycloak: up before its tests, removed after them (also when anything failed). */
function startedOnce(kind: DatabaseKind, apps: readonly RealmApp[]): { kc: RealKeycloak; start: () => StartTiming } {
  const kc = new RealKeycloak(kind);
  let start: StartTiming | undefined;
  before(async () => {
    start = await kc.up(apps, secretsFor(apps), READY_WITHIN_MS);
  });
  after(async () => {
    await kc.teardown();
  });
  return { kc, start: () => start! };
}

function devFileSuite(): void {
  const { kc, start } = startedOnce("dev-file", DEV_FILE_APPS);
  commonChecks(kc, () => DEV_FILE_APPS);
  memoryAtRest(kc, (memory) => console.log(`keycloak dev-file ${ready(start())}, memory ${memory.toFixed(0)} MiB`));
}

// alpha keeps its secret, beta's is rotated, delta is removed and gamma added by the realm change
const POSTGRES_APPS: RealmApp[] = [
  { name: "alpha", services: ["weather"] },
  { name: "beta", services: ["storage"] },
  { name: "delta", services: ["weather"] },
];
const POSTGRES_APPS_CHANGED: RealmApp[] = [
  { name: "alpha", services: ["weather"] },
  { name: "beta", services: ["storage"] },
  { name: "gamma", services: ["storage", "weather"] },
];

function postgresSuite(): void {
  const { kc, start: firstStart } = startedOnce("postgres", POSTGRES_APPS);
  let apps = POSTGRES_APPS;
  commonChecks(kc, () => apps);
  let memory = 0;
  memoryAtRest(kc, (measured) => (memory = measured));

  it("a changed realm is applied when Keycloak is recreated on the same database: the new client gets a token, a rotated or removed client's old secret does not", async () => {
    const old = { ...kc.secrets };
    const secrets = { alpha: old.alpha, beta: generateSecret(), gamma: generateSecret() };
    const restart = await kc.redeploy(POSTGRES_APPS_CHANGED, secrets, READY_WITHIN_MS);
    apps = POSTGRES_APPS_CHANGED;
    console.log(`keycloak postgres ${ready(firstStart())} (first start, empty database), ${ready(restart)} (recreated with a changed realm), memory ${memory.toFixed(0)} MiB`);
    const { posts } = await kc.fromProbe([
      clientCredentials("gamma", secrets.gamma),
      clientCredentials("alpha", secrets.alpha),
      clientCredentials("beta", secrets.beta),
      clientCredentials("beta", old.beta),
      clientCredentials("delta", old.delta),
    ]);
    const [gamma, alpha, beta, betaOld, delta] = posts;
    assert.equal(gamma.status, 200, `the new client: ${gamma.error ?? gamma.body}`);
    assert.deepEqual(claimsOf(JSON.parse(gamma.body!).access_token).scope.split(" ").sort(), ["service.storage", "service.weather"]);
    assert.equal(alpha.status, 200, `an unchanged client keeps working: ${alpha.error ?? alpha.body}`);
    assert.equal(beta.status, 200, `the rotated secret: ${beta.error ?? beta.body}`);
    assert.equal(betaOld.status, 401, `the secret before rotation: ${betaOld.body}`);
    assert.equal(delta.status, 401, `the removed client: ${delta.body}`);
  });

  describe("after the restart, with the changed realm", () => commonChecks(kc, () => apps));
}

// The two variants run side by side (each Keycloak is limited to 1 CPU, and CI has 2 cores); inside a
// variant one test at a time (subtests would inherit the concurrency), in the order declared.
describe("real Keycloak, as the platform runs it", { concurrency: 2 }, () => {
  describe("with the dev-file database", { skip: dockerUnavailableSync(imagesFor("dev-file")), timeout: 420_000, concurrency: 1 }, devFileSuite);
  describe("with PostgreSQL", { skip: dockerUnavailableSync(imagesFor("postgres")), timeout: 480_000, concurrency: 1 }, postgresSuite);
});
