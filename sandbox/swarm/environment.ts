// From a Swarm stack that has converged to what the probes need: one task of each app as the attacker
// (exec'd on the node it runs on), the proxies' and services' task addresses on the overlays, and the
// gateway with every app's credentials, read from the secrets and configs the program declares.
import type Docker from "dockerode";
import type { RecordedResource } from "../../mock-runner/run-program";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../../config/load";
import { PLATFORM_LABEL } from "../../plan/names";
import { TLS_FILES } from "../../render/hardening";
import { OAUTH_CLIENT_SECRET_FILE } from "../../render/workloads";
import { labelsOf } from "../bringup";
import { gatewayView } from "../environment";
import { execIn } from "../exec";
import { appTarget } from "../probes/targets";
import type { AppTarget, Endpoint, GatewayAppInfo, GatewayInfo, ProbeEnvironment } from "../probes/types";
import { swarmSettings } from "../../config/swarm";
import { perReplicaRateLimit } from "../../render/swarm/gateway";
import type { SwarmMirror } from "./swarm-mirror";
import type { TaskView } from "./tasks";

export interface SwarmService {
  resource: string;
  name: string;
  id: string;
  labels: Record<string, string>;
  inputs: Record<string, any>;
  sandboxOnly: string[];
}

export interface SwarmBringUp {
  resources: RecordedResource[];
  services: SwarmService[];
  /** the healthy running tasks of each service once converged, by service name */
  tasks: Map<string, TaskView[]>;
}

const SECRET = "docker:index/secret:Secret";
const CONFIG = "docker:index/serviceConfig:ServiceConfig";

/** The services of a role with their running tasks, or why there are none. */
function byRole(up: SwarmBringUp, role: string): { service: SwarmService; tasks: TaskView[] }[] {
  return up.services.filter((s) => s.labels[PLATFORM_LABEL.role] === role).map((service) => ({ service, tasks: up.tasks.get(service.name) ?? [] }));
}

/** A file a service mounts from a secret or config, by its path in the container, decoded. */
export function swarmFileContent(resources: RecordedResource[], service: RecordedResource | SwarmService, fileName: string): string | undefined {
  const spec = service.inputs.taskSpec?.containerSpec ?? {};
  const secret = ((spec.secrets ?? []) as Record<string, string>[]).find((f) => f.fileName === fileName);
  const config = ((spec.configs ?? []) as Record<string, string>[]).find((f) => f.fileName === fileName);
  const object = secret
    ? resources.find((r) => r.type === SECRET && r.id === secret.secretId)
    : config
      ? resources.find((r) => r.type === CONFIG && r.id === config.configId)
      : undefined;
  return object ? Buffer.from(String(object.inputs.data), "base64").toString("utf8") : undefined;
}

/** The app's certificate, key and OAuth2 client secret as its service's secrets and configs hold them. */
export function swarmAppCredentials(resources: RecordedResource[], app: string): GatewayAppInfo["credentials"] {
  const service = resources.find((r) => r.type === "docker:index/service:Service" && labelsOf(r.inputs)[PLATFORM_LABEL.role] === "app" && labelsOf(r.inputs)[PLATFORM_LABEL.app] === app);
  if (!service) return undefined;
  const [certPem, keyPem, clientSecret] = [TLS_FILES.cert, TLS_FILES.key, OAUTH_CLIENT_SECRET_FILE].map((f) => swarmFileContent(resources, service, f));
  return certPem && keyPem && clientSecret ? { certPem, keyPem, clientSecret: clientSecret.trim() } : undefined;
}

const LIMIT_LINE = (label: string) => new RegExp(`^${label}\\s+(\\d+|unlimited)\\s+`, "m");

/**
 * Services cannot set ulimits (Engine 20.10): the node's default-ulimits are in force and `docker inspect`
 * does not show them. The limits the task really has, from its own /proc/1/limits.
 */
async function limitsInForce(target: AppTarget): Promise<Pick<AppTarget, "maxProcesses" | "sigpending">> {
  const read = await execIn(target.container, ["cat", "/proc/1/limits"], { timeoutMs: 10_000 }).catch(() => undefined);
  if (!read || read.exitCode !== 0) return {};
  const value = (label: string) => {
    const found = LIMIT_LINE(label).exec(read.stdout)?.[1];
    return found && found !== "unlimited" ? Number(found) : undefined;
  };
  return { maxProcesses: value("Max processes"), sigpending: value("Max pending signals") };
}

/** A probe's requests may all meet one replica: pace them by one replica's share of each app's bucket. */
function replicaShares(gateway: GatewayInfo, replicas: number): GatewayInfo {
  return { ...gateway, apps: gateway.apps.map((app) => ({ ...app, rateLimit: perReplicaRateLimit(app.rateLimit, replicas) })) };
}

