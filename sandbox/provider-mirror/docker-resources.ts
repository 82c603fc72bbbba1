// Creates declared @pulumi/docker resources in the local Docker engine through its API, the way the
// provider does, and removes everything a run created (also a dead run's leftovers).
import Docker from "dockerode";
import { imagePresent } from "../docker-availability";
import { ContainerPlan, toContainerPlan } from "./container-mapper";
import { SANDBOX_LABEL, SANDBOX_PID_LABEL, sandboxLabels } from "./labels";
import { toNetworkCreate } from "./network-mapper";
import { addStaticProbeMount } from "./probe-mount";
import { uploadArchive } from "./upload-archive";
import { toVolumeCreate } from "./volume-mapper";

export class ImageAbsentError extends Error {
  constructor(
    readonly resource: string,
    readonly image: string,
  ) {
    super(`not started: image ${image} not present`);
    this.name = "ImageAbsentError";
  }
}

interface CreatedContainer {
  resource: string;
  name: string;
  id: string;
  plan: ContainerPlan;
  /** binds the sandbox added that the declared inputs do not have (probe-mount.ts: the static probe, app containers only) */
  sandboxOnly: string[];
}

interface MirrorOptions {
  /**
   * Host directory holding the static probe executable, mounted read-only at /opt/platform-probe into
   * every app container (probe-mount.ts, the one difference from production); unset: nothing is added.
   */
  staticProbeDir?: string;
}

const READ_REFRESH_TIMEOUT_MS = 15_000; // the provider's containerReadRefreshTimeout

function dockerMessage(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string };
  return e.json?.message ?? e.message ?? String(error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ProviderMirror {
  readonly docker: Docker;
  readonly labels: Record<string, string>;

  constructor(
    readonly runId: string,
    docker = new Docker(),
    readonly options: MirrorOptions = {},
  ) {
    this.docker = docker;
    this.labels = sandboxLabels(runId);
  }

  async createNetwork(resource: string, inputs: Record<string, any>): Promise<string> {
    const body = toNetworkCreate(resource, inputs, this.labels);
    try {
      const network = await this.docker.createNetwork(body);
      return network.id;
    } catch (error) {
      throw new Error(`${resource}: Unable to create network: ${dockerMessage(error)}`);
    }
  }

  async createVolume(resource: string, inputs: Record<string, any>): Promise<string> {
    const body = toVolumeCreate(resource, inputs, this.labels);
    try {
      const volume = (await this.docker.createVolume(body)) as unknown as { Name?: string; name?: string };
      return volume.Name ?? volume.name ?? body.Name!;
    } catch (error) {
      throw new Error(`${resource}: Unable to create volume: ${dockerMessage(error)}`);
    }
  }

  /** Mirrors resourceDockerContainerCreate (+ the Read that follows it); throws ImageAbsentError first. */
  async createContainer(resource: string, inputs: Record<string, any>): Promise<CreatedContainer> {
    const plan = toContainerPlan(resource, inputs, this.labels);
    const sandboxOnly = addStaticProbeMount(plan, this.options.staticProbeDir);
    const image = plan.create.Image!;
    if (!(await imagePresent(this.docker, image))) throw new ImageAbsentError(resource, image);
    const fail = (step: string, error: unknown) => new Error(`${resource}: ${step}: ${dockerMessage(error)}`);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(plan.create);
    } catch (error) {
      throw fail("Unable to create container", error);
    }
    if (plan.connects.length > 0) {
      try {
        await this.docker.getNetwork("bridge").disconnect({ Container: container.id, Force: false });
      } catch (error) {
        if (!dockerMessage(error).includes("is not connected to the network bridge")) throw fail("Unable to disconnect the default network", error);
      }
      for (const connect of plan.connects) {
        try {
          await this.docker.getNetwork(connect.network).connect({ Container: container.id, EndpointConfig: connect.endpoint });
        } catch (error) {
          throw fail(`Unable to connect to network '${connect.network}'`, error);
        }
      }
    }
    for (const upload of plan.uploads) {
      try {
        await container.putArchive(uploadArchive(upload), { path: "/" });
      } catch (error) {
        throw fail(`Unable to upload volume content (${upload.file})`, error);
      }
    }
    if (plan.start) {
      try {
        await container.start();
      } catch (error) {
        throw fail("Unable to start container", error);
      }
      if (plan.waitHealthySeconds !== undefined) await this.waitHealthy(resource, container, plan.waitHealthySeconds * 1000);
      if (plan.mustRun) await this.waitRunning(resource, container);
    }
    return { resource, name: plan.name, id: container.id, plan, sandboxOnly };
  }

  private async waitRunning(resource: string, container: Docker.Container): Promise<void> {
    const deadline = Date.now() + READ_REFRESH_TIMEOUT_MS;
    for (;;) {
      const state = (await container.inspect()).State;
      if (state.Running) return;
      if (state.Status === "exited" || state.Status === "dead") {
        throw new Error(`${resource}: container exited immediately (exit code ${state.ExitCode}${state.Error ? `, ${state.Error}` : ""})`);
      }
      if (Date.now() > deadline) throw new Error(`${resource}: container failed to be in running state (status ${state.Status})`);
      await sleep(100);
    }
  }

  private async waitHealthy(resource: string, container: Docker.Container, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const health = (await container.inspect()).State.Health;
      if (!health) throw new Error(`${resource}: you have supplied a 'wait' argument, but the container does not have a healthcheck defined`);
      if (health.Status === "healthy") return;
      if (Date.now() > deadline) throw new Error(`${resource}: container failed to be in healthy state in time`);
      await sleep(1000);
    }
  }

  /** Removes everything labelled with this run's id. */
  async teardown(): Promise<string[]> {
    return removeLabelled(this.docker, `${SANDBOX_LABEL}=${this.runId}`);
  }
}

