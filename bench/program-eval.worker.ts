// One measurement in a fresh process: evaluates either the real program or the raw-resource floor.
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

export function benchConfig(apps: number): Record<string, unknown> {
  const base = minimalConfig();
  const template = base.apps[0];
  base.apps = Array.from({ length: apps }, (_, i) => ({ ...template, name: `app-${i}`, subnetIndex: i }));
  return Object.fromEntries(Object.entries(base).map(([key, value]) => [`platform:${key}`, value]));
}

async function main() {
  const [mode, countText, leavesFile] = process.argv.slice(2);
  const apps = Number(countText);
  const config = benchConfig(apps);
  const started = process.hrtime.bigint();
  let resources = 0;
  if (mode === "platform") {
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
  process.stdout.write(JSON.stringify({ mode, apps, resources, ms, rssMb: process.memoryUsage().rss / 2 ** 20 }) + "\n");
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
