// The whole program (index.ts) under Pulumi mocks with real key material: the gateway and identity
// components, their containers, the rendered configs they upload, secrets, and realm ↔ gateway agreement.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { parse } from "yaml";
import { ProgramRun, runProgram } from "../mock-runner/run-program";
import { infraAddress } from "../plan/plan";
import { buildPlan } from "../plan/plan";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../config/load";
import { spkiPinFromPem } from "../render/envoy/spki";
import { checkGatewayInvariants } from "../render/envoy/invariants";
import { crossCheckRealmAndGateway } from "../render/keycloak/cross-check";
import { checkRealm, realmSchema } from "../render/keycloak/realm-schema";
import { PROGRAM, stackConfig } from "./support/stack-config";

type Obj = Record<string, any>;
const CONTAINER = "docker:index/container:Container";
const PASSWORD = "random:index/randomPassword:RandomPassword";

const role = (c: Obj) => c.inputs.labels.find((l: Obj) => l.label === "platform.role")?.value;
const label = (c: Obj, name: string) => c.inputs.labels.find((l: Obj) => l.label === name)?.value;
/** A workload's upload seed (Docker name `<name>-seed`, logical name `<logical name>-seed`); see seedContainer. */
function seedOf(containers: Obj[], workload: Obj): Obj {
  const seeds = containers.filter((c) => c.inputs.name === `${workload.inputs.name}-seed`);
  assert.equal(seeds.length, 1, `${workload.inputs.name} has exactly one upload seed`);
  return seeds[0];
}
/** The content of `file` as uploaded for `workload`: the workload itself uploads nothing, its seed does. */
function uploadOf(containers: Obj[], workload: Obj, file: string): string {
  assert.equal(workload.inputs.uploads, undefined, `${workload.inputs.name}: nothing is uploaded into a read-only root`);
  const found = (seedOf(containers, workload).inputs.uploads as Obj[]).filter((u) => u.file === file);
  assert.equal(found.length, 1, `${workload.inputs.name}: one upload of ${file}`);
  return found[0].content as string;
}
/** The seed is a never-started, network-less twin of its workload with a writable root, holding the same volumes. */
function assertSeedOf(containers: Obj[], workload: Obj): Obj {
  const seed = seedOf(containers, workload);
  const [w, s] = [workload.inputs, seed.inputs];
  assert.equal(seed.name, `${workload.name}-seed`, "the seed's logical name");
  assert.equal(seed.parentType, workload.parentType, `${seed.name}: same component as its workload`);
  assert.equal(role(seed), "seed", `${seed.name} role`);
  for (const name of ["platform.app", "platform.stack", "platform.service"]) assert.equal(label(seed, name), label(workload, name), `${seed.name} label ${name}`);
  assert.deepEqual([s.start, s.mustRun, s.networkMode, s.readOnly], [false, false, "none", false], `${seed.name}: created, never started, no network, writable root`);
  assert.equal(s.networksAdvanced, undefined, `${seed.name} joins no network`);
  assert.equal(s.tmpfs, undefined, `${seed.name} has no tmpfs`);
  assert.deepEqual(s.volumes, w.volumes.map((v: Obj) => ({ ...v, readOnly: false })), `${seed.name} mounts exactly its workload's volumes, writable`);
  for (const key of ["image", "user", "capabilities", "privileged", "securityOpts", "memory", "memorySwap", "cpus", "ulimits"]) assert.deepEqual(s[key], w[key], `${seed.name}.${key}`);
  assert.ok(Array.isArray(s.uploads) && s.uploads.length > 0, `${seed.name} carries the uploads`);
  assert.equal(w.uploads, undefined, `${workload.inputs.name} has no uploads`);
  return seed;
}
const env = (c: Obj) => Object.fromEntries((c.inputs.envs as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));

