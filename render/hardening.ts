// Hardened container arguments as plain data: the same object feeds @pulumi/docker, the sandbox
// and the policy checker. Everything a third party controls can only tighten these defaults.
import type { Healthcheck, ResourceLimits } from "../config/schema";
import { PLATFORM_LABEL, seedName } from "../plan/names";

/** Where the platform's TLS material is mounted in every container. */
export const TLS_DIR = "/etc/platform/tls";
export const TLS_FILES = { ca: `${TLS_DIR}/ca.pem`, cert: `${TLS_DIR}/cert.pem`, key: `${TLS_DIR}/key.pem` } as const;


/** Per-UID limits; the per-app UID makes them per-app (paper II-A). */
const SIGPENDING_LIMIT = 256;
const NOFILE_LIMIT = 1024;
const TMPFS_TMP = "rw,noexec,nosuid,nodev,size=16m,mode=1777";

interface NetworkAttachment {
  name: string;
  /** static address; omitted where Docker may assign one from the network's ipRange */
  ipv4Address?: string;
  aliases: string[];
}

export interface FileUpload<T = string> {
  file: string;
  content: T;
  /** octal string, e.g. "0440" */
  permissions: string;
  owner: string;
  group: string;
}

/** A plain subset of `docker.ContainerArgs` with exactly the fields the platform sets. */
export interface ContainerInputs {
  name: string;
  image: string;
  hostname: string;
  user: string;
  command?: string[];
  envs: string[];
  labels: { label: string; value: string }[];
  capabilities: { drops: string[]; adds: string[] };
  privileged: false;
  readOnly: true;
  tmpfs: Record<string, string>;
  securityOpts: string[];
  ipcMode: "private";
  /** Docker's default on cgroup v1 hosts is "host": the container would see the host's cgroup tree */
  cgroupnsMode: "private";
  memory: number;
  memorySwap: number;
  cpus: string;
  ulimits: { name: string; soft: number; hard: number }[];
  restart: "on-failure";
  maxRetryCount: number;
  healthcheck: { tests: string[]; interval: string; timeout: string; retries: number; startPeriod: string };
  /**
   * No `networkMode`: with networksAdvanced, the provider creates the container on the default bridge,
   * disconnects it and connects the listed networks with their static addresses before start. Naming
   * the first network in networkMode as well makes Docker keep its create-time endpoint, silently
   * dropping the static address and aliases (found by the sandbox).
   */
  networksAdvanced: NetworkAttachment[];
  volumes: { volumeName: string; containerPath: string; readOnly: boolean }[];
  logDriver: "json-file";
  logOpts: Record<string, string>;
  runtime?: "runsc";
  publishAllPorts: false;
}

export interface HardeningInput {
  name: string;
  image: string;
  hostname: string;
  uid: number;
  gid?: number;
  command?: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  resources: ResourceLimits;
  healthcheck: Healthcheck;
  networks: NetworkAttachment[];
  /** named volume holding this container's TLS material */
  tlsVolume?: string;
  /** extra writable tmpfs mounts (path → options) for runtime dirs */
  extraTmpfs?: Record<string, string>;
  /** capabilities to keep after dropping ALL; only for platform infrastructure that needs them */
  capabilityAdds?: string[];
  runtime?: "runc" | "runsc";
}

