// One hardened container (render/hardening.ts ContainerInputs) as a Swarm service: every field the
// engine wiring sets is either mapped, replaced by its Swarm form, or a node-level requirement
// (node-requirements.ts). CONTAINER_FIELDS says which, and its type makes a new field a compile error.
import type { SwarmConfig } from "../../config/swarm";
import { PLATFORM_LABEL } from "../../plan/names";
import type { ContainerInputs } from "../hardening";
import type { NodeRequirement } from "./node-requirements";
import type { SwarmMount, SwarmServiceInputs } from "./types";

type Disposition =
  | { mapped: string }
  /** the Swarm form differs: the reason says how */
  | { replaced: string }
  | { node: NodeRequirement["id"] }
  /** holds for every Swarm service without a setting */
  | { inherent: string };

/** What becomes of each field of ContainerInputs in a service (walked by test/swarm-render.test.ts). */
export const CONTAINER_FIELDS: { readonly [K in keyof Required<ContainerInputs>]: Disposition } = {
  name: { mapped: "name" },
  image: { mapped: "taskSpec.containerSpec.image" },
  hostname: { mapped: "taskSpec.containerSpec.hostname" },
  user: { mapped: "taskSpec.containerSpec.user" },
  command: { mapped: "taskSpec.containerSpec.args" },
  envs: { mapped: "taskSpec.containerSpec.env" },
  labels: { mapped: "taskSpec.containerSpec.labels" },
  capabilities: { mapped: "taskSpec.containerSpec.capDrops" },
  privileged: { inherent: "Swarm services cannot run privileged" },
  readOnly: { mapped: "taskSpec.containerSpec.readOnly" },
  tmpfs: { mapped: "taskSpec.containerSpec.mounts" },
  securityOpts: { node: "no-new-privileges" },
  ipcMode: { node: "ipc-private" },
  cgroupnsMode: { node: "cgroupns-private" },
  memory: { mapped: "taskSpec.resources.limits.memoryBytes" },
  memorySwap: { node: "no-swap" },
  cpus: { mapped: "taskSpec.resources.limits.nanoCpus" },
  ulimits: { node: "ulimits" },
  restart: { replaced: "condition any: Swarm kills an unhealthy task with SIGTERM and a clean exit (0) under on-failure would end the task for good, leaving the service short of replicas" },
  maxRetryCount: { mapped: "taskSpec.restartPolicy.maxAttempts" },
  healthcheck: { mapped: "taskSpec.containerSpec.healthcheck" },
  networksAdvanced: { replaced: "attachments keep their aliases; static addresses cannot be set (node requirement static-addresses)" },
  volumes: { replaced: "the TLS and config volumes the upload seed fills become Swarm secrets and configs (files.ts); data volumes become volume mounts on the node placement pins" },
  logDriver: { mapped: "taskSpec.logDriver.name" },
  logOpts: { mapped: "taskSpec.logDriver.options" },
  runtime: { node: "runsc" },
  publishAllPorts: { inherent: "the endpoint spec publishes no port (dnsrr, no routing mesh)" },
};

/** Restarts are counted within this window: a crash loop stops after maxAttempts, a workload that ran longer starts a fresh count. */
export const RESTART_WINDOW = "2m";

/** The only security option the engine wiring sets; another one could not be carried over silently. */
const KNOWN_SECURITY_OPTS = ["no-new-privileges:true"];

/** Node label that marks nodes whose default runtime is gVisor (node requirement "runsc"). */
export const RUNSC_NODE_LABEL = "platform.runtime";

const UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * `--tmpfs` options as the Mounts API takes them: size and mode. The API mounts tmpfs with noexec,
 * nosuid and nodev (moby daemon/oci_linux.go), so those flags hold without a field; any other flag
 * (exec, suid, dev, uid=...) cannot be expressed and is refused.
 */
export function tmpfsMount(target: string, options: string): SwarmMount {
  const tmpfsOptions: { sizeBytes?: number; mode?: number } = {};
  for (const option of options.split(",").filter(Boolean)) {
    const [key, value] = option.split("=", 2);
    if (["rw", "noexec", "nosuid", "nodev"].includes(option)) continue;
    if (key === "size" && value !== undefined) {
      const match = /^(\d+)([kmg]?)$/.exec(value);
      if (!match) throw new Error(`tmpfs ${target}: size=${value} is not a number with k, m or g`);
      tmpfsOptions.sizeBytes = Number(match[1]) * (match[2] ? UNITS[match[2]] : 1);
    } else if (key === "mode" && value !== undefined && /^[0-7]{3,4}$/.test(value)) {
      tmpfsOptions.mode = parseInt(value, 8);
    } else {
      throw new Error(`tmpfs ${target}: option ${option} has no Swarm form (a service's tmpfs takes size and mode and is always noexec,nosuid,nodev)`);
    }
  }
  return { type: "tmpfs", target, tmpfsOptions };
}

