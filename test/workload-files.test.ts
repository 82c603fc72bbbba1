// render/workload-files.ts: each workload's file list (both wirings use it) holds exactly the files its
// container, entrypoint or rendered config reads, with each content at its own path, owner and mode.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePlatformConfig } from "../config/load";
import { INFRA_UID } from "../plan/names";
import { buildPlan } from "../plan/plan";
import { renderEnvoyYaml } from "../render/envoy/bootstrap";
import { gatewayContainer, gatewayInput } from "../render/envoy/from-plan";
import { TLS_FILES } from "../render/hardening";
import { databaseContainer, identityContainer } from "../render/keycloak/from-plan";
import { appFiles, databaseFiles, gatewayFiles, identityFiles, serviceFiles } from "../render/workload-files";
import { appContainer, serviceContainer } from "../render/workloads";
import { minimalConfig } from "./support/stack-config";

const POSTGRES = { kind: "postgres", image: `registry.example/postgres@sha256:${"f".repeat(64)}` };

function planWith(database?: Record<string, unknown>) {
  const raw = minimalConfig();
  if (database) raw.identity = { ...raw.identity, database };
  return buildPlan(parsePlatformConfig(raw).config, "files-test");
}

/** Every platform file path a spec or rendered config names (the files the workload opens). */
const namedFiles = (...sources: unknown[]) => [...new Set(sources.flatMap((s) => JSON.stringify(s).match(/\/etc\/platform\/tls\/[A-Za-z0-9._-]+/g) ?? []))].sort();
const paths = (uploads: { file: string }[]) => uploads.map((u) => u.file).sort();
const TLS = { ca: "", cert: "", key: "" };

describe("each workload's list is what it reads", () => {
  for (const database of [undefined, POSTGRES]) {
    const plan = planWith(database);
    const kind = database ? "postgres" : "dev-file";

    it(`${kind}: apps and services get exactly the files their PLATFORM_*_FILE variables name`, () => {
      const app = plan.apps[0];
      assert.deepEqual(paths(appFiles(app, { ...TLS, oauthClientSecret: "" })), namedFiles(appContainer(plan, app)));
      const service = plan.services[0];
      assert.deepEqual(paths(serviceFiles(service, TLS)), namedFiles(serviceContainer(plan, service)));
    });

    it(`${kind}: Keycloak gets what its entrypoint and arguments read, plus the CA every workload gets`, () => {
      const files = paths(identityFiles(plan, { ...TLS, realm: "", adminPassword: "", dbPassword: "" }));
      assert.deepEqual(files, [...namedFiles(identityContainer(plan)), TLS_FILES.ca].sort());
      assert.equal(files.includes("/etc/platform/tls/db-password"), kind === "postgres", "the database password only with PostgreSQL");
      if (kind === "postgres") assert.deepEqual(paths(databaseFiles({ dbPassword: "" })), namedFiles(databaseContainer(plan)));
    });

    it(`${kind}: the gateway gets the bootstrap its command names and the TLS files the bootstrap names`, () => {
      const pin = Buffer.alloc(32).toString("base64");
      const pins = { apps: { [plan.apps[0].config.name]: pin }, services: { [plan.services[0].config.name]: pin }, identity: pin };
      const bootstrap = renderEnvoyYaml(gatewayInput(plan, pins));
      assert.deepEqual(paths(gatewayFiles({ ...TLS, envoyConfig: "" })), namedFiles(gatewayContainer(plan), bootstrap));
    });
  }
});

describe("contents land at their own path, owner and mode", () => {
  it("puts each content in its own file, root-owned, group the workload's, only the CA world-readable", () => {
    const plan = planWith(POSTGRES);
    const uploads = identityFiles(plan, { ca: "CA", cert: "CERT", key: "KEY", realm: "REALM", adminPassword: "ADMIN", dbPassword: "DB" });
    assert.deepEqual(
      uploads.map((u) => [u.file, u.content, u.permissions, u.owner, u.group]),
      [
        [TLS_FILES.ca, "CA", "0444", "0", String(INFRA_UID.identity)],
        [TLS_FILES.cert, "CERT", "0440", "0", String(INFRA_UID.identity)],
        [TLS_FILES.key, "KEY", "0440", "0", String(INFRA_UID.identity)],
        ["/etc/platform/tls/realm.json", "REALM", "0440", "0", String(INFRA_UID.identity)],
        ["/etc/platform/tls/admin-password", "ADMIN", "0440", "0", String(INFRA_UID.identity)],
        ["/etc/platform/tls/db-password", "DB", "0440", "0", String(INFRA_UID.identity)],
      ],
    );
    const app = plan.apps[0];
    const secret = appFiles(app, { ca: "CA", cert: "CERT", key: "KEY", oauthClientSecret: "SECRET" }).find((u) => u.content === "SECRET");
    assert.deepEqual(secret, { file: "/etc/platform/tls/oauth-client-secret", content: "SECRET", permissions: "0440", owner: "0", group: String(app.uid) });
    assert.deepEqual(databaseFiles({ dbPassword: "DB" }).map((u) => u.group), [String(INFRA_UID.database)]);
  });

  it("refuses a PostgreSQL identity without its database password, naming the field", () => {
    assert.throws(() => identityFiles(planWith(POSTGRES), { ...TLS, realm: "", adminPassword: "" }), /postgres.*contents\.dbPassword/);
    assert.equal(identityFiles(planWith(), { ...TLS, realm: "", adminPassword: "", dbPassword: "unused" }).length, 5, "dev-file: no database password file");
  });
});
