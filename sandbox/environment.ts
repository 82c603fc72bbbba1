// From a stack brought up in the engine to what the probes need: app targets (with their egress
// proxy and whitelist), service and Keycloak endpoints, and why a component is absent.
import type Docker from "dockerode";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../config/load";
import type { BringUp } from "./bringup";
import { appTarget } from "./probes/targets";
import type { AppTarget, Endpoint, ProbeEnvironment } from "./probes/types";
import { PLATFORM_LABEL } from "../plan/names";


async function addressOn(docker: Docker, containerId: string, network?: string): Promise<string | undefined> {
  const networks = (await docker.getContainer(containerId).inspect()).NetworkSettings.Networks;
  const endpoint = network ? networks[network] : Object.values(networks)[0];
  return endpoint?.IPAddress || undefined;
}

/** The running containers of a role (created-only ones, `start: false`, do not count), or why there are none. */
function byRole(up: BringUp, role: string) {
  const started = up.containers.filter((c) => c.labels[PLATFORM_LABEL.role] === role && c.inputs.start !== false);
  const absent = up.notStarted.filter((c) => c.labels[PLATFORM_LABEL.role] === role && c.inputs.start !== false);
  const reason = absent.length ? [...new Set(absent.map((a) => a.reason))].join("; ") : `the program declares no ${role} container`;
  return { started, reason };
}

export async function probeEnvironment(
  docker: Docker,
  up: BringUp,
  config: Record<string, unknown>,
  fixtures: Pick<ProbeEnvironment, "hostMarker" | "hostListener" | "internet">,
): Promise<ProbeEnvironment> {
  const { config: platform } = parsePlatformConfig(rawConfigFromFlatMap(config));
  const egress = byRole(up, "egress");
  const apps: AppTarget[] = [];
  for (const container of byRole(up, "app").started) {
    const name = container.labels[PLATFORM_LABEL.app] ?? container.name;
    const network = container.inputs.networksAdvanced?.[0]?.name as string | undefined;
    let proxy: AppTarget["egress"] = { absent: egress.reason };
    if (egress.started.length) {
      const ip = network ? await addressOn(docker, egress.started[0].id, network) : undefined;
      proxy = ip ? { ip, port: platform.egress.port, whitelist: platform.apps.find((a) => a.name === name)?.egress ?? [] } : { absent: `the egress proxy is not on ${network}` };
    }
    apps.push(await appTarget(docker, container.id, name, proxy));
  }
  const services: ProbeEnvironment["services"] = [];
  for (const container of byRole(up, "service").started) {
    const ip = await addressOn(docker, container.id);
    const port = Number((container.inputs.envs as string[] | undefined)?.find((e) => e.startsWith("PLATFORM_SERVICE_PORT="))?.split("=")[1] ?? 8080);
    if (ip) services.push({ name: container.labels[PLATFORM_LABEL.service] ?? container.name, ip, port });
  }
  for (const absent of up.notStarted.filter((c) => c.labels[PLATFORM_LABEL.role] === "service" && c.inputs.start !== false)) services.push({ name: absent.name, absent: absent.reason });
  const identity = byRole(up, "identity");
  let identityEndpoint: Endpoint | { absent: string } = { absent: identity.reason };
  if (identity.started.length) {
    const ip = await addressOn(docker, identity.started[0].id);
    identityEndpoint = ip ? { name: "keycloak", ip, port: platform.identity.port } : { absent: "keycloak has no address" };
  }
  const gateway = byRole(up, "gateway");
  return {
    docker,
    apps,
    services,
    identity: identityEndpoint,
    gateway: gateway.started.length ? { present: true } : { absent: gateway.reason },
    egress: egress.started.length ? { present: true } : { absent: egress.reason },
    ...fixtures,
  };
}
