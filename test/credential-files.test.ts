// Credentials reach containers as files in their TLS volume, never as env: the dev stack under mocks.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProgramRun, runProgram } from "../mock-runner/run-program";
import { buildPlan } from "../plan/plan";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../config/load";
import { looksLikeCredential } from "../policies/rules/container/env-secrets";
import { OAUTH_CLIENT_SECRET_FILE } from "../render/workloads";
import { PROGRAM, stackConfig } from "./support/stack-config";

type Obj = Record<string, any>;
const CONTAINER = "docker:index/container:Container";
const PASSWORD = "random:index/randomPassword:RandomPassword";

const role = (c: Obj) => c.inputs.labels.find((l: Obj) => l.label === "platform.role")?.value;
const envNames = (c: Obj) => (c.inputs.envs as string[]).map((e) => e.slice(0, e.includes("=") ? e.indexOf("=") : e.length));
const envValue = (c: Obj, name: string) => (c.inputs.envs as string[]).find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1);
/** A workload's upload seed, which carries its uploads (Docker name `<name>-seed`, see seedContainer). */
function seedOf(containers: Obj[], workload: Obj): Obj {
  const seeds = containers.filter((c) => c.inputs.name === `${workload.inputs.name}-seed`);
  assert.equal(seeds.length, 1, `${workload.inputs.name} has exactly one upload seed`);
  const seed = seeds[0];
  assert.equal(role(seed), "seed", `${seed.inputs.name} role`);
  assert.equal(seed.name, `${workload.name}-seed`, `${seed.inputs.name} logical name`);
  assert.equal(seed.parentType, workload.parentType, `${seed.inputs.name} parent`);
  assert.deepEqual([seed.inputs.start, seed.inputs.mustRun, seed.inputs.networkMode, seed.inputs.readOnly], [false, false, "none", false], `${seed.inputs.name}: never started, no network, writable root`);
  assert.equal(seed.inputs.networksAdvanced, undefined, `${seed.inputs.name} joins no network`);
  assert.equal(seed.inputs.tmpfs, undefined, `${seed.inputs.name} has no tmpfs`);
  assert.deepEqual(seed.inputs.volumes, workload.inputs.volumes.map((v: any) => ({ ...v, readOnly: false })), `${seed.inputs.name} mounts its workload's volumes, writable`);
  assert.equal(seed.inputs.user, workload.inputs.user, `${seed.inputs.name} runs as its workload's user`);
  assert.equal(workload.inputs.uploads, undefined, `${workload.inputs.name}: nothing is uploaded into a read-only root`);
  return seed;
}

describe("credentials as files in the dev stack, under mocks", { timeout: 180_000 }, () => {
  const plan = buildPlan(parsePlatformConfig(rawConfigFromFlatMap(stackConfig("dev"))).config, "dev");
  let run: ProgramRun;
  let containers: Obj[];
  let realmSecrets: Map<string, string>;

  before(async () => {
    run = await runProgram(PROGRAM, { config: stackConfig("dev"), stack: "dev", material: "fast" });
    containers = run.ofType(CONTAINER);
    const keycloak = containers.find((c) => role(c) === "identity")!;
    const realmFiles = seedOf(containers, keycloak).inputs.uploads.filter((u: Obj) => u.file === "/etc/platform/tls/realm.json");
    assert.equal(realmFiles.length, 1, "one realm import");
    const realm = JSON.parse(realmFiles[0].content);
    realmSecrets = new Map(realm.clients.map((c: Obj) => [c.clientId, c.secret]));
  });

  it("no container has an env var whose name looks like a credential (the env-plaintext-secrets pattern)", () => {
    const workloads = containers.filter((c) => role(c) !== "seed");
    assert.ok(workloads.length >= plan.apps.length + plan.services.length + 3, "apps, services, gateway, egress and identity are all checked");
    for (const c of workloads) seedOf(containers, c);
    assert.equal(containers.length, 2 * workloads.length, "one seed per workload, and their env is checked too");
    const offending = containers.flatMap((c) => envNames(c).filter(looksLikeCredential).map((name) => `${c.inputs.name}: ${name}`));
    assert.deepEqual(offending, []);
  });

  it("the realm import gives every app's client its own generated secret", () => {
    assert.ok(plan.apps.length >= 2, "the dev stack needs two apps to show that none gets another's secret");
    assert.deepEqual([...realmSecrets.keys()].sort(), plan.apps.map((a) => a.config.name).sort());
    const generated = new Map(run.ofType(PASSWORD).map((p) => [p.name, p.state.result as string]));
    for (const app of plan.apps) assert.equal(realmSecrets.get(app.config.name), [...generated].find(([name]) => name.endsWith(`-client-${app.config.name}`))?.[1], app.config.name);
    assert.equal(new Set(realmSecrets.values()).size, realmSecrets.size, "secrets are distinct");
  });

  it("each app's secret file: named by PLATFORM_OAUTH_CLIENT_SECRET_FILE, secret, root:<app gid> 0440, exactly that app's realm secret, and no other app's", () => {
    for (const app of plan.apps) {
      const container = containers.find((c) => c.inputs.name === app.containerName)!;
      assert.ok(container, app.containerName);
      assert.equal(envValue(container, "PLATFORM_OAUTH_CLIENT_SECRET_FILE"), OAUTH_CLIENT_SECRET_FILE);
      assert.equal(envValue(container, "PLATFORM_OAUTH_CLIENT_ID"), app.config.name);
      const seed = seedOf(containers, container);
      assert.ok(seed.secretInputs.includes("uploads"), `${app.config.name}: uploads are a Pulumi secret`);
      const files = seed.inputs.uploads.filter((u: Obj) => u.file === OAUTH_CLIENT_SECRET_FILE);
      assert.equal(files.length, 1, `${app.config.name}: one secret file`);
      const gid = container.inputs.user.split(":")[1];
      assert.equal(gid, String(app.uid));
      assert.deepEqual(files[0], { file: OAUTH_CLIENT_SECRET_FILE, content: realmSecrets.get(app.config.name), permissions: "0440", owner: "0", group: gid });
      assert.ok(!JSON.stringify(container.inputs).includes(realmSecrets.get(app.config.name)!), `${app.config.name}: its own secret is only in the seed's upload`);
      for (const holder of [container, seed]) {
        const inputs = JSON.stringify(holder.inputs);
        for (const [client, secret] of realmSecrets) if (client !== app.config.name) assert.ok(!inputs.includes(secret), `${holder.inputs.name} holds ${client}'s secret`);
      }
    }
  });

  it("no other container holds an app's client secret, except Keycloak's realm import (all in upload seeds)", () => {
    const holders = containers.filter((c) => [...realmSecrets.values()].some((s) => JSON.stringify(c.inputs).includes(s)));
    const expected = [...plan.apps.map((a) => a.containerName), containers.find((c) => role(c) === "identity")!.inputs.name].map((name) => `${name}-seed`).sort();
    assert.deepEqual(holders.map((c) => c.inputs.name).sort(), expected);
  });
});
