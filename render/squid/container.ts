// The egress proxy's container as plain data: hardened like every workload, joined to the outbound
// network (its only route off the host) and to every app network at the app subnet's egress address.
import type { Healthcheck } from "../../config/schema";
import { infraAddress, PlatformPlan } from "../../plan/plan";
import { ContainerInputs, FileUpload, hardenedContainer } from "../hardening";
import { squidInputFromPlan } from "./from-plan";
import { renderSquidConf } from "./squid-conf";
import { INFRA_UID, PLATFORM_LABEL, volumeName } from "../../plan/names";

const SQUID_CONF_DIR = "/etc/squid/platform";
export const SQUID_CONF_FILE = `${SQUID_CONF_DIR}/squid.conf`;
/** DNS name of the proxy on every network it joins */
export const EGRESS_ALIAS = "egress";

/**
 * Squid is PID 1 in its container, which `squid -k check` refuses, so the check sends a request from
 * loopback (denied, and excluded from the access log) and wants any HTTP answer back. bash is part
 * of every Debian image.
 */
export function egressHealthcheck(port: number): Healthcheck {
  const probe = `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET http://healthcheck.invalid/ HTTP/1.0\\r\\n\\r\\n' >&3 && read -r -t 5 line <&3 && [[ $line == HTTP/1.* ]]`;
  return { command: ["CMD", "bash", "-c", probe], intervalSeconds: 15, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 5 };
}

interface EgressContainer {
  spec: ContainerInputs;
  /** squid.conf, rendered from the validated spec */
  config: string;
  /** into the config volume (Docker refuses uploads into a read-only root filesystem) */
  uploads: FileUpload[];
  /** the proxy's address on each app's network, by app name */
  appAddresses: Record<string, string>;
}

export function egressContainer(plan: PlatformPlan): EgressContainer {
  const config = renderSquidConf(squidInputFromPlan(plan));
  const outbound = plan.networks.outbound;
  const name = plan.names.egress;
  const spec = hardenedContainer({
    name,
    image: plan.config.egress.image,
    hostname: EGRESS_ALIAS,
    uid: INFRA_UID.egress,
    gid: INFRA_UID.egress,
    command: ["squid", "-N", "-f", SQUID_CONF_FILE],
    env: {},
    labels: { [PLATFORM_LABEL.role]: "egress", [PLATFORM_LABEL.stack]: plan.stack },
    resources: plan.config.egress.resources,
    healthcheck: egressHealthcheck(plan.config.egress.port),
    // outbound first: the only network with a gateway, so Squid's default route leaves through it
    networks: [
      { name: outbound.dockerName, ipv4Address: infraAddress(outbound, "egress"), aliases: [EGRESS_ALIAS] },
      ...plan.apps.map((app) => ({ name: app.network.dockerName, ipv4Address: app.egressIp, aliases: [EGRESS_ALIAS] })),
    ],
    // Squid (non-root, port > 1024, no cache, logs on stdout) needs no capability and only /tmp
  });
  return {
    spec: { ...spec, volumes: [{ volumeName: volumeName(name, "conf"), containerPath: SQUID_CONF_DIR, readOnly: true }] },
    config,
    // root-owned and read-only for Squid: a compromised proxy cannot rewrite its own whitelist
    uploads: [{ file: SQUID_CONF_FILE, content: config, permissions: "0444", owner: "0", group: "0" }],
    appAddresses: Object.fromEntries(plan.apps.map((app) => [app.config.name, app.egressIp])),
  };
}