/**
 * Whether a run's resources are leftovers: the process that made them (its SANDBOX_PID_LABEL) is gone.
 * This process's own run, and a run whose process is still there, are not.
 */
export function runEnded(pid: number): boolean {
  return pid !== process.pid && !(pid > 0 && processAlive(pid));
}

/** Whether the process that made a run's resources is still there (another user's counts too). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes resources of earlier sandbox runs whose process is gone (a run that is still going is left alone). */
export async function cleanupLeftovers(docker = new Docker()): Promise<string[]> {
  const runs = new Map<string, number>();
  const collect = (labels: Record<string, string> | undefined) => {
    if (labels?.[SANDBOX_LABEL]) runs.set(labels[SANDBOX_LABEL], Number(labels[SANDBOX_PID_LABEL] ?? 0));
  };
  for (const c of await docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } })) collect(c.Labels);
  for (const n of await docker.listNetworks({ filters: { label: [SANDBOX_LABEL] } })) collect(n.Labels);
  for (const v of (await docker.listVolumes({ filters: { label: [SANDBOX_LABEL] } })).Volumes ?? []) collect(v.Labels as Record<string, string>);
  const removed: string[] = [];
  for (const [runId, pid] of runs) {
    if (!runEnded(pid)) continue;
    removed.push(...(await removeLabelled(docker, `${SANDBOX_LABEL}=${runId}`)));
  }
  return removed;
}

async function removeLabelled(docker: Docker, label: string): Promise<string[]> {
  const removed: string[] = [];
  // containers at once (each one's stop is a wait of its own), then what they were attached to
  await Promise.all(
    (await docker.listContainers({ all: true, filters: { label: [label] } })).map(async (info) => {
      try {
        await docker.getContainer(info.Id).remove({ force: true, v: true });
        removed.push(`container ${info.Names[0]?.replace(/^\//, "") ?? info.Id}`);
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
    }),
  );
  for (const info of await docker.listNetworks({ filters: { label: [label] } })) {
    try {
      await docker.getNetwork(info.Id).remove();
      removed.push(`network ${info.Name}`);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
  for (const info of (await docker.listVolumes({ filters: { label: [label] } })).Volumes ?? []) {
    try {
      await docker.getVolume(info.Name).remove();
      removed.push(`volume ${info.Name}`);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
  return removed;
}
