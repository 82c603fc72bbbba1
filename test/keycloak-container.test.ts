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

test("default: optimized start, pinned hostname URL, https only, health on loopback management, local cache, dev-file with realm import", () => {
  const plan = planWith({});
  assert.deepEqual(keycloakArgs(plan), [
    "start",
    "--optimized",
    "--hostname=https://identity.test.platform.example:8443",
    "--hostname-strict=true",
    "--http-enabled=false",
    "--https-port=8443",
    "--https-certificate-file=/etc/platform/tls/cert.pem",
    "--https-certificate-key-file=/etc/platform/tls/key.pem",
    "--health-enabled=true",
    "--http-management-scheme=http",
    "--http-management-host=127.0.0.1",
    "--http-management-port=9000",
    "--cache=local",
    "--db=dev-file",
    "--import-realm",
  ]);
  const spec = identityContainer(plan);
  assert.deepEqual(Object.keys(spec.tmpfs).sort(), ["/opt/keycloak/data", "/tmp"], "an optimized start writes no lib/quarkus: data/ and /tmp are the only writable places");
  assert.match(spec.tmpfs["/opt/keycloak/data"], /^rw,noexec,nosuid,nodev,size=/);
  assert.equal(spec.readOnly, true);
  assert.equal(spec.user, "9200:9200");
  assert.deepEqual(spec.capabilities, { drops: ["ALL"], adds: [] });
  assert.deepEqual(spec.securityOpts, ["no-new-privileges:true"]);
  assert.equal(spec.memory, 1024, "the default limit: Keycloak rests at 450-610 MiB");
  assert.equal(spec.memorySwap, spec.memory);
  assert.deepEqual(spec.networksAdvanced.map((n) => n.name), ["plat-kc-test-identity"]);
});

test("optimizedImage: omitted or true gives the same arguments; false never reaches the renderer", () => {
  assert.deepEqual(keycloakArgs(planWith({ optimizedImage: true })), keycloakArgs(planWith({})));
  assert.throws(() => planWith({ optimizedImage: false }), /platform:identity\.optimizedImage: Keycloak cannot rebuild itself under the platform's read-only root/);
});

test("a custom port and postgres change exactly the matching arguments; postgres imports in the entrypoint, not with --import-realm", () => {
  const plan = planWith({ port: 9443, database: { kind: "postgres", image: `registry.example/postgres@sha256:${"f".repeat(64)}` } });
  const defaults = keycloakArgs(planWith({}));
  const args = keycloakArgs(plan);
  assert.deepEqual(
    args.filter((a) => !defaults.includes(a)),
    ["--hostname=https://identity.test.platform.example:9443", "--https-port=9443", "--db=postgres"],
  );
  assert.deepEqual(
    defaults.filter((a) => !args.includes(a)),
    ["--hostname=https://identity.test.platform.example:8443", "--https-port=8443", "--db=dev-file", "--import-realm"],
  );
  const spec = identityContainer(plan);
  assert.deepEqual(Object.keys(spec.tmpfs).sort(), ["/opt/keycloak/data", "/tmp"]);
  assert.ok(spec.envs.some((e) => e.startsWith("KC_DB_URL=jdbc:postgresql://")));
});

// The import's own JVM opens the management interface too, on 0.0.0.0 unless told otherwise (seen with
// the real server: reachable from the identity network for about a second per postgres start).
test("postgres: the import before the start keeps the management interface on loopback as well", () => {
  const plan = planWith({ database: { kind: "postgres", image: `registry.example/postgres@sha256:${"f".repeat(64)}` } });
  const importCommand = keycloakEntrypoint(plan)[2].split(" && ").find((step) => step.includes("kc.sh import"));
  assert.ok(importCommand?.includes("--http-management-host=127.0.0.1") || importCommand?.startsWith("KC_HTTP_MANAGEMENT_HOST=127.0.0.1 "), importCommand);
});

test("the healthcheck asks the loopback management interface for /health/ready over HTTP/1.1 and passes only on a 200 status line", () => {
  const { healthcheck } = identityContainer(planWith({}));
  const [cmd, shell, flag, script] = healthcheck.tests;
  assert.deepEqual([cmd, shell, flag], ["CMD", "bash", "-c"], "exec form: bash, the image has no curl");
  assert.equal(healthcheck.tests.length, 4);
  assert.ok(script.startsWith("exec 3<>/dev/tcp/127.0.0.1/9000 && "), script);
  assert.ok(script.includes(String.raw`printf 'GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3`), script);
  assert.ok(script.endsWith("head -n 1 <&3 | grep -q ' 200 '"), "only the status line counts, not a body that mentions 200");
  assert.ok(!script.includes("8443"), "the check never touches the HTTPS port");
  assert.deepEqual(
    { interval: healthcheck.interval, timeout: healthcheck.timeout, retries: healthcheck.retries, startPeriod: healthcheck.startPeriod },
    { interval: "5s", timeout: "5s", retries: 3, startPeriod: "180s" },
    "start period above the measured 25-58 s start at 1 CPU, with room for a loaded host",
  );
});

test("dev-file: the entrypoint copies the realm into data/import, reads the admin password from its file and execs kc.sh start with every argument quoted", () => {
  const plan = planWith({ realm: "apps" });
  const [shell, flag, script] = keycloakEntrypoint(plan);
  assert.deepEqual([shell, flag], ["/bin/bash", "-c"]);
  assert.match(
    script,
    /^mkdir -p \/opt\/keycloak\/data\/import && cp \/etc\/platform\/tls\/realm\.json \/opt\/keycloak\/data\/import\/apps\.json && KC_BOOTSTRAP_ADMIN_PASSWORD="\$\(< \/etc\/platform\/tls\/admin-password\)" && export KC_BOOTSTRAP_ADMIN_PASSWORD && exec \/opt\/keycloak\/bin\/kc\.sh 'start' '--optimized' /,
  );
  assert.ok(script.endsWith(" '--db=dev-file' '--import-realm'"), "the in-memory database imports the realm at start");
  assert.ok(!script.includes("kc.sh import"), "no separate import with dev-file: the database is new at every start");
  assert.ok(!script.includes("KC_DB_PASSWORD"), "no database password with dev-file");
  for (const arg of keycloakArgs(plan)) assert.ok(script.includes(`'${arg}'`), arg);
});

test("postgres: the entrypoint imports the realm with --override true after reading both passwords and before exec kc.sh start; PostgreSQL reads POSTGRES_PASSWORD_FILE; no credential env anywhere", () => {
  const plan = planWith({ realm: "apps", database: { kind: "postgres", image: `registry.example/postgres@sha256:${"f".repeat(64)}` } });
  const script = keycloakEntrypoint(plan)[2];
  assert.match(
    script,
    /&& KC_BOOTSTRAP_ADMIN_PASSWORD="\$\(< \/etc\/platform\/tls\/admin-password\)" && export KC_BOOTSTRAP_ADMIN_PASSWORD && KC_DB_PASSWORD="\$\(< \/etc\/platform\/tls\/db-password\)" && export KC_DB_PASSWORD && \/opt\/keycloak\/bin\/kc\.sh import --optimized --http-management-host=127\.0\.0\.1 --override true --file \/opt\/keycloak\/data\/import\/apps\.json && exec \/opt\/keycloak\/bin\/kc\.sh 'start' '--optimized' /,
    "the import needs the database password; `&&` keeps a failed import from starting a stale realm",
  );
  assert.ok(script.endsWith(" '--db=postgres'"), "no --import-realm: it would skip the realm that already exists");
  assert.equal(script.split("kc.sh import").length, 2, "one import per start");
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