describe("the dev stack with gateway and identity, under mocks", { timeout: 180_000 }, () => {
  let run: ProgramRun;
  let gateway: Obj;
  let keycloak: Obj;
  let containers: Obj[];
  const upload = (c: Obj, file: string) => uploadOf(containers, c, file);
  const plan = buildPlan(parsePlatformConfig(rawConfigFromFlatMap(stackConfig("dev"))).config, "dev");

  before(async () => {
    run = await runProgram(PROGRAM, { config: stackConfig("dev"), stack: "dev", material: "real" });
    containers = run.ofType(CONTAINER);
    const gateways = containers.filter((c) => role(c) === "gateway");
    const keycloaks = containers.filter((c) => role(c) === "identity");
    assert.equal(gateways.length, 1, "one gateway container");
    assert.equal(keycloaks.length, 1, "one Keycloak container");
    [gateway, keycloak] = [gateways[0], keycloaks[0]];
  });

  it("adds one ApiGateway and one IdentityProvider under the Platform, owning their containers and keys", () => {
    for (const type of ["platform:gateway:ApiGateway", "platform:identity:IdentityProvider"]) {
      const found = run.ofType(type);
      assert.equal(found.length, 1, type);
      assert.equal(found[0].parentType, "platform:index:Platform");
    }
    assert.equal(gateway.parentType, "platform:gateway:ApiGateway");
    assert.equal(keycloak.parentType, "platform:identity:IdentityProvider");
    // each component owns exactly its workload and that workload's upload seed
    for (const [type, workload] of [["platform:gateway:ApiGateway", gateway], ["platform:identity:IdentityProvider", keycloak]] as const) {
      const owned = containers.filter((c) => c.parentType === type);
      assert.deepEqual(owned.map((c) => c.inputs.name).sort(), [workload.inputs.name, `${workload.inputs.name}-seed`].sort(), type);
    }
    for (const p of run.ofType(PASSWORD)) assert.equal(p.parentType, "platform:identity:IdentityProvider");
    assert.equal(run.ofType(PASSWORD).length, 1 + plan.apps.length, "an admin password and one client secret per app");
  });

  it("attaches the gateway to every app network (at the plan's gateway IP), the services and the identity network, never outbound", () => {
    const attached = Object.fromEntries(gateway.inputs.networksAdvanced.map((n: Obj) => [n.name, n.ipv4Address]));
    for (const app of plan.apps) assert.equal(attached[app.network.dockerName], app.gatewayIp, app.config.name);
    assert.equal(attached["plat-dev-services"], infraAddress(plan.networks.services, "gateway"));
    assert.equal(attached["plat-dev-identity"], infraAddress(plan.networks.identity, "gateway"));
    assert.equal(Object.keys(attached).length, plan.apps.length + 2);
    assert.ok(!("plat-dev-outbound" in attached));
  });

  it("hardens the gateway and Keycloak like every workload", () => {
    for (const c of [gateway, keycloak]) {
      const p = c.inputs;
      assert.deepEqual(p.capabilities, { drops: ["ALL"], adds: [] }, c.name);
      assert.equal(p.privileged, false);
      assert.equal(p.readOnly, true);
      assert.deepEqual(p.securityOpts, ["no-new-privileges:true"]);
      assert.match(p.user, /^[1-9]\d+:[1-9]\d+$/);
      assert.equal(p.memorySwap, p.memory);
      assert.equal(p.publishAllPorts, false);
      assert.equal(p.ports, undefined);
      assert.equal(p.networkMode, undefined, `${c.name}: networkMode would make Docker drop the static address`);
      const seed = assertSeedOf(containers, c);
      assert.ok(seed.secretInputs.includes("uploads"), `${seed.name} uploads hold a private key`);
      assert.deepEqual(
        seed.inputs.uploads.filter((u: Obj) => u.file === "/etc/platform/tls/key.pem").map((u: Obj) => [u.owner, u.group, u.permissions]),
        [["0", p.user.split(":")[1], "0440"]],
        `${c.name}: the key is root-owned, readable by the workload's group only`,
      );
    }
    assert.deepEqual(keycloak.inputs.networksAdvanced.map((n: Obj) => [n.name, n.ipv4Address]), [["plat-dev-identity", infraAddress(plan.networks.identity, "identity")]]);
  });

  it("uploads an Envoy bootstrap that holds the gateway's invariants, with admin on loopback (real Envoy: envoy-real-binary.test.ts)", () => {
    const bootstrap = parse(upload(gateway, "/etc/platform/tls/envoy.yaml"));
    assert.deepEqual(checkGatewayInvariants(bootstrap), []);
    assert.equal(bootstrap.admin.address.socket_address.address, "127.0.0.1");
    assert.deepEqual(gateway.inputs.command.slice(0, 3), ["envoy", "-c", "/etc/platform/tls/envoy.yaml"]);
  });

  it("pins in each chain the SPKI of exactly the key @pulumi/tls generated for that app", () => {
    const bootstrap = parse(upload(gateway, "/etc/platform/tls/envoy.yaml"));
    const keys = run.ofType("tls:index/privateKey:PrivateKey");
    for (const app of plan.apps) {
      const appContainer = containers.find((c) => c.inputs.name === app.containerName)!;
      const appCert = new X509Certificate(upload(appContainer, "/etc/platform/tls/cert.pem"));
      const key = keys.find((k) => k.state.publicKeyPem === appCert.publicKey.export({ type: "spki", format: "pem" }))!;
      assert.ok(key, `the key behind ${app.config.name}'s certificate`);
      const chain = bootstrap.static_resources.listeners[0].filter_chains.find((c: Obj) => c.name === `app:${app.config.name}`);
      assert.deepEqual(chain.transport_socket.typed_config.common_tls_context.validation_context.verify_certificate_spki, [spkiPinFromPem(key.state.publicKeyPem)]);
      const [address, length] = app.network.subnet.split("/");
      assert.deepEqual(chain.filter_chain_match.source_prefix_ranges, [{ address_prefix: address, prefix_len: Number(length) }]);
    }
  });

  it("gives the gateway a CA-signed certificate valid for every address apps use, usable as client and server", () => {
    const ca = new X509Certificate(run.outputs.caCertificatePem as string);
    const cert = new X509Certificate(upload(gateway, "/etc/platform/tls/cert.pem"));
    assert.ok(cert.verify(ca.publicKey));
    for (const app of plan.apps) assert.equal(cert.checkIP(app.gatewayIp), app.gatewayIp, app.config.name);
    const keycloakCert = new X509Certificate(upload(keycloak, "/etc/platform/tls/cert.pem"));
    assert.ok(keycloakCert.verify(ca.publicKey));
    assert.equal(keycloakCert.checkHost("identity.dev.platform.example"), "identity.dev.platform.example");
  });

  it("starts Keycloak in start mode with a pinned hostname, health, TLS and the realm import", () => {
    const script = keycloak.inputs.entrypoints.join(" ");
    for (const arg of ["kc.sh 'start'", "'--hostname=https://identity.dev.platform.example:8443'", "'--health-enabled=true'", "'--import-realm'", "'--http-enabled=false'", "'--db=dev-file'"]) {
      assert.ok(script.includes(arg), `${arg} in ${script}`);
    }
    assert.match(script, /cp \/etc\/platform\/tls\/realm\.json \/opt\/keycloak\/data\/import\/platform\.json/);
  });

  it("the uploaded realm passes its schema and agrees with the uploaded gateway config", () => {
    const realm = JSON.parse(upload(keycloak, "/etc/platform/tls/realm.json"));
    assert.deepEqual(checkRealm(realm), []);
    const bootstrap = parse(upload(gateway, "/etc/platform/tls/envoy.yaml"));
    assert.deepEqual(crossCheckRealmAndGateway(realmSchema.parse(realm), bootstrap), []);
    const issuer = bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[1].typed_config.providers.keycloak.issuer;
    assert.ok(keycloak.inputs.entrypoints.join(" ").includes(`--hostname=${issuer.replace(/\/realms\/platform$/, "")}`), "Keycloak's pinned hostname makes the issuer the gateway expects");
  });

  it("secrets: random, files only (never env), marked secret wherever they flow, each app gets only its own, none in outputs or plain inputs", () => {
    const secrets = run.ofType(PASSWORD).map((p) => ({ name: p.name, value: p.state.result as string }));
    assert.ok(secrets.every((s) => s.value.length === 40));
    const envText = JSON.stringify(run.ofType(CONTAINER).map((c) => c.inputs.envs));
    for (const s of secrets) assert.ok(!envText.includes(s.value), `${s.name} is in a container's env`);
    const admin = secrets.find((s) => s.name.endsWith("-admin-password"))!;
    assert.equal(upload(keycloak, "/etc/platform/tls/admin-password"), admin.value);
    assert.match(keycloak.inputs.entrypoints[2], /KC_BOOTSTRAP_ADMIN_PASSWORD="\$\(< \/etc\/platform\/tls\/admin-password\)" && export KC_BOOTSTRAP_ADMIN_PASSWORD && exec /);
    const realm = JSON.parse(upload(keycloak, "/etc/platform/tls/realm.json"));
    for (const app of plan.apps) {
      const appContainer = containers.find((c) => c.inputs.name === app.containerName)!;
      const appSeed = assertSeedOf(containers, appContainer);
      const appEnv = env(appContainer);
      const own = secrets.find((s) => s.name.endsWith(`-client-${app.config.name}`))!;
      assert.equal(upload(appContainer, appEnv.PLATFORM_OAUTH_CLIENT_SECRET_FILE), own.value);
      assert.equal(appEnv.PLATFORM_OAUTH_CLIENT_ID, app.config.name);
      assert.equal(appEnv.PLATFORM_OAUTH_TOKEN_URL, `https://${app.gatewayIp}:8443/realms/platform/protocol/openid-connect/token`);
      assert.equal(realm.clients.find((c: Obj) => c.clientId === app.config.name).secret, own.value, "the realm import holds the same secret");
      const others = secrets.filter((s) => s !== own).map((s) => s.value);
      for (const holder of [appContainer, appSeed]) {
        for (const other of others) assert.ok(!JSON.stringify(holder.inputs).includes(other), `${holder.inputs.name} sees no other secret`);
      }
    }
    // no secret value in any input that is not marked secret, nor in stack outputs
    for (const r of run.resources) {
      for (const [key, value] of Object.entries(r.inputs)) {
        const text = JSON.stringify(value) ?? "";
        for (const s of secrets) if (text.includes(s.value)) assert.ok(r.secretInputs.includes(key) || r.type === PASSWORD, `${r.type} ${r.name}.${key} holds ${s.name} in plain text`);
      }
    }
    const outputs = JSON.stringify(run.outputs);
    for (const s of secrets) assert.ok(!outputs.includes(s.value), `${s.name} in stack outputs`);
  });
});

