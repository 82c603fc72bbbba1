// Container specs for third-party apps and backend services, from the validated plan.
import type { Healthcheck } from "../spec/schema";
import type { AppPlan, PlatformPlan, ServicePlan } from "../spec/plan";
import { ContainerSpec, hardenedContainer, PLATFORM_LABEL, TLS_DIR, TLS_FILES } from "./hardening";
import { identityHostname, oidcEndpoints } from "./keycloak/oidc";

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

export function tlsVolumeName(containerName: string): string {
  return `${containerName}-tls`;
}

/** What an app is told about the platform: where the proxies are, where its TLS material and OAuth2 secret are. */
export function appPlatformEnv(plan: PlatformPlan, app: AppPlan): Record<string, string> {
  const proxy = `http://${app.egressIp}:${plan.spec.egress.port}`;
  const noProxy = [app.gatewayIp, "gateway", "localhost", "127.0.0.1"].join(",");
  return {
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    PLATFORM_APP: app.spec.name,
    PLATFORM_GATEWAY_URL: `https://${app.gatewayIp}:${plan.spec.gateway.listenPort}`,
    PLATFORM_CA_FILE: TLS_FILES.ca,
    PLATFORM_CERT_FILE: TLS_FILES.cert,
    PLATFORM_KEY_FILE: TLS_FILES.key,
    // the client id is the app's name, not a secret; the secret itself is a file
    PLATFORM_OAUTH_CLIENT_ID: app.spec.name,
    PLATFORM_OAUTH_CLIENT_SECRET_FILE: OAUTH_CLIENT_SECRET_FILE,
    PLATFORM_OAUTH_TOKEN_URL: `https://${app.gatewayIp}:${plan.spec.gateway.listenPort}${oidcEndpoints({ hostname: identityHostname(plan.spec.trustDomain), port: plan.spec.identity.port, realm: plan.spec.identity.realm }).tokenPath}`,
  };
}

export function appContainer(plan: PlatformPlan, app: AppPlan): ContainerSpec {
  return hardenedContainer({
    name: app.containerName,
    image: app.spec.image,
    hostname: app.spec.name,
    uid: app.uid,
    command: app.spec.command,
    env: { ...app.spec.env, ...appPlatformEnv(plan, app) },
    labels: {
      [PLATFORM_LABEL.role]: "app",
      [PLATFORM_LABEL.app]: app.spec.name,
      [PLATFORM_LABEL.stack]: plan.stack,
    },
    resources: app.spec.resources,
    healthcheck: app.spec.healthcheck ?? DEFAULT_APP_HEALTHCHECK,
    networks: [{ name: app.network.dockerName, ipv4Address: app.ip, aliases: [app.spec.name] }],
    tlsVolume: tlsVolumeName(app.containerName),
    runtime: app.spec.runtime,
  });
}

export function serviceHealthcheck(service: ServicePlan): Healthcheck {
  const spec = service.spec;
  if (spec.healthcheck) return spec.healthcheck;
  const url = `${spec.protocol}://127.0.0.1:${spec.port}${spec.healthPath}`;
  const tlsFlag = spec.protocol === "https" ? ["--no-check-certificate"] : [];
  return { ...DEFAULT_APP_HEALTHCHECK, command: ["CMD", "wget", "-q", "-O", "/dev/null", ...tlsFlag, url] };
}

export function serviceContainer(plan: PlatformPlan, service: ServicePlan): ContainerSpec {
  return hardenedContainer({
    name: service.containerName,
    image: service.spec.image,
    hostname: service.spec.name,
    uid: service.uid,
    command: service.spec.command,
    env: {
      ...service.spec.env,
      PLATFORM_SERVICE: service.spec.name,
      PLATFORM_SERVICE_PORT: String(service.spec.port),
      PLATFORM_CA_FILE: TLS_FILES.ca,
      PLATFORM_CERT_FILE: TLS_FILES.cert,
      PLATFORM_KEY_FILE: TLS_FILES.key,
    },
    labels: {
      [PLATFORM_LABEL.role]: "service",
      [PLATFORM_LABEL.service]: service.spec.name,
      [PLATFORM_LABEL.stack]: plan.stack,
    },
    resources: service.spec.resources,
    healthcheck: serviceHealthcheck(service),
    // Services are found by name on the services network; their addresses come from its dynamic range.
    networks: [{ name: plan.networks.services.dockerName, aliases: [service.hostname] }],
    tlsVolume: tlsVolumeName(service.containerName),
  });
}
