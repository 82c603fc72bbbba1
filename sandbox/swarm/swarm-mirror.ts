// Creates a Swarm stack's declared @pulumi/docker resources (overlay networks, secrets, configs,
// services) through a swarm manager's Engine API, the way the provider does, and removes everything a
// run created. Task containers live on the nodes: `nodeEngine` gives the engine of a node, for the
// exec and inspect calls the probes and readiness checks make there.
import type Docker from "dockerode";
import { runEnded } from "../provider-mirror/docker-resources";
import { SANDBOX_LABEL, SANDBOX_PID_LABEL, sandboxLabels } from "../provider-mirror/labels";
import { toNetworkCreate } from "../provider-mirror/network-mapper";
import { asString, labelMap, rejectUnhandled } from "../provider-mirror/input-error";
import { STATIC_PROBE_DIR } from "../probes/static-runner";
import { PLATFORM_LABEL } from "../../plan/names";
import { ServiceSpec, toServiceSpec } from "./service-mapper";

export interface SwarmMirrorOptions {
  /** host directory with the static probe, bind-mounted read-only into app tasks (as probe-mount.ts does for containers) */
  staticProbeDir?: string;
}

export interface CreatedService {
  resource: string;
  name: string;
  id: string;
  spec: ServiceSpec;
  /** what the sandbox added beyond the declared inputs */
  sandboxOnly: string[];
}

