// Platform pieces in the local Docker engine for a live benchmark, created the way the platform
// creates them: networks from render/networks.ts, each workload with its named volumes and a
// never-started upload seed (components/workload-container.ts), all through sandbox/provider-mirror
// (the Docker provider's own calls). Everything carries the mirror's run label: teardown() removes it
// all, and so does the sandbox's leftover cleanup should this process die.
import { spawnSync } from "node:child_process";
import Docker from "dockerode";
import type { NetworkPlan, PlatformPlan } from "../../plan/plan";
import { PLATFORM_LABEL } from "../../plan/names";
import { ContainerInputs, FileUpload, seedContainer, seedVolumes } from "../../render/hardening";
import { networkInputs } from "../../render/networks";
import { ProviderMirror } from "../../sandbox/provider-mirror/docker-resources";
import { freeCidr } from "../../sandbox/provider-mirror/free-subnet";

/** A name no other run on this engine has: `<kind>-<pid base 36><3 random>`. */
export function runName(kind: string): string {
  return `${kind}-${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
}

const resourceOf = (dockerName: string) => `bench:${dockerName}`;

export class BenchRig {
  readonly docker: Docker;
  readonly mirror: ProviderMirror;

  constructor(
    readonly runId: string,
    docker = new Docker(),
  ) {
    this.docker = docker;
    this.mirror = new ProviderMirror(runId, docker);
  }

  /**
   * The plan on a free /16 (inside 10.0.0.0/8) with the given networks created. Another run may take
   * the block between the look and the create: then everything made so far goes and another block is
   * tried, three times at most.
   */
  async planOnFreeCidr(build: (baseCidr: string) => PlatformPlan, networksOf: (plan: PlatformPlan) => NetworkPlan[]): Promise<PlatformPlan> {
    for (let attempt = 1; ; attempt++) {
      const plan = build(await freeCidr(this.docker, 16, "10.0.0.0/8"));
      try {
        for (const network of networksOf(plan)) await this.mirror.createNetwork(resourceOf(network.dockerName), networkInputs(plan, network));
        return plan;
      } catch (error) {
        await this.mirror.teardown();
        if (attempt >= 3 || !/overlap/i.test((error as Error).message)) throw error;
      }
    }
  }

  /** The workload's named volumes, its upload seed holding `uploads` (when any), then the workload itself (started). */
  async workload(spec: ContainerInputs & { entrypoints?: string[] }, uploads: FileUpload[]): Promise<Docker.Container> {
    const labels = spec.labels.filter((l) => l.label === PLATFORM_LABEL.stack || l.label === PLATFORM_LABEL.role);
    for (const volume of spec.volumes) await this.mirror.createVolume(resourceOf(volume.volumeName), { name: volume.volumeName, driver: "local", labels });
    if (uploads.length > 0) {
      const seed = seedContainer(spec);
      await this.mirror.createContainer(resourceOf(seed.name), { ...seed, volumes: seedVolumes(spec.volumes), uploads });
    }
    const created = await this.mirror.createContainer(resourceOf(spec.name), spec);
    return this.docker.getContainer(created.id);
  }

  /** Waits until the container's output holds `text` (polled, bounded); fails at once, with its log, if it stops. */
  async waitForOutput(container: Docker.Container, text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const output = logTail(container, 200);
      if (output.includes(text)) return;
      const { Name, State } = await container.inspect();
      if (!State.Running || Date.now() > deadline) {
        const why = State.Running ? `did not print ${JSON.stringify(text)} within ${timeoutMs / 1000} s` : `stopped (exit ${State.ExitCode})`;
        throw new Error(`${Name.replace(/^\//, "")} ${why}; its output:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  teardown(): Promise<string[]> {
    return this.mirror.teardown();
  }
}

/** The last `lines` of a container's output, stdout and stderr together (the docker CLI undoes Docker's framing). */
export function logTail(container: Docker.Container, lines: number): string {
  const logs = spawnSync("docker", ["logs", "--tail", String(lines), container.id], { encoding: "utf8", timeout: 20_000 });
  return `${logs.stdout ?? ""}${logs.stderr ?? ""}`.trim();
}
