// The Engine API side of the preflight, kept thin: the swarm's nodes (from a manager), one short-lived
// probe service per node, its output through the service logs API, and removal of every service the
// run made. What the output means is decided in probe-script.ts and verdict.ts.
import type Docker from "dockerode";
import { parseProbeOutput } from "./probe-script";
import type { NodeRun, SwarmNodeInfo } from "./verdict";

/** Every probe service carries it, valued with the run's id: how a run finds (and removes) its services. */
export const RUN_LABEL = "platform.preflight.run";
export const NAME_PREFIX = "platform-preflight";
/** nobody: a probe needs no privilege, and reading /proc/self needs none */
const PROBE_USER = "65534:65534";
const TERMINAL = new Set(["complete", "failed", "rejected", "shutdown", "orphaned", "remove"]);
const POLL_MS = 500;

/** The engine is a manager of an active swarm; a message naming the fix otherwise. */
export async function managerProblem(docker: Docker): Promise<string | undefined> {
  const info = await docker.info();
  const swarm = info.Swarm ?? {};
  if (swarm.LocalNodeState !== "active") {
    return `the engine at ${dockerHostName()} is not part of an active swarm (state ${JSON.stringify(swarm.LocalNodeState ?? "unknown")}): point DOCKER_HOST at a Swarm manager`;
  }
  if (!swarm.ControlAvailable) return `the engine at ${dockerHostName()} is a swarm worker, not a manager: point DOCKER_HOST at a manager (docker node ls there lists the nodes)`;
  return undefined;
}

export function dockerHostName(): string {
  return process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

export async function swarmNodes(docker: Docker): Promise<SwarmNodeInfo[]> {
  const nodes = await docker.listNodes();
  return nodes.map((n) => ({
    id: n.ID ?? "",
    hostname: n.Description?.Hostname ?? n.ID ?? "",
    role: String(n.Spec?.Role ?? ""),
    state: String(n.Status?.State ?? "unknown"),
    availability: String(n.Spec?.Availability ?? ""),
    labels: (n.Spec?.Labels ?? {}) as Record<string, string>,
  }));
}

/** The probe service for one node: pinned to it, run once, labelled, unprivileged, read-only, no capabilities. */
export function probeServiceSpec(node: SwarmNodeInfo, image: string, script: string, runId: string) {
  const labels = { [RUN_LABEL]: runId, "platform.preflight.node": node.id };
  return {
    Name: `${NAME_PREFIX}-${runId}-${node.id.slice(0, 12)}`,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        // Command replaces the image's entrypoint (the egress image's starts Squid)
        Command: ["sh", "-c", script],
        User: PROBE_USER,
        ReadOnly: true,
        CapabilityDrop: ["ALL"],
        Labels: labels,
        StopGracePeriod: 1_000_000_000,
      },
      RestartPolicy: { Condition: "none", MaxAttempts: 0 },
      Placement: { Constraints: [`node.id==${node.id}`] },
      Resources: { Limits: { MemoryBytes: 64 * 1024 * 1024, NanoCPUs: 500_000_000 } },
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: "dnsrr" },
  };
}

interface TaskState {
  state: string;
  message: string;
  err: string;
}

async function taskState(docker: Docker, serviceId: string): Promise<TaskState | undefined> {
  const tasks = await docker.listTasks({ filters: { service: [serviceId] } });
  const task = tasks.sort((a, b) => String(b.CreatedAt ?? "").localeCompare(String(a.CreatedAt ?? "")))[0];
  if (!task) return undefined;
  return { state: String(task.Status?.State ?? ""), message: String(task.Status?.Message ?? ""), err: String(task.Status?.Err ?? "") };
}

async function serviceLogs(docker: Docker, serviceId: string): Promise<Buffer> {
  const data: unknown = await docker.getService(serviceId).logs({ stdout: true, stderr: true, follow: false });
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === "string") return Buffer.from(data, "latin1");
  // a stream, should the client ever return one
  const chunks: Buffer[] = [];
  for await (const chunk of data as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });

function imageProblem(image: string, err: string): string | undefined {
  if (/executable file not found|no such file or directory.*\bsh\b/i.test(err)) return `the image ${image} has no sh (pick another with --image): ${err}`;
  return /no such image|pull access denied|manifest unknown|repository does not exist|failed to resolve reference|error pulling image/i.test(err)
    ? `the image ${image} is not on this node (and could not be pulled): ${err}`
    : undefined;
}