export function hardenedContainer(input: HardeningInput): ContainerInputs {
  if (input.networks.length === 0) throw new Error(`container ${input.name}: at least one network is required`);
  if (input.uid <= 0) throw new Error(`container ${input.name}: refusing to run as UID ${input.uid}; containers run as a non-root UID`);
  const gid = input.gid ?? input.uid;
  const hc = input.healthcheck;
  const memory = input.resources.memoryMb;
  return {
    name: input.name,
    image: input.image,
    hostname: input.hostname,
    user: `${input.uid}:${gid}`,
    ...(input.command ? { command: input.command } : {}),
    envs: Object.entries(input.env)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => `${key}=${value}`),
    labels: Object.entries(input.labels)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([label, value]) => ({ label, value })),
    capabilities: { drops: ["ALL"], adds: [...(input.capabilityAdds ?? [])].sort() },
    privileged: false,
    readOnly: true,
    tmpfs: { "/tmp": TMPFS_TMP, ...(input.extraTmpfs ?? {}) },
    // Docker's default seccomp and AppArmor profiles stay in force: we only add, never unconfine.
    securityOpts: ["no-new-privileges:true"],
    ipcMode: "private",
    cgroupnsMode: "private",
    memory,
    memorySwap: memory, // equal to memory: no swap on top of the limit
    cpus: String(input.resources.cpus),
    ulimits: [
      { name: "nofile", soft: NOFILE_LIMIT, hard: NOFILE_LIMIT },
      { name: "nproc", soft: input.resources.maxProcesses, hard: input.resources.maxProcesses },
      { name: "sigpending", soft: SIGPENDING_LIMIT, hard: SIGPENDING_LIMIT },
    ],
    restart: "on-failure",
    maxRetryCount: 5,
    healthcheck: {
      tests: hc.command,
      interval: `${hc.intervalSeconds}s`,
      timeout: `${hc.timeoutSeconds}s`,
      retries: hc.retries,
      startPeriod: `${hc.startPeriodSeconds}s`,
    },
    networksAdvanced: input.networks,
    // read-only for the workload: only its upload seed writes there
    volumes: input.tlsVolume ? [{ volumeName: input.tlsVolume, containerPath: TLS_DIR, readOnly: true }] : [],
    logDriver: "json-file",
    logOpts: { "max-size": "10m", "max-file": "3" },
    ...(input.runtime === "runsc" ? { runtime: "runsc" as const } : {}),
    publishAllPorts: false,
  };
}

/**
 * A created but never started twin of `spec` that receives its uploads. Docker copies uploads into a
 * container at "/", which it refuses for a read-only root filesystem even when the files land in a
 * volume; the seed has a writable root, mounts the same volumes, and the workload mounts them after it.
 * It is hardened like its workload, has no network, and runs no process.
 */
export interface SeedInputs extends Omit<ContainerInputs, "readOnly" | "networksAdvanced" | "tmpfs" | "runtime"> {
  readOnly: false;
  networkMode: "none";
  start: false;
  mustRun: false;
}

/** The seed mounts its workload's volumes writable: it is the one that fills them. */
export function seedVolumes<V extends { readOnly: boolean }>(volumes: V[]): V[] {
  return volumes.map((volume) => ({ ...volume, readOnly: false }));
}

export function seedContainer(spec: ContainerInputs): SeedInputs {
  const { readOnly: _readOnly, networksAdvanced: _networks, tmpfs: _tmpfs, runtime: _runtime, ...rest } = spec;
  return {
    ...rest,
    name: seedName(spec.name),
    volumes: seedVolumes(spec.volumes),
    labels: spec.labels.map((l) => (l.label === PLATFORM_LABEL.role ? { label: l.label, value: "seed" } : l)),
    readOnly: false,
    networkMode: "none",
    start: false,
    mustRun: false,
  };
}

/**
 * TLS files for a container: readable by its group only and owned by root, so the workload can read
 * but never rewrite or grow them (the volume is writable only for the upload itself).
 */
export function tlsUploads<T>(material: { ca: T; cert: T; key: T }, gid: number): FileUpload<T>[] {
  const file = (path: string, content: T, permissions: string): FileUpload<T> => ({ file: path, content, permissions, owner: "0", group: String(gid) });
  return [file(TLS_FILES.ca, material.ca, "0444"), file(TLS_FILES.cert, material.cert, "0440"), file(TLS_FILES.key, material.key, "0440")];
}

/**
 * A credential (client secret, password) as a file in the TLS volume, like the private key: owned by
 * root, readable by the workload's group only. Credentials never go into `envs`, which `docker
 * inspect` shows and the policy runtime sees unwrapped.
 */
export function credentialUpload<T>(file: string, content: T, gid: number): FileUpload<T> {
  if (!file.startsWith(`${TLS_DIR}/`)) throw new Error(`credential file ${file}: credentials live in ${TLS_DIR}/ (the read-only rootfs refuses uploads)`);
  return { file, content, permissions: "0440", owner: "0", group: String(gid) };
}
