// One measurement in a fresh process: evaluates the real program (engine or Swarm stack), its leaves
// declared flat, or the raw-resource floor.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { readFileSync, writeFileSync } from "node:fs";
import { runProgram } from "../mock-runner/run-program";
import { parsePlatformConfig } from "../config/load";
import { buildPlan } from "../plan/plan";
import { networkInputs } from "../render/networks";
import { appContainer } from "../render/workloads";
import { minimalConfig } from "../test/support/stack-config";

/**
 * `apps` copies of the minimal config's app, pinned to subnet slots 0..apps-1, on an engine stack
 * (`swarm`: the same config as a Swarm stack). The network is one a Swarm stack of 1,000 apps validates
 * with, so that the engine and Swarm figures are of the same config but for platform:orchestrator:
 * /27 app networks (docs/swarm.md, address budget: 2 x (1 app + 2 gateway + 2 egress tasks + 3 update
 * surge) = 16 addresses, a /28 has 13), in a base CIDR that holds 1,000 of them. config/subnet-slots.ts:
 * the first 4 /24 blocks are the platform's networks and each further /24 holds 8 /27 app slots, so a
 * /17 has (128 - 4) x 8 = 992 slots, too few, and a /16 (256 - 4) x 8 = 2,016.
 */
export function benchConfig(apps: number, orchestrator: "engine" | "swarm" = "engine"): Record<string, unknown> {
  const base = minimalConfig();
  const template = base.apps[0];
  base.apps = Array.from({ length: apps }, (_, i) => ({ ...template, name: `app-${i}`, subnetIndex: i }));
  base.network = { baseCidr: "10.208.0.0/16", appPrefixLength: 27 };
  base.orchestrator = orchestrator;
  return Object.fromEntries(Object.entries(base).map(([key, value]) => [`platform:${key}`, value]));
}

async function main() {
  const [mode, countText, leavesFile] = process.argv.slice(2);
  const apps = Number(countText);
  const config = benchConfig(apps, mode === "swarm" ? "swarm" : "engine");
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  let resources = 0;
  if (mode === "swarm") {
    // the real program with platform:orchestrator: swarm (components/swarm/): services, overlays, secrets, configs
    const run = await runProgram(require.resolve("../index"), { config, material: "fast" });
    if (run.ofType("platform:swarm:SwarmPlatform").length !== 1) throw new Error("bench: platform:orchestrator: swarm did not build the Swarm wiring");
    resources = run.resources.length;
  } else if (mode === "platform") {
    const run = await runProgram(require.resolve("../index"), { config, material: "fast" });
    resources = run.resources.length;
    // the leaf resources, for the "flat" floor below
    const leaves = run.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
    if (leavesFile) writeFileSync(leavesFile, JSON.stringify(leaves));
  } else if (mode === "flat") {
    // Exactly the platform's leaf resources with the same inputs, declared flat: no components,
    // no validation, no rendering, no Output wiring. What is left over is the platform's own cost.
    const leaves = JSON.parse(readFileSync(leavesFile, "utf8")) as { type: string; name: string; inputs: Record<string, unknown> }[];
    const classes: Record<string, new (name: string, args: any) => pulumi.CustomResource> = {
      "docker:index/container:Container": docker.Container,
      "docker:index/network:Network": docker.Network,
      "docker:index/volume:Volume": docker.Volume,
      "tls:index/privateKey:PrivateKey": tls.PrivateKey,
      "tls:index/selfSignedCert:SelfSignedCert": tls.SelfSignedCert,
      "tls:index/certRequest:CertRequest": tls.CertRequest,
      "tls:index/locallySignedCert:LocallySignedCert": tls.LocallySignedCert,
      "random:index/randomPassword:RandomPassword": random.RandomPassword,
    };
    const run = await runProgram(() => {
      for (const leaf of leaves) {
        const Class = classes[leaf.type];
        if (!Class) throw new Error(`bench: no class for ${leaf.type}`);
        new Class(leaf.name, leaf.inputs);
      }
    }, { config, material: "fast" });
    resources = run.resources.length;
  } else {
    // The SDK's floor as the issue states it: one raw docker.Network and one docker.Container per app.
    const run = await runProgram(() => {
      const raw = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace("platform:", ""), v]));
      const plan = buildPlan(parsePlatformConfig(raw).config, "bench");
      plan.apps.forEach((app) => {
        new docker.Network(`net-${app.config.name}`, networkInputs(plan, app.network));
        new docker.Container(`ctr-${app.config.name}`, appContainer(plan, app));
      });
    }, { config, material: "fast" });
    resources = run.resources.length;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // CPU time of this process (all its threads): unlike `ms`, barely moved by other work on the host
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(JSON.stringify({ mode, apps, resources, ms, cpuMs, rssMb: process.memoryUsage().rss / 2 ** 20 }) + "\n");
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