export interface ProbeRunOptions {
  image: string;
  script: string;
  marker: string;
  runId: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** decodes the logs API's bytes into text (probe-script.ts demuxDockerLogs) */
  decodeLogs: (bytes: Buffer) => string;
  /** told once the services exist, before the wait */
  progress?: (message: string) => void;
}

/**
 * Runs one probe service on each node at once and waits (bounded by timeoutMs, or until aborted) for
 * every task to end; the result per node id. Removes nothing: the caller removes the run's services in
 * every case (removeProbeServices), so an error or Ctrl-C here leaves nothing behind either.
 */
export async function runProbeTasks(docker: Docker, nodes: readonly SwarmNodeInfo[], options: ProbeRunOptions): Promise<Map<string, NodeRun>> {
  const deadline = Date.now() + options.timeoutMs;
  const runs = new Map<string, NodeRun>();
  const services = new Map<string, string>();
  for (const node of nodes) {
    if (options.signal?.aborted) break;
    try {
      const created = (await docker.createService(probeServiceSpec(node, options.image, options.script, options.runId) as any)) as { id?: string; ID?: string };
      services.set(node.id, String(created.id ?? created.ID));
    } catch (error) {
      runs.set(node.id, { kind: "not-probed", reason: `the probe service could not be created: ${(error as Error).message}` });
    }
  }
  options.progress?.(`${services.size} probe service(s) created, waiting for their tasks`);
  const last = new Map<string, TaskState | undefined>();
  const pending = new Set(services.keys());
  while (pending.size > 0 && Date.now() < deadline && !options.signal?.aborted) {
    for (const nodeId of [...pending]) {
      const state = await taskState(docker, services.get(nodeId)!).catch(() => last.get(nodeId));
      last.set(nodeId, state);
      if (state && TERMINAL.has(state.state)) {
        pending.delete(nodeId);
        runs.set(nodeId, await finished(docker, services.get(nodeId)!, state, options));
      }
    }
    if (pending.size > 0) await sleep(POLL_MS, options.signal);
  }
  for (const nodeId of pending) {
    const state = last.get(nodeId);
    const seen = state ? `task ${state.state}${state.message ? ` (${state.message})` : ""}${state.err ? `: ${state.err}` : ""}` : "no task yet";
    const why = options.signal?.aborted ? "interrupted" : `no result within ${Math.round(options.timeoutMs / 1000)} s`;
    runs.set(nodeId, { kind: "not-probed", reason: `${why}; ${imageProblem(options.image, state?.err ?? "") ?? seen}` });
  }
  return runs;
}

/** A task that ended: its output when it ran, why not otherwise. Logs may trail the task's end: a few bounded retries. */
async function finished(docker: Docker, serviceId: string, state: TaskState, options: ProbeRunOptions): Promise<NodeRun> {
  if (state.state !== "complete" && state.state !== "failed") {
    return { kind: "not-probed", reason: imageProblem(options.image, state.err) ?? `task ${state.state}: ${state.err || state.message}` };
  }
  let error = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const output = parseProbeOutput(options.decodeLogs(await serviceLogs(docker, serviceId)), options.marker);
      if (output.done || attempt === 4) {
        if (state.state === "failed" && !output.done) return { kind: "not-probed", reason: `task failed: ${state.err || state.message}` };
        return { kind: "probed", output };
      }
    } catch (e) {
      error = (e as Error).message;
    }
    await sleep(400, options.signal);
  }
  return { kind: "not-probed", reason: `the task ran, but its logs could not be read (the node's log driver must keep logs: json-file, local or journald): ${error}` };
}

/** Removes every service labelled with the run's id; the names removed. Errors other than "already gone" propagate. */
export async function removeProbeServices(docker: Docker, runId: string): Promise<string[]> {
  const services = await docker.listServices({ filters: { label: [`${RUN_LABEL}=${runId}`] } });
  const removed: string[] = [];
  for (const service of services) {
    try {
      await docker.getService(service.ID).remove();
      removed.push(service.Spec?.Name ?? service.ID);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
  }
  return removed;
}
