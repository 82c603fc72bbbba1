// Builds probe targets from what the engine actually runs (docker inspect), not from what was declared:
// the verdict thresholds are the limits in force.
import type Docker from "dockerode";
import { execIn } from "../exec";
import { staticProbeRuns } from "./runner";
import type { AppTarget } from "./types";

const MB = 1024 * 1024;

export async function appTarget(docker: Docker, containerId: string, name: string, egress?: AppTarget["egress"]): Promise<AppTarget> {
  const container = docker.getContainer(containerId);
  const info = await container.inspect();
  const [network, endpoint] = Object.entries(info.NetworkSettings.Networks)[0] ?? [];
  if (!network || !endpoint) throw new Error(`${name}: container ${info.Name} has no network`);
  const gateways: string[] = [];
  for (const name of Object.keys(info.NetworkSettings.Networks)) {
    const gateway = (await docker.getNetwork(name).inspect()).IPAM?.Config?.[0]?.Gateway;
    if (gateway) gateways.push(gateway);
  }
  const ulimit = (kind: string) => (info.HostConfig.Ulimits ?? []).find((u) => u.Name === kind)?.Soft;
  const python = await execIn(container, ["python3", "-c", "pass"], { timeoutMs: 20_000 }).catch(() => undefined);
  const hasPython = python?.exitCode === 0;
  const staticProbe = hasPython ? undefined : await staticProbeRuns(container);
  return {
    name,
    container,
    ip: endpoint.IPAddress,
    network,
    bridgeGateway: gateways[0] ?? "",
    bridgeGateways: gateways,
    runtime: info.HostConfig.Runtime ?? "runc",
    user: info.Config.User || "root",
    memoryMb: info.HostConfig.Memory ? info.HostConfig.Memory / MB : undefined,
    cpus: info.HostConfig.NanoCpus ? info.HostConfig.NanoCpus / 1e9 : undefined,
    maxProcesses: ulimit("nproc"),
    sigpending: ulimit("sigpending"),
    healthcheck: info.Config.Healthcheck?.Test,
    egress,
    hasPython,
    // only looked for without python3: the Python probes stay the ones used wherever they can run
    hasStaticProbe: staticProbe === true,
    ...(typeof staticProbe === "object" && "failed" in staticProbe ? { probeUnavailable: staticProbe.failed } : {}),
  };
}
