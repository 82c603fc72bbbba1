// render/keycloak/checked.ts: the realm and its agreement with the gateway, as both wirings check
// them before declaring anything; and the Swarm wiring's refusal of files that do not match.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { createSwarmFiles } from "../components/swarm/files";
import { parsePlatformConfig } from "../config/load";
import { runProgram } from "../mock-runner/run-program";
import { buildPlan } from "../plan/plan";
import { renderEnvoyBootstrap } from "../render/envoy/bootstrap";
import { gatewayInput, placeholderPins } from "../render/envoy/from-plan";
import { checkedRealm, checkedRealmImport, checkGatewayAgreesWithRealm, RenderCheckError } from "../render/keycloak/checked";
import { credentialUpload, FileUpload } from "../render/hardening";
import { swarmFileRef } from "../render/swarm/files";
import { rawPlatformConfig } from "./support/stack-config";

const plan = buildPlan(parsePlatformConfig(rawPlatformConfig("dev")).config, "dev");
const secretFor = (app: string) => `${app.replace(/[^a-z0-9]/gi, "")}${"x".repeat(40)}`.slice(0, 40);
const secrets = Object.fromEntries(plan.apps.map((a) => [a.config.name, secretFor(a.config.name)]));

const refusal = (check: () => unknown): string => {
  try {
    check();
  } catch (error) {
    assert.ok(error instanceof RenderCheckError, String(error));
    return error.message;
  }
  assert.fail("the check passed");
};

describe("the realm and the gateway, checked before anything is declared", () => {
  it("passes the dev stack: a realm with one client per app, an import with each app's own secret", () => {
    const realm = checkedRealm(plan);
    assert.deepEqual(realm.clients.map((c) => c.clientId).sort(), plan.apps.map((a) => a.config.name).sort());
    const imported = JSON.parse(checkedRealmImport(plan, secrets));
    for (const client of imported.clients) assert.equal(client.secret, secrets[client.clientId]);
    checkGatewayAgreesWithRealm(realm, renderEnvoyBootstrap(gatewayInput(plan, placeholderPins(plan))));
  });

  it("refuses a realm Keycloak would reject, listing each problem by its path", () => {
    const broken = { ...plan, config: { ...plan.config, identity: { ...plan.config.identity, accessTokenLifespanSeconds: 0 } } };
    assert.match(refusal(() => checkedRealm(broken)), new RegExp(`^realm ${plan.config.identity.realm} is invalid:\\n  accessTokenLifespan: `));
  });

  it("refuses an import whose secret is a placeholder Keycloak would never resolve", () => {
    const [first] = plan.apps.map((a) => a.config.name).sort();
    const message = refusal(() => checkedRealmImport(plan, { ...secrets, [first]: "${CLIENT_SECRET}" }));
    assert.match(message, new RegExp(`^realm import ${plan.config.identity.realm} is invalid:\\n  clients\\.0\\.secret: a client secret is generated`));
  });

  it("refuses a gateway that admits an app the realm has no client for", () => {
    const realm = checkedRealm(plan);
    const dropped = realm.clients[0].clientId;
    const message = refusal(() => checkGatewayAgreesWithRealm({ ...realm, clients: realm.clients.slice(1) }, renderEnvoyBootstrap(gatewayInput(plan, placeholderPins(plan)))));
    assert.match(message, /^gateway and realm disagree:\n  /);
    assert.ok(message.includes(dropped), message);
  });
});

describe("Swarm files are the uploads' files, matched by path", () => {
  const KEY = "/etc/platform/tls/key.pem";
  const refuseWith = async (uploads: FileUpload[]): Promise<string> => {
    const refs = [credentialUpload(KEY, "", 1000)].map(swarmFileRef);
    const run = runProgram(() => createSwarmFiles("files-app", "plat-dev-app", refs, uploads, [], new pulumi.ComponentResource("test:swarm:Files", "files")), { config: {}, stack: "dev" });
    return run.then(
      () => assert.fail("the files were created"),
      (error: Error) => error.message,
    );
  };

  it("refuses a mounted file with no upload, an upload with no mount, and an owner or mode that differ", async () => {
    assert.match(await refuseWith([]), /service plat-dev-app: no content for its secret key \(\/etc\/platform\/tls\/key\.pem\)/);
    assert.match(
      await refuseWith([credentialUpload(KEY, "k", 1000), credentialUpload("/etc/platform/tls/extra", "x", 1000)]),
      /service plat-dev-app: \/etc\/platform\/tls\/extra not among the files its rendered service mounts/,
    );
    assert.match(await refuseWith([credentialUpload(KEY, "k", 1001)]), /service plat-dev-app: \/etc\/platform\/tls\/key\.pem is rendered as a secret 0:1000 0440 but uploaded as a secret 0:1001 0440/);
  });
});
