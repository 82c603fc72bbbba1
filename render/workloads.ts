// Container specs for third-party apps and backend services, from the validated plan.
import type { Healthcheck } from "../config/schema";
import type { AppPlan, PlatformPlan, ServicePlan } from "../plan/plan";
import { ContainerInputs, hardenedContainer, TLS_DIR, TLS_FILES } from "./hardening";
import { identityHostname, oidcEndpoints } from "./keycloak/oidc";
import { PLATFORM_LABEL, volumeName } from "../plan/names";

/** Used when an app declares no healthcheck: checks that its main process is alive (needs /bin/sh). */
export const DEFAULT_APP_HEALTHCHECK: Healthcheck = {
  command: ["CMD-SHELL", "kill -0 1"],
  intervalSeconds: 15,
  timeoutSeconds: 5,
  retries: 3,
  startPeriodSeconds: 10,
};

/** Where an app finds its OAuth2 client secret (uploaded by ThirdPartyApp; never an env var). */
export const OAUTH_CLIENT_SECRET_FILE = `${TLS_DIR}/oauth-client-secret`;


/** What an app is told about the platform: where the proxies are, where its TLS material and OAuth2 secret are. */
export function appPlatformEnv(plan: PlatformPlan, app: AppPlan): Record<string, string> {
  const proxy = `http://${app.egressIp}:${plan.config.egress.port}`;
  const noProxy = [app.gatewayIp, "gateway", "localhost", "127.0.0.1"].join(",");
  return {
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    PLATFORM_APP: app.config.name,
    PLATFORM_GATEWAY_URL: `https://${app.gatewayIp}:${plan.config.gateway.listenPort}`,
    PLATFORM_CA_FILE: TLS_FILES.ca,
    PLATFORM_CERT_FILE: TLS_FILES.cert,
    PLATFORM_KEY_FILE: TLS_FILES.key,
    // the client id is the app's name, not a secret; the secret itself is a file
    PLATFORM_OAUTH_CLIENT_ID: app.config.name,
    PLATFORM_OAUTH_CLIENT_SECRET_FILE: OAUTH_CLIENT_SECRET_FILE,
    PLATFORM_OAUTH_TOKEN_URL: `https://${app.gatewayIp}:${plan.config.gateway.listenPort}${oidcEndpoints({ hostname: identityHostname(plan.config.trustDomain), port: plan.config.identity.port, realm: plan.config.identity.realm }).tokenPath}`,
  };
}

export function appContainer(plan: PlatformPlan, app: AppPlan): ContainerInputs {
  return hardenedContainer({
    name: app.containerName,
    image: app.config.image,
    hostname: app.config.name,
    uid: app.uid,
    command: app.config.command,
    env: { ...app.config.env, ...appPlatformEnv(plan, app) },
    labels: {
      [PLATFORM_LABEL.role]: "app",
      [PLATFORM_LABEL.app]: app.config.name,
      [PLATFORM_LABEL.stack]: plan.stack,
    },
    resources: app.config.resources,
    healthcheck: app.config.healthcheck ?? DEFAULT_APP_HEALTHCHECK,
    networks: [{ name: app.network.dockerName, ipv4Address: app.ip, aliases: [app.config.name] }],
    tlsVolume: volumeName(app.containerName, "tls"),
    runtime: app.config.runtime,
  });
}

/**
 * Used when a service declares neither healthcheck nor healthPath (CIS 5.27 still holds): a TCP connect
 * to its port on loopback. The image needs /bin/sh and either bash (its /dev/tcp, as in Debian images)
 * or nc (BusyBox's included, which exits 0 once connected and its stdin is at end).
 */
export function defaultServiceHealthcheck(port: number): Healthcheck {
  const probe = `if command -v bash >/dev/null 2>&1; then exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}'; else exec nc -w 3 127.0.0.1 ${port} </dev/null >/dev/null; fi`;
  return { ...DEFAULT_APP_HEALTHCHECK, command: ["CMD-SHELL", probe] };
}

function serviceHealthcheck(service: ServicePlan): Healthcheck {
  const spec = service.config;
  if (spec.healthcheck) return spec.healthcheck;
  if (spec.healthPath === undefined) return defaultServiceHealthcheck(spec.port);
  const url = `${spec.protocol}://127.0.0.1:${spec.port}${spec.healthPath}`;
  const tlsFlag = spec.protocol === "https" ? ["--no-check-certificate"] : [];
  return { ...DEFAULT_APP_HEALTHCHECK, command: ["CMD", "wget", "-q", "-O", "/dev/null", ...tlsFlag, url] };
}

export function serviceContainer(plan: PlatformPlan, service: ServicePlan): ContainerInputs {
  return hardenedContainer({
    name: service.containerName,
    image: service.config.image,
    hostname: service.config.name,
    uid: service.uid,
    command: service.config.command,
    env: {
      ...service.config.env,
      PLATFORM_SERVICE: service.config.name,
      PLATFORM_SERVICE_PORT: String(service.config.port),
      PLATFORM_CA_FILE: TLS_FILES.ca,
      PLATFORM_CERT_FILE: TLS_FILES.cert,
      PLATFORM_KEY_FILE: TLS_FILES.key,
    },
    labels: {
      [PLATFORM_LABEL.role]: "service",
      [PLATFORM_LABEL.service]: service.config.name,
      [PLATFORM_LABEL.stack]: plan.stack,
    },
    resources: service.config.resources,
    healthcheck: serviceHealthcheck(service),
    // Services are found by name on the services network; their addresses come from its dynamic range.
    networks: [{ name: plan.networks.services.dockerName, aliases: [service.hostname] }],
    tlsVolume: volumeName(service.containerName, "tls"),
  });
}
