// Keycloak's container spec and start arguments from the plan (pure: no Pulumi).
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildPlan } from "../plan/plan";
import { parsePlatformConfig } from "../config/load";
import { databaseContainer, identityContainer, keycloakArgs, keycloakEntrypoint } from "../render/keycloak/from-plan";
import { looksLikeCredential } from "../policies/rules/container/env-secrets";
import { minimalConfig } from "./support/stack-config";

const planWith = (identity: Record<string, unknown>) => {
  const raw = minimalConfig();
  raw.identity = { ...raw.identity, ...identity };
  return buildPlan(parsePlatformConfig(raw).config, "kc-test");
};

test("default: start (not optimized), pinned hostname URL, https only, health, dev-file, realm import", () => {
  const plan = planWith({});
  assert.deepEqual(keycloakArgs(plan), [
    "start",
    "--hostname=https://identity.test.platform.example:8443",
    "--hostname-strict=true",
    "--http-enabled=false",
    "--https-port=8443",
    "--https-certificate-file=/etc/platform/tls/cert.pem",
    "--https-certificate-key-file=/etc/platform/tls/key.pem",
    "--health-enabled=true",
    "--db=dev-file",
    "--import-realm",
  ]);
  const spec = identityContainer(plan);
  assert.ok("/opt/keycloak/lib/quarkus" in spec.tmpfs, "a non-optimized start rebuilds into lib/quarkus");
  assert.ok("/opt/keycloak/data" in spec.tmpfs);
  assert.equal(spec.readOnly, true);
  assert.deepEqual(spec.capabilities, { drops: ["ALL"], adds: [] });
  assert.deepEqual(spec.networksAdvanced.map((n) => n.name), ["plat-kc-test-identity"]);
});

test("optimizedImage, a custom port and postgres change exactly the matching arguments", () => {
  const plan = planWith({ optimizedImage: true, port: 9443, database: { kind: "postgres", image: `registry.example/postgres@sha256:${"f".repeat(64)}` } });
  const args = keycloakArgs(plan);
  assert.equal(args[1], "--optimized");
  assert.ok(args.includes("--hostname=https://identity.test.platform.example:9443"));
  assert.ok(args.includes("--https-port=9443"));
  assert.ok(args.includes("--db=postgres"));
  const spec = identityContainer(plan);
  assert.ok(!("/opt/keycloak/lib/quarkus" in spec.tmpfs), "an optimized image needs no build at start");
  assert.ok(spec.envs.some((e) => e.startsWith("KC_DB_URL=jdbc:postgresql://")));
});

test("the entrypoint copies the realm into data/import, reads the admin password from its file and execs kc.sh with every argument quoted", () => {
  const plan = planWith({ realm: "apps" });
  const [shell, flag, script] = keycloakEntrypoint(plan);
  assert.deepEqual([shell, flag], ["/bin/bash", "-c"]);
  assert.match(
    script,
    /^mkdir -p \/opt\/keycloak\/data\/import && cp \/etc\/platform\/tls\/realm\.json \/opt\/keycloak\/data\/import\/apps\.json && KC_BOOTSTRAP_ADMIN_PASSWORD="\$\(< \/etc\/platform\/tls\/admin-password\)" && export KC_BOOTSTRAP_ADMIN_PASSWORD && exec \/opt\/keycloak\/bin\/kc\.sh 'start' /,
  );
  assert.ok(!script.includes("KC_DB_PASSWORD"), "no database password with dev-file");
  for (const arg of keycloakArgs(plan)) assert.ok(script.includes(`'${arg}'`), arg);
});

test("postgres: Keycloak reads the database password from its file, PostgreSQL from POSTGRES_PASSWORD_FILE; no credential env anywhere", () => {
  const plan = planWith({ database: { kind: "postgres", image: `registry.example/postgres@sha256:${"f".repeat(64)}` } });
  const script = keycloakEntrypoint(plan)[2];
  assert.match(script, /&& KC_DB_PASSWORD="\$\(< \/etc\/platform\/tls\/db-password\)" && export KC_DB_PASSWORD && exec /);
  const db = databaseContainer(plan);
  assert.ok(db.envs.includes("POSTGRES_PASSWORD_FILE=/etc/platform/tls/db-password"));
  assert.deepEqual(
    db.volumes.map((v) => v.containerPath),
    ["/etc/platform/tls", "/var/lib/postgresql/data"],
    "the password file needs the TLS volume (the rootfs is read-only)",
  );
  for (const spec of [identityContainer(plan), db]) {
    const names = spec.envs.map((e) => e.slice(0, e.indexOf("=")));
    assert.deepEqual(names.filter(looksLikeCredential), [], spec.name);
  }
});

test("a realm name or port outside the schema never reaches the command line", () => {
  assert.throws(() => planWith({ realm: "x'; rm -rf /" }), /realm/);
  assert.throws(() => planWith({ port: 80 }), /port must be an integer at least 1024/);
});