const dockerMessage = (error: unknown) => {
  const e = error as { json?: { message?: string }; message?: string };
  return e.json?.message ?? e.message ?? String(error);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

/** Network, secret, config and service removal is refused while tasks still use them: bounded retries. */
const REMOVAL_TIMEOUT_MS = 90_000;

export class SwarmMirror {
  readonly labels: Record<string, string>;
  /** mock ids of networks, secrets and configs → the swarm's ids */
  readonly ids = new Map<string, string>();

  constructor(
    readonly runId: string,
    readonly manager: Docker,
    readonly nodeEngine: (nodeId: string) => Docker | undefined,
    readonly options: SwarmMirrorOptions = {},
  ) {
    this.labels = sandboxLabels(runId);
  }

  /** The engine of the node a task runs on; an error naming the node when the sandbox was not given it. */
  engineOf(nodeId: string): Docker {
    const engine = this.nodeEngine(nodeId);
    if (!engine) throw new Error(`node ${nodeId}: the sandbox has no connection to this node's engine (its tasks cannot be inspected or probed)`);
    return engine;
  }

  async createNetwork(resource: string, mockId: string, inputs: Record<string, any>): Promise<string> {
    const body = toNetworkCreate(resource, inputs, this.labels);
    try {
      const network = await this.manager.createNetwork(body);
      this.ids.set(mockId, network.id);
      return network.id;
    } catch (error) {
      throw new Error(`${resource}: Unable to create network: ${dockerMessage(error)}`);
    }
  }

  /** docker.Secret or docker.ServiceConfig: `data` is base64 already (the provider passes it through). */
  async createFile(kind: "secret" | "config", resource: string, mockId: string, inputs: Record<string, any>): Promise<string> {
    rejectUnhandled(resource, inputs, new Set(["name", "data", "labels"]));
    const body = { Name: asString(resource, "name", inputs.name), Data: asString(resource, "data", inputs.data), Labels: { ...labelMap(resource, "labels", inputs.labels), ...this.labels } };
    try {
      const created = (kind === "secret" ? await this.manager.createSecret(body) : await this.manager.createConfig(body)) as { id?: string; ID?: string };
      const id = created.id ?? created.ID ?? "";
      this.ids.set(mockId, id);
      return id;
    } catch (error) {
      throw new Error(`${resource}: Unable to create ${kind}: ${dockerMessage(error)}`);
    }
  }

  async createService(resource: string, inputs: Record<string, any>): Promise<CreatedService> {
    const spec = toServiceSpec(resource, inputs, this.ids, this.labels);
    const sandboxOnly = this.addStaticProbeMount(spec);
    try {
      const created = (await this.manager.createService(spec)) as { id?: string; ID?: string };
      return { resource, name: spec.Name, id: created.id ?? created.ID ?? "", spec, sandboxOnly };
    } catch (error) {
      throw new Error(`${resource}: Unable to create service: ${dockerMessage(error)}`);
    }
  }

  /** THE ONE DIFFERENCE FROM PRODUCTION, as for containers: the static probe, read-only, in app tasks. */
  private addStaticProbeMount(spec: ServiceSpec): string[] {
    const dir = this.options.staticProbeDir;
    const container = spec.TaskTemplate.ContainerSpec;
    if (!dir || (container.Labels?.[PLATFORM_LABEL.role] !== "app" && spec.Labels[PLATFORM_LABEL.role] !== "app")) return [];
    if ((container.Mounts as { Target: string }[]).some((m) => m.Target === STATIC_PROBE_DIR)) return [];
    container.Mounts.push({ Type: "bind", Source: dir, Target: STATIC_PROBE_DIR, ReadOnly: true });
    return [`${dir}:${STATIC_PROBE_DIR}:ro`];
  }

  /** Removes everything labelled with this run's id. */
  async teardown(): Promise<string[]> {
    return removeLabelled(this.manager, `${SANDBOX_LABEL}=${this.runId}`);
  }
}

/** Retries a removal the engine refuses while tasks still hold the object ("in use"). */
async function removeWhenFree(what: string, remove: () => Promise<unknown>, deadline: number): Promise<boolean> {
  for (;;) {
    try {
      await remove();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      // only "in use" is worth waiting for; anything else (the engine gone, say) fails at once
      const busy = statusOf(error) === 409 || /in use|active endpoints/i.test(dockerMessage(error));
      if (!busy || Date.now() > deadline) throw new Error(`${what}: ${busy ? `still in use after ${REMOVAL_TIMEOUT_MS / 1000} s` : "not removed"}: ${dockerMessage(error)}`);
      await sleep(1000);
    }
  }
}

async function removeLabelled(manager: Docker, label: string): Promise<string[]> {
  const removed: string[] = [];
  const deadline = Date.now() + REMOVAL_TIMEOUT_MS;
  const filters = { label: [label] };
  for (const service of await manager.listServices({ filters })) {
    if (await removeWhenFree(`service ${service.Spec?.Name}`, () => manager.getService(service.ID).remove(), deadline)) removed.push(`service ${service.Spec?.Name}`);
  }
  // a network is freed only when every node has stopped the removed services' tasks
  // the swarm's own networks only: a local network of the run (the outside stand-in's) is its mirror's to remove
  for (const network of await manager.listNetworks({ filters: { ...filters, scope: ["swarm"] } })) {
    if (await removeWhenFree(`network ${network.Name}`, () => manager.getNetwork(network.Id).remove(), deadline)) removed.push(`network ${network.Name}`);
  }
  for (const secret of await manager.listSecrets({ filters })) {
    if (await removeWhenFree(`secret ${secret.Spec?.Name}`, () => manager.getSecret(secret.ID).remove(), deadline)) removed.push(`secret ${secret.Spec?.Name}`);
  }
  for (const config of (await manager.listConfigs({ filters })) as { ID: string; Spec?: { Name?: string } }[]) {
    if (await removeWhenFree(`config ${config.Spec?.Name}`, () => manager.getConfig(config.ID).remove(), deadline)) removed.push(`config ${config.Spec?.Name}`);
  }
  return removed;
}

/** Removes the swarm objects of earlier sandbox runs whose process is gone. */
export async function cleanupSwarmLeftovers(manager: Docker): Promise<string[]> {
  const runs = new Map<string, number>();
  const collect = (labels: Record<string, string> | undefined) => {
    if (labels?.[SANDBOX_LABEL]) runs.set(labels[SANDBOX_LABEL], Number(labels[SANDBOX_PID_LABEL] ?? 0));
  };
  const filters = { label: [SANDBOX_LABEL] };
  for (const s of await manager.listServices({ filters })) collect(s.Spec?.Labels);
  for (const n of await manager.listNetworks({ filters })) collect(n.Labels);
  for (const s of await manager.listSecrets({ filters })) collect(s.Spec?.Labels);
  const removed: string[] = [];
  for (const [runId, pid] of runs) {
    if (!runEnded(pid)) continue;
    removed.push(...(await removeLabelled(manager, `${SANDBOX_LABEL}=${runId}`)));
  }
  return removed;
}