/**
 * Where a task's node answers on its host network: the address the swarm knows it by, and the gateway
 * of its docker_gwbridge (the bridge a task of a non-internal overlay would leave the node through).
 */
async function nodeHostAddresses(mirror: SwarmMirror, engine: Docker, nodeId: string): Promise<string[]> {
  const node = await mirror.manager.getNode(nodeId).inspect();
  const bridge = await engine.getNetwork("docker_gwbridge").inspect().catch(() => undefined);
  // a manager may report 0.0.0.0 as its status address; its manager address (host:port) has the real one
  const addresses = [node.Status?.Addr, node.ManagerStatus?.Addr?.replace(/:\d+$/, ""), ...(bridge?.IPAM?.Config ?? []).map((c: { Gateway?: string }) => c.Gateway)];
  return [...new Set(addresses.filter((a): a is string => typeof a === "string" && /^\d+\.\d+\.\d+\.\d+$/.test(a) && a !== "0.0.0.0"))];
}

const firstAddress = (task: TaskView | undefined, network?: string) => (task ? (network ? task.addresses[network] : Object.values(task.addresses)[0]) : undefined) || undefined;

export async function swarmProbeEnvironment(
  mirror: SwarmMirror,
  up: SwarmBringUp,
  config: Record<string, unknown>,
  fixtures: Pick<ProbeEnvironment, "hostMarker" | "hostListener" | "internet">,
): Promise<ProbeEnvironment> {
  const { config: platform } = parsePlatformConfig(rawConfigFromFlatMap(config));
  const egress = byRole(up, "egress")[0];
  const apps: AppTarget[] = [];
  // asked once per node, however many apps run there
  const nodeAddresses = new Map<string, Promise<string[]>>();
  for (const { service, tasks } of byRole(up, "app")) {
    const name = service.labels[PLATFORM_LABEL.app] ?? service.name;
    const task = tasks[0];
    if (!task) throw new Error(`app ${name}: service ${service.name} has no running task to probe from`);
    const network = Object.keys(task.addresses)[0];
    const proxyIp = firstAddress(egress?.tasks[0], network);
    const proxy: AppTarget["egress"] = !egress
      ? { absent: "the program declares no egress service" }
      : proxyIp
        ? { ip: proxyIp, port: platform.egress.port, whitelist: platform.apps.find((a) => a.name === name)?.egress ?? [] }
        : { absent: `the egress proxy has no task on ${network}` };
    const engine = mirror.engineOf(task.nodeId);
    const target = await appTarget(engine, task.containerId!, name, proxy);
    if (!nodeAddresses.has(task.nodeId)) nodeAddresses.set(task.nodeId, nodeHostAddresses(mirror, engine, task.nodeId));
    const hostAddresses = await nodeAddresses.get(task.nodeId)!;
    apps.push({ ...target, hostAddresses, ...Object.fromEntries(Object.entries(await limitsInForce(target)).filter(([, v]) => v !== undefined)) });
  }
  const services: ProbeEnvironment["services"] = [];
  for (const { service, tasks } of byRole(up, "service")) {
    const ip = firstAddress(tasks[0]);
    const port = Number(Object.entries(service.inputs.taskSpec?.containerSpec?.env ?? {}).find(([k]) => k === "PLATFORM_SERVICE_PORT")?.[1] ?? 8080);
    const name = service.labels[PLATFORM_LABEL.service] ?? service.name;
    services.push(ip ? { name, ip, port } : { name, absent: `service ${service.name} has no running task` });
  }
  const identity = byRole(up, "identity")[0];
  const identityIp = firstAddress(identity?.tasks[0]);
  const identityEndpoint: Endpoint | { absent: string } = identityIp ? { name: "keycloak", ip: identityIp, port: platform.identity.port } : { absent: identity ? "keycloak has no running task" : "the program declares no identity service" };
  const gateway = byRole(up, "gateway")[0];
  const gatewayTask = gateway?.tasks[0];
  return {
    docker: mirror.manager,
    apps,
    services,
    identity: identityEndpoint,
    gateway: gatewayTask
      ? replicaShares(gatewayView(config, up.resources, gatewayTask.containerId!, "absent" in identityEndpoint ? identityEndpoint : { present: true }, (app) => swarmAppCredentials(up.resources, app)), swarmSettings(platform).gatewayReplicas)
      : { absent: gateway ? "the gateway service has no running task" : "the program declares no gateway service" },
    egress: egress?.tasks.length ? { present: true } : { absent: egress ? "the egress service has no running task" : "the program declares no egress service" },
    ...fixtures,
  };
}
