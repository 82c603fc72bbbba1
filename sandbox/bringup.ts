// Stands a stack up in the local Docker mirror: evaluates the real program (index.ts) under Pulumi's
// mocks with real key material, then creates its networks, volumes and containers through the engine
// exactly as declared. Containers whose image is absent are reported as not started.
import { RecordedResource, runProgram } from "../mock-runner/run-program";
import { ImageAbsentError, ProviderMirror } from "./provider-mirror/docker-resources";
import { REPO_ROOT, StackInput } from "./stack-input";
import { join } from "node:path";

export const PROGRAM = join(REPO_ROOT, "index.ts");

interface StartedContainer {
  resource: string;
  name: string;
  id: string;
  labels: Record<string, string>;
  inputs: Record<string, any>;
  /** what the sandbox added beyond the declared inputs (the static probe mount of an app; provider-mirror/probe-mount.ts) */
  sandboxOnly: string[];
}

/** A declared value the engine did not honour (what the provider would leave behind as well). */
interface Discrepancy {
  resource: string;
  field: string;
  declared: string;
  actual: string;
}

export interface BringUp {
  resources: RecordedResource[];
  containers: StartedContainer[];
  discrepancies: Discrepancy[];
  notStarted: { resource: string; name: string; image: string; labels: Record<string, string>; inputs: Record<string, any>; reason: string }[];
}

/** what each wiring's sandbox creates in the engine (a one-host engine, or a swarm through its manager) */
const CREATED_BY = {
  engine: new Set(["docker:index/network:Network", "docker:index/volume:Volume", "docker:index/container:Container"]),
  swarm: new Set(["docker:index/network:Network", "docker:index/service:Service", "docker:index/secret:Secret", "docker:index/serviceConfig:ServiceConfig"]),
};
export type Wiring = keyof typeof CREATED_BY;
/** provider resources whose outputs the mocks compute with real material (mock-runner/key-material.ts) */
const MATERIALIZED = /^(tls|random):/;

export function labelsOf(inputs: Record<string, any>): Record<string, string> {
  return Object.fromEntries(((inputs.labels ?? []) as { label: string; value: string }[]).map((l) => [l.label, l.value]));
}

/** Refuses, before anything is created, a resource type the sandbox cannot reproduce. */
export function checkReproducible(resources: RecordedResource[], wiring: Wiring = "engine"): void {
  for (const r of resources) {
    if (!r.custom || r.type.startsWith("pulumi:providers:") || CREATED_BY[wiring].has(r.type) || MATERIALIZED.test(r.type)) continue;
    const other = wiring === "engine" && CREATED_BY.swarm.has(r.type) ? " (a Swarm stack, platform:orchestrator: swarm, is stood up on a swarm: sandbox/swarm/session.ts)" : "";
    throw new Error(`${r.name}: resource type ${r.type} cannot be reproduced by the ${wiring} sandbox; only ${[...CREATED_BY[wiring]].map((t) => t.split(":").pop()).join("/")} and tls/random resources can${other}`);
  }
}

export async function evaluateProgram(input: StackInput, wiring: Wiring = "engine"): Promise<RecordedResource[]> {
  const run = await runProgram(PROGRAM, { config: input.config, stack: input.stackName, material: "real" });
  checkReproducible(run.resources, wiring);
  return run.resources;
}

export async function bringUp(mirror: ProviderMirror, resources: RecordedResource[], log: (line: string) => void = () => {}): Promise<BringUp> {
  const result: BringUp = { resources, containers: [], discrepancies: [], notStarted: [] };
  for (const r of resources.filter((r) => r.type === "docker:index/network:Network")) {
    await mirror.createNetwork(r.name, r.inputs);
    log(`network   ${r.inputs.name}`);
  }
  for (const r of resources.filter((r) => r.type === "docker:index/volume:Volume")) {
    await mirror.createVolume(r.name, r.inputs);
    log(`volume    ${r.inputs.name}`);
  }
  for (const r of resources.filter((r) => r.type === "docker:index/container:Container")) {
    const labels = labelsOf(r.inputs);
    try {
      const created = await mirror.createContainer(r.name, r.inputs);
      result.containers.push({ resource: r.name, name: created.name, id: created.id, labels, inputs: r.inputs, sandboxOnly: created.sandboxOnly });
      log(`container ${created.name}${created.sandboxOnly.length ? ` (sandbox only, not in production: ${created.sandboxOnly.join(", ")})` : ""}`);
      const found = await endpointDiscrepancies(mirror, r.name, created.id, r.inputs);
      for (const d of found) log(`  ${d.field}: declared ${d.declared}, actual ${d.actual}`);
      result.discrepancies.push(...found);
    } catch (error) {
      if (!(error instanceof ImageAbsentError)) throw error;
      result.notStarted.push({ resource: r.name, name: r.inputs.name, image: error.image, labels, inputs: r.inputs, reason: error.message });
      log(`container ${r.inputs.name}: ${error.message}`);
    }
  }
  return result;
}

/** Compares each declared network attachment (static address, aliases) with the running endpoint. */
export async function endpointDiscrepancies(mirror: ProviderMirror, resource: string, id: string, inputs: Record<string, any>): Promise<Discrepancy[]> {
  const info = await mirror.docker.getContainer(id).inspect();
  const found: Discrepancy[] = [];
  ((inputs.networksAdvanced ?? []) as { name: string; ipv4Address?: string; aliases?: string[] }[]).forEach((attachment, i) => {
    const endpoint = info.NetworkSettings.Networks[attachment.name];
    const field = `networksAdvanced[${i}]`;
    if (!endpoint) {
      found.push({ resource, field: `${field}.name`, declared: attachment.name, actual: "not attached" });
      return;
    }
    if (attachment.ipv4Address && endpoint.IPAddress !== attachment.ipv4Address) {
      const why = inputs.networkMode === attachment.name ? " (networkMode names the same network: Docker keeps the endpoint made at create time)" : "";
      found.push({ resource, field: `${field}.ipv4Address`, declared: attachment.ipv4Address, actual: `${endpoint.IPAddress || "none"}${why}` });
    }
    const missing = (attachment.aliases ?? []).filter((alias) => !(endpoint.Aliases ?? []).includes(alias));
    if (missing.length) found.push({ resource, field: `${field}.aliases`, declared: missing.join(","), actual: (endpoint.Aliases ?? []).join(",") || "none" });
  });
  return found;
}
