// EgressProxy inside the real program (index.ts) under Pulumi's mocks with the dev stack's config.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { evaluate } from "../policies/evaluate";
import { ProgramRun, RecordedResource, runProgram } from "../mock-runner/run-program";
import { renderSquidConf, squidInputFromPlan, SQUID_CONF_FILE } from "../render/squid";
import { loadStackFile } from "../config/load";
import { buildPlan, infraAddress, PlatformPlan } from "../plan/plan";
import { GOLDEN_DIR } from "./support/envoy-golden";
import { PROGRAM, REPO_ROOT, stackConfig } from "./support/stack-config";

const CONTAINER = "docker:index/container:Container";
const EGRESS = "platform:egress:EgressProxy";
const role = (r: RecordedResource) => r.inputs.labels?.find((l: any) => l.label === "platform.role")?.value;

describe("EgressProxy in the dev stack (mocks)", { timeout: 120_000 }, () => {
  let run: ProgramRun;
  let plan: PlatformPlan;
  let egress: RecordedResource;
  let seed: RecordedResource;

  before(async () => {
    run = await runProgram(PROGRAM, { config: stackConfig("dev"), stack: "dev", material: "fast" });
    plan = buildPlan(loadStackFile(join(REPO_ROOT, "Pulumi.dev.yaml")).config, "dev");
    const found = run.ofType(CONTAINER).filter((c) => role(c) === "egress");
    assert.equal(found.length, 1, "exactly one egress container");
    egress = found[0];
    const seeds = run.ofType(CONTAINER).filter((c) => c.inputs.name === `${egress.inputs.name}-seed`);
    assert.equal(seeds.length, 1, "exactly one upload seed for the egress container");
    seed = seeds[0];
  });

  it("is one component under Platform, owning the Squid container and its config volume", () => {
    const components = run.ofType(EGRESS);
    assert.equal(components.length, 1);
    assert.equal(components[0].parentType, "platform:index:Platform");
    assert.equal(egress.parentType, EGRESS);
    const volumes = run.ofType("docker:index/volume:Volume").filter((v) => v.parentType === EGRESS);
    assert.deepEqual(volumes.map((v) => v.inputs.name), ["plat-dev-egress-conf"]);
    assert.deepEqual(egress.inputs.volumes, [{ volumeName: "plat-dev-egress-conf", containerPath: "/etc/squid/platform", readOnly: true }]);
    // the squid container and its upload seed, nothing else
    assert.deepEqual(run.ofType(CONTAINER).filter((c) => c.parentType === EGRESS).map((c) => c.inputs.name).sort(), ["plat-dev-egress", "plat-dev-egress-seed"]);
  });

  it("has an upload seed: a never-started, network-less twin with a writable root and the same volume", () => {
    assert.equal(seed.name, `${egress.name}-seed`, "logical name");
    assert.equal(seed.parentType, EGRESS);
    assert.equal(role(seed), "seed");
    assert.deepEqual(seed.inputs.labels.filter((l: any) => l.label !== "platform.role"), egress.inputs.labels.filter((l: any) => l.label !== "platform.role"), "platform.stack (and any app/service label) kept");
    assert.deepEqual([seed.inputs.start, seed.inputs.mustRun, seed.inputs.networkMode, seed.inputs.readOnly], [false, false, "none", false]);
    assert.equal(seed.inputs.networksAdvanced, undefined);
    assert.equal(seed.inputs.tmpfs, undefined);
    assert.deepEqual(seed.inputs.volumes, egress.inputs.volumes.map((v: any) => ({ ...v, readOnly: false })));
    assert.ok(egress.inputs.volumes.every((v: any) => v.readOnly === true), "the proxy mounts its config read-only");
    for (const key of ["image", "user", "capabilities", "privileged", "securityOpts", "memory", "memorySwap", "cpus", "ulimits"]) assert.deepEqual(seed.inputs[key], egress.inputs[key], key);
    assert.equal(egress.inputs.uploads, undefined, "nothing is uploaded into the read-only squid container");
  });

  it("uploads exactly the squid.conf rendered from the stack config, root-owned and read-only", () => {
    assert.equal(egress.inputs.uploads, undefined);
    const uploads = seed.inputs.uploads as any[];
    assert.equal(uploads.length, 1);
    assert.equal(uploads[0].file, SQUID_CONF_FILE);
    assert.equal(uploads[0].content, renderSquidConf(squidInputFromPlan(plan)));
    assert.equal(uploads[0].content, readFileSync(join(GOLDEN_DIR, "squid", "dev-stack.squid.conf"), "utf8"));
    assert.deepEqual([uploads[0].owner, uploads[0].group, uploads[0].permissions], ["0", "0", "0444"]);
    assert.deepEqual(egress.inputs.command, ["squid", "-N", "-f", SQUID_CONF_FILE]);
  });

  it("is hardened: non-root, no capabilities, read-only root, no new privileges, limits, no ports published", () => {
    const c = egress.inputs;
    assert.equal(c.user, "13:13");
    assert.deepEqual(c.capabilities, { drops: ["ALL"], adds: [] });
    assert.equal(c.readOnly, true);
    assert.equal(c.privileged, false);
    assert.deepEqual(c.securityOpts, ["no-new-privileges:true"]);
    assert.deepEqual(Object.keys(c.tmpfs), ["/tmp"]);
    assert.equal(c.memory, plan.config.egress.resources.memoryMb);
    assert.equal(c.cpus, String(plan.config.egress.resources.cpus));
    assert.ok(c.ulimits.some((u: any) => u.name === "nproc" && u.hard === plan.config.egress.resources.maxProcesses));
    assert.equal(c.publishAllPorts, false);
    assert.equal(c.ports, undefined);
    assert.equal(c.image, plan.config.egress.image);
    assert.equal(c.healthcheck.tests[0], "CMD");
    assert.match(c.healthcheck.tests.join(" "), new RegExp(`/dev/tcp/127\\.0\\.0\\.1/${plan.config.egress.port}`));
  });

  it("joins the outbound network first and every app network at that app's egress address", () => {
    const attachments = egress.inputs.networksAdvanced as any[];
    assert.equal(egress.inputs.networkMode, undefined, "networkMode would make Docker drop the static address");
    assert.deepEqual(attachments[0], { name: plan.networks.outbound.dockerName, ipv4Address: infraAddress(plan.networks.outbound, "egress"), aliases: ["egress"] });
    assert.deepEqual(
      attachments.slice(1).map((a) => [a.name, a.ipv4Address]),
      plan.apps.map((app) => [app.network.dockerName, app.egressIp]),
    );
    assert.ok(!attachments.some((a) => a.name === plan.networks.services.dockerName || a.name === plan.networks.identity.dockerName), "no route to services or identity");
  });

  it("is the only container on the outbound network", () => {
    const containers = run.ofType(CONTAINER);
    // upload seeds join no network at all; every other container lists its networks
    const seeds = containers.filter((c) => role(c) === "seed");
    assert.ok(seeds.length >= plan.apps.length + plan.services.length + 3, "a seed per app, service, gateway, egress and identity");
    for (const s of seeds) assert.deepEqual([s.inputs.networkMode, s.inputs.networksAdvanced], ["none", undefined], s.inputs.name);
    const workloads = containers.filter((c) => role(c) !== "seed");
    for (const c of workloads) assert.ok(Array.isArray(c.inputs.networksAdvanced) && c.inputs.networksAdvanced.length > 0, `${c.inputs.name} lists its networks`);
    const onOutbound = workloads.filter((c) => (c.inputs.networksAdvanced as any[]).some((a) => a.name === plan.networks.outbound.dockerName));
    assert.deepEqual(onOutbound.map(role), ["egress"]);
  });

  it("is what every app's HTTP_PROXY/HTTPS_PROXY points at, on the app's own network", () => {
    for (const app of plan.apps) {
      const container = run.ofType(CONTAINER).find((c) => c.inputs.name === app.containerName)!;
      const envs = container.inputs.envs as string[];
      const address = (egress.inputs.networksAdvanced as any[]).find((a) => a.name === app.network.dockerName).ipv4Address;
      for (const key of ["HTTP_PROXY", "HTTPS_PROXY"]) assert.ok(envs.includes(`${key}=http://${address}:${plan.config.egress.port}`), `${app.config.name} ${key}`);
      assert.ok(envs.some((e) => e.startsWith("NO_PROXY=") && e.includes(app.gatewayIp)), `${app.config.name} NO_PROXY`);
      assert.match(readFileSync(join(GOLDEN_DIR, "squid", "dev-stack.squid.conf"), "utf8"), new RegExp(`^acl app_${app.config.name}_src src ${app.network.subnet.replace(/\./g, "\\.")}$`, "m"));
    }
  });

  it("passes every policy rule (no finding on the egress container nor on its upload seed)", () => {
    const resources = run.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs, secretInputs: r.secretInputs }));
    const findings = evaluate(resources).filter((f) => (f.resourceName === egress.name || f.resourceName === seed.name) && f.ruleId !== "cis-5.28-image-pinned");
    assert.deepEqual(findings.map((f) => `${f.resourceName} ${f.ruleId}: ${f.message}`), []);
  });
});
