// From a stack brought up in the engine to what the probes need: app targets (with their egress
// proxy and whitelist), service and Keycloak endpoints, and why a component is absent.
import type Docker from "dockerode";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../config/load";
import type { BringUp } from "./bringup";
import { appTarget } from "./probes/targets";
import type { AppTarget, Endpoint, GatewayAppInfo, GatewayInfo, ProbeEnvironment } from "./probes/types";
import { PLATFORM_LABEL } from "../plan/names";
import { spiffeId } from "../plan/plan";
import { TLS_FILES } from "../render/hardening";
import { OAUTH_CLIENT_SECRET_FILE } from "../render/workloads";
import type { RecordedResource } from "../mock-runner/run-program";


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
  return {
    docker,
    apps,
    services,
    identity: identityEndpoint,
    gateway: gatewayInfo(up, config),
    egress: egress.started.length ? { present: true } : { absent: egress.reason },
    ...fixtures,
  };
}

/** Upload contents of a container resource by file path (what the provider copies into its volume). */
function uploadsOf(resource: RecordedResource | undefined): Record<string, string> {
  return Object.fromEntries(((resource?.inputs.uploads ?? []) as { file: string; content?: string }[]).map((u) => [u.file, u.content ?? ""]));
}

/** The app's certificate, key and OAuth2 client secret as its upload seed received them. */
function appCredentials(resources: RecordedResource[], app: string): GatewayAppInfo["credentials"] {
  const seed = resources.find((r) => r.type === "docker:index/container:Container" && r.inputs.labels?.some((l: { label: string; value: string }) => l.label === PLATFORM_LABEL.app && l.value === app) && r.inputs.uploads?.length);
  const files = uploadsOf(seed);
  const [certPem, keyPem, clientSecret] = [files[TLS_FILES.cert], files[TLS_FILES.key], files[OAUTH_CLIENT_SECRET_FILE]];
  return certPem && keyPem && clientSecret ? { certPem, keyPem, clientSecret: clientSecret.trim() } : undefined;
}

/** The platform CA: the one self-signed CA certificate of the program, with its key. */
function platformCa(resources: RecordedResource[]): GatewayInfo["ca"] {
  const ca = resources.find((r) => r.type === "tls:index/selfSignedCert:SelfSignedCert" && r.inputs.isCaCertificate);
  return ca?.state.certPem && ca.inputs.privateKeyPem ? { certPem: ca.state.certPem, keyPem: ca.inputs.privateKeyPem } : undefined;
}

/** The running gateway with every app's chain as declared (grants, bucket, credentials), or why it is absent. */
export function gatewayInfo(up: BringUp, config: Record<string, unknown>): GatewayInfo | { absent: string } {
  const gateway = byRole(up, "gateway");
  if (!gateway.started.length) return { absent: gateway.reason };
  const identity = byRole(up, "identity");
  return gatewayView(config, up.resources, gateway.started[0].id, identity.started.length ? { present: true } : { absent: identity.reason }, (app) => appCredentials(up.resources, app));
}

/** The gateway as the probes see it, whichever wiring runs it: `credentialsOf` reads an app's files from the program's resources. */
export function gatewayView(
  config: Record<string, unknown>,
  resources: RecordedResource[],
  containerId: string,
  identity: GatewayInfo["identity"],
  credentialsOf: (app: string) => GatewayAppInfo["credentials"],
): GatewayInfo {
  const { config: platform } = parsePlatformConfig(rawConfigFromFlatMap(config));
  return {
    present: true,
    containerId,
    adminPort: platform.gateway.adminPort,
    services: platform.services.map((s) => s.name),
    identity,
    ca: platformCa(resources),
    apps: platform.apps.map((app) => ({
      name: app.name,
      spiffeId: spiffeId(platform.trustDomain, "app", app.name),
      clientId: app.name,
      grants: app.services.map((g) => ({ service: g.name, methods: [...g.methods], pathPrefixes: [...g.pathPrefixes] })),
      rateLimit: { requestsPerSecond: app.rateLimit.requestsPerSecond, burst: app.rateLimit.burst },
      credentials: credentialsOf(app.name),
    })),
  };
}
