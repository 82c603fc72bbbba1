// The deployed monitor's container, as plain data (tested without Pulumi).
import type { PlatformPlan } from "../../plan/plan";
import type { MonitorConfig } from "../../config/monitor";
import { ContainerInputs, hardenedContainer, TLS_DIR } from "../hardening";
import { INFRA_UID, PLATFORM_LABEL, volumeName } from "../../plan/names";

export const MONITOR_STATE_DIR = "/var/lib/platform-monitor";
const MONITOR_RESOURCES = { memoryMb: 256, cpus: 0.5, maxProcesses: 64 };
/** The deployed monitor reads its settings (JSON) and the audit key file's path from these. */
export const CONFIG_ENV = "PLATFORM_MONITOR_CONFIG";
export const KEY_FILE_ENV = "PLATFORM_MONITOR_AUDIT_KEY_FILE";
/** the audit key travels as a file in the credentials volume, never as an env var */
export const AUDIT_KEY_FILE = `${TLS_DIR}/audit-key`;

interface MonitorContainer {
  spec: ContainerInputs & { networkMode: "none" };
  /** host path of the Docker socket, bind-mounted at the same path */
  socketPath: string;
  socketGroupId: number;
  stateVolume: string;
}

/** The settings the container reads from $PLATFORM_MONITOR_CONFIG: everything but the audit key. */
function monitorRuntimeConfig(monitor: MonitorConfig): Record<string, unknown> {
  const { key: _key, keySource: _source, ...audit } = monitor.audit;
  return { dryRun: monitor.dryRun, statsWindowSeconds: monitor.statsWindowSeconds, rules: monitor.rules, audit };
}

export function monitorContainer(plan: PlatformPlan): MonitorContainer {
  const monitor = plan.config.monitor;
  if (!monitor.enabled || !monitor.image || monitor.docker.socketGroupId === undefined) {
    throw new Error("monitorContainer: platform:monitor is not enabled with an image and docker.socketGroupId (validated by the schema)");
  }
  const name = plan.names.monitor;
  const spec = hardenedContainer({
    name,
    image: monitor.image,
    hostname: "monitor",
    uid: INFRA_UID.monitor,
    // the image's entrypoint is monitor/cli.ts (docs/monitor.md)
    command: ["run", "--stack", plan.stack, "--state-dir", MONITOR_STATE_DIR],
    env: { [CONFIG_ENV]: JSON.stringify(monitorRuntimeConfig(monitor)), DOCKER_HOST: `unix://${monitor.docker.socketPath}`, [KEY_FILE_ENV]: AUDIT_KEY_FILE },
    labels: { [PLATFORM_LABEL.role]: "monitor", [PLATFORM_LABEL.stack]: plan.stack },
    resources: MONITOR_RESOURCES,
    healthcheck: {
      // healthy while the monitor keeps refreshing its statistics file (every second)
      command: ["CMD", "node", "-e", `process.exit(Date.now() - require("fs").statSync("${MONITOR_STATE_DIR}/stats.json").mtimeMs < 30000 ? 0 : 1)`],
      intervalSeconds: 15,
      timeoutSeconds: 5,
      retries: 3,
      startPeriodSeconds: 20,
    },
    // it needs no network: it talks to the Docker API over the socket only
    networks: [{ name: "none", aliases: [] }],
    tlsVolume: volumeName(name, "tls"),
  });
  return {
    spec: { ...spec, networkMode: "none", networksAdvanced: [], volumes: [...spec.volumes, { volumeName: volumeName(name, "state"), containerPath: MONITOR_STATE_DIR, readOnly: false }] },
    socketPath: monitor.docker.socketPath,
    socketGroupId: monitor.docker.socketGroupId,
    stateVolume: volumeName(name, "state"),
  };
}