/** The volume purposes a seed fills (plan/names.ts volumeName): their files come as secrets and configs. */
const SEEDED_PURPOSES = ["tls", "conf"];

function volumeMounts(container: ContainerInputs): SwarmMount[] {
  return container.volumes
    .filter((volume) => !SEEDED_PURPOSES.some((purpose) => volume.volumeName === `${container.name}-${purpose}`))
    .map((volume) => ({ type: "volume" as const, source: volume.volumeName, target: volume.containerPath, readOnly: volume.readOnly }));
}

function envMap(envs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of envs) {
    const at = entry.indexOf("=");
    if (at <= 0) throw new Error(`env entry ${JSON.stringify(entry.slice(0, 40))} is not NAME=value`);
    env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

export interface ServiceOptions {
  replicas: number;
  constraints: readonly string[];
  update: SwarmConfig["update"];
  /** spread replicas over nodes, so one node's loss leaves the others serving */
  spread?: boolean;
}

/** A hardened container as a Swarm service (without its secrets and configs, which the wiring adds by id). */
export function swarmService(container: ContainerInputs & { entrypoints?: string[] }, options: ServiceOptions): SwarmServiceInputs {
  const unknown = container.securityOpts.filter((opt) => !KNOWN_SECURITY_OPTS.includes(opt));
  if (unknown.length > 0) throw new Error(`container ${container.name}: security option ${unknown.join(", ")} has no Swarm form and no node requirement`);
  if (container.networksAdvanced.length === 0) throw new Error(`container ${container.name}: a Swarm service needs at least one network`);
  const policy = {
    order: options.update.order,
    parallelism: options.update.parallelism,
    delay: `${options.update.delaySeconds}s`,
    monitor: `${options.update.monitorSeconds}s`,
    maxFailureRatio: "0",
  };
  const constraints = [...options.constraints, ...(container.runtime === "runsc" ? [`node.labels.${RUNSC_NODE_LABEL}==runsc`] : [])];
  return {
    name: container.name,
    // the service carries the platform's labels too, so `docker service ls --filter label=...` finds it
    labels: container.labels.filter((l) => l.label === PLATFORM_LABEL.stack || l.label === PLATFORM_LABEL.role || l.label === PLATFORM_LABEL.app || l.label === PLATFORM_LABEL.service),
    mode: { replicated: { replicas: options.replicas } },
    taskSpec: {
      containerSpec: {
        image: container.image,
        hostname: container.hostname,
        user: container.user,
        ...(container.entrypoints ? { commands: container.entrypoints } : {}),
        ...(container.command ? { args: container.command } : {}),
        env: envMap(container.envs),
        labels: container.labels,
        capDrops: container.capabilities.drops,
        capAdds: container.capabilities.adds,
        readOnly: container.readOnly,
        mounts: [...Object.entries(container.tmpfs).map(([target, opts]) => tmpfsMount(target, opts)), ...volumeMounts(container)],
        healthcheck: { ...container.healthcheck, tests: [...container.healthcheck.tests] },
      },
      resources: { limits: { memoryBytes: container.memory * 1024 * 1024, nanoCpus: Math.round(Number(container.cpus) * 1e9) } },
      restartPolicy: { condition: "any", maxAttempts: container.maxRetryCount, delay: "5s", window: RESTART_WINDOW },
      placement: { constraints, prefs: options.spread ? ["spread=node.id"] : [] },
      networksAdvanceds: container.networksAdvanced.map((n) => ({ name: n.name, aliases: [...n.aliases] })),
      logDriver: { name: container.logDriver, options: { ...container.logOpts } },
    },
    updateConfig: { ...policy, failureAction: options.update.failureAction },
    // a rollback that fails too stops where it is, for an operator to look at
    rollbackConfig: { ...policy, failureAction: "pause" },
    endpointSpec: { mode: "dnsrr" },
  };
}