describe("a production-like stack with PostgreSQL for Keycloak", { timeout: 120_000 }, () => {
  it("adds a hardened database container on the identity network and points Keycloak at it", async () => {
    const config = { ...stackConfig("dev"), "platform:identity": { image: "platform/keycloak:26.7.3-postgres", database: { kind: "postgres", image: "platform/postgres:15" } } };
    const run = await runProgram(PROGRAM, { config, stack: "dev", material: "fast" });
    const containers = run.ofType(CONTAINER);
    const db = containers.find((c) => role(c) === "database")!;
    const kc = containers.find((c) => role(c) === "identity")!;
    assert.ok(db, "database container");
    assert.deepEqual(
      containers.filter((c) => c.parentType === "platform:identity:IdentityProvider").map((c) => c.inputs.name).sort(),
      [kc.inputs.name, `${kc.inputs.name}-seed`, db.inputs.name, `${db.inputs.name}-seed`].sort(),
      "Keycloak, the database and one upload seed each",
    );
    assert.equal(db.inputs.networkMode, undefined, "networkMode would make Docker drop the static address");
    const identityNet = parsePlan(config).networks.identity;
    assert.deepEqual(db.inputs.networksAdvanced.map((n: Obj) => [n.name, n.ipv4Address]), [["plat-dev-identity", infraAddress(identityNet, "database")]]);
    assert.equal(db.inputs.readOnly, true);
    assert.deepEqual(db.inputs.capabilities, { drops: ["ALL"], adds: [] });
    assert.ok(db.inputs.volumes.some((v: Obj) => v.containerPath === "/var/lib/postgresql/data"));
    assert.ok(db.inputs.volumes.some((v: Obj) => v.containerPath === "/etc/platform/tls"), "the password file's volume");
    const kcEnv = env(kc);
    assert.equal(kcEnv.KC_DB_URL, `jdbc:postgresql://${infraAddress(identityNet, "database")}:5432/keycloak`);
    // the password is a file in both containers, the same random value, never env
    assert.equal(env(db).POSTGRES_PASSWORD_FILE, "/etc/platform/tls/db-password");
    assert.equal(env(db).POSTGRES_PASSWORD, undefined);
    assert.equal(kcEnv.KC_DB_PASSWORD, undefined);
    const dbPassword = run.ofType(PASSWORD).find((p) => p.name.endsWith("-db-password"))!.state.result as string;
    for (const c of [db, kc]) {
      const seed = assertSeedOf(containers, c);
      assert.ok(seed.secretInputs.includes("uploads"), `${seed.name} uploads are secret`);
      assert.deepEqual(seed.inputs.uploads.filter((u: Obj) => u.file === "/etc/platform/tls/db-password"), [{ file: "/etc/platform/tls/db-password", content: dbPassword, permissions: "0440", owner: "0", group: c === db ? "999" : "9200" }]);
    }
    assert.deepEqual(seedOf(containers, db).inputs.uploads.map((u: Obj) => u.file), ["/etc/platform/tls/db-password"], "the database seed carries only the password");
    const script = kc.inputs.entrypoints[2] as string;
    assert.match(script, /KC_DB_PASSWORD="\$\(< \/etc\/platform\/tls\/db-password\)" && export KC_DB_PASSWORD && /);
    assert.ok(script.indexOf("export KC_DB_PASSWORD") < script.indexOf("kc.sh"), "the password is exported before any kc.sh runs");
    assert.match(script, / && exec \/opt\/keycloak\/bin\/kc\.sh /);
    assert.ok(kc.inputs.entrypoints.join(" ").includes("'--db=postgres'"));
  });
});

function parsePlan(config: Record<string, unknown>) {
  return buildPlan(parsePlatformConfig(rawConfigFromFlatMap(config)).config, "dev");
}
