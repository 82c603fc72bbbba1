// Keycloak accepts the realms the schema lets through, at every bound: the realm name, app (client) and
// service (scope) names of 1, 50, 51 and 63 characters, words YAML or JSON read otherwise, token
// lifespans of 30 and 3600 seconds. Two realms are imported by the real Keycloak of the platform's image
// (`kc.sh import --dir`, one start for both, about a minute): the import must end with both imported.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parsePlatformConfig } from "../config/load";
import { buildPlan } from "../plan/plan";
import { realmInput } from "../render/keycloak/from-plan";
import { renderRealmJson } from "../render/keycloak/realm";
import { checkRealmImport } from "../render/keycloak/realm-schema";
import { dockerUnavailableSync } from "../sandbox/docker-availability";
import { KEYCLOAK_IMAGE } from "./support/real-keycloak";
import { minimalConfig } from "./support/stack-config";

const name = (first: string, length: number) => (length === 1 ? first : `${first}${"x".repeat(length - 2)}${length % 10}`);

/** A realm import at the bounds: every name the schema accepts at its shortest and longest. */
function boundaryRealm(realm: string, lifespan: number): string {
  const config = minimalConfig();
  config.identity.realm = realm;
  config.identity.accessTokenLifespanSeconds = lifespan;
  const services = [name("s", 1), name("t", 63), "true", "null"];
  config.services = services.map((service, i) => ({ ...config.services[0], name: service, port: [1, 65535, 8080, 443][i] }));
  const apps = [name("a", 1), name("b", 50), name("c", 51), name("d", 63), "false", "nan"];
  config.apps = apps.map((app, i) => ({ ...config.apps[0], name: app, services: services.slice(0, 1 + (i % services.length)).map((s) => ({ name: s })), subnetIndex: i }));
  const plan = buildPlan(parsePlatformConfig(config).config, "kc-bounds");
  const json = renderRealmJson(realmInput(plan), Object.fromEntries(apps.map((app) => [app, "A1b2C3d4".repeat(5)])));
  assert.deepEqual(checkRealmImport(JSON.parse(json)), []);
  return json;
}

const image = KEYCLOAK_IMAGE["dev-file"];

describe("the real Keycloak imports realms at every bound of the schema", { skip: dockerUnavailableSync([image]), timeout: 300_000 }, () => {
  it("imports both boundary realms", () => {
    const realms = [name("r", 63), "q"];
    const dir = mkdtempSync(join(tmpdir(), "kc-bounds-"));
    try {
      chmodSync(dir, 0o755);
      realms.forEach((realm, i) => {
        const file = join(dir, `${realm}-realm.json`);
        writeFileSync(file, boundaryRealm(realm, [30, 3600][i]));
        chmodSync(file, 0o644);
      });
      const run = spawnSync("docker", ["run", "--rm", "--network", "none", "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true", "-v", `${dir}:/import:ro`, image, "import", "--optimized", "--dir", "/import"], {
        encoding: "utf8",
        timeout: 280_000,
      });
      const output = `${run.stdout}${run.stderr}`;
      assert.equal(run.status, 0, output.slice(-4000));
      for (const realm of realms) assert.match(output, new RegExp(`Realm '${realm}' imported`), output.slice(-4000));
      assert.doesNotMatch(output, /\bERROR\b/, output.slice(-4000));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
