// The gateway's renderer input and container from the validated plan. Pins are passed in: they are
// computed from keys that exist only once @pulumi/tls has generated them.
import { infraAddress, type PlatformPlan } from "../../plan/plan";
import { ContainerInputs, hardenedContainer, TLS_DIR, TLS_FILES } from "../hardening";
import { gatewayAudience, identityHostname } from "../keycloak/oidc";
import type { GatewayRenderInput } from "./types";
import { INFRA_UID, PLATFORM_LABEL, volumeName } from "../../plan/names";

export const ENVOY_CONFIG_FILE = `${TLS_DIR}/envoy.yaml`;

export interface GatewayPins {
  /** app name → SPKI pin of its client key */
  apps: Record<string, string>;
  /** service name → SPKI pin of its server key (used for https services) */
  services: Record<string, string>;
  identity?: string;
}

/** Placeholder pins for the up-front render (checks before any resource): the real ones exist only once the keys do. */
export function placeholderPins(plan: PlatformPlan): GatewayPins {
  const pin = Buffer.alloc(32).toString("base64");
  return {
    apps: Object.fromEntries(plan.apps.map((a) => [a.config.name, pin])),
    services: Object.fromEntries(plan.services.map((s) => [s.config.name, pin])),
    identity: pin,
  };
}

export function gatewaySpiffeId(trustDomain: string): string {
  return `spiffe://${trustDomain}/platform/gateway`;
}

function gatewayContainerName(plan: PlatformPlan): string {
  return plan.names.gateway;
}

/** Every address the gateway answers on: the apps connect to it by IP in their own subnets. */
export function gatewayAddresses(plan: PlatformPlan): { ips: string[]; dnsNames: string[] } {
  return {
    ips: [...plan.apps.map((a) => a.gatewayIp), infraAddress(plan.networks.services, "gateway"), infraAddress(plan.networks.identity, "gateway")],
    dnsNames: ["gateway", `gateway.${plan.config.trustDomain}`],
  };
}

export function gatewayInput(plan: PlatformPlan, pins: GatewayPins): GatewayRenderInput {
  const { config } = plan;
  const pinOf = (kind: string, table: Record<string, string>, name: string) => {
    const pin = table[name];
    if (!pin) throw new Error(`gateway: no SPKI pin for ${kind} ${name}`);
    return pin;
  };
  return {
    trustDomain: config.trustDomain,
    listenPort: config.gateway.listenPort,
    adminPort: config.gateway.adminPort,
    tlsFiles: { ...TLS_FILES },
    apps: plan.apps.map((app) => ({
      name: app.config.name,
      spiffeId: app.spiffeId,
      sourceSubnet: app.network.subnet,
      clientSpkiPin: pinOf("app", pins.apps, app.config.name),
      grants: app.config.services.map((g) => ({ service: g.name, methods: g.methods, pathPrefixes: g.pathPrefixes })),
      rateLimit: app.config.rateLimit,
    })),
    services: plan.services.map((s) => ({
      name: s.config.name,
      host: s.hostname,
      port: s.config.port,
      ...(s.config.protocol === "https" ? { tls: { spiffeId: s.spiffeId, spkiPin: pinOf("service", pins.services, s.config.name) } } : {}),
    })),
    identity: {
      hostname: identityHostname(config.trustDomain),
      address: infraAddress(plan.networks.identity, "identity"),
      port: config.identity.port,
      realm: config.identity.realm,
      audience: gatewayAudience(config.trustDomain),
      ...(pins.identity ? { spkiPin: pins.identity } : {}),
    },
  };
}

export function gatewayContainer(plan: PlatformPlan): ContainerInputs {
  const { config } = plan;
  const name = gatewayContainerName(plan);
  const admin = config.gateway.adminPort;
  return hardenedContainer({
    name,
    image: config.gateway.image,
    hostname: "gateway",
    uid: INFRA_UID.gateway,
    // access logs reach stdout (and the monitor) within 250 ms: Envoy's default holds them up to 10 s
    command: ["envoy", "-c", ENVOY_CONFIG_FILE, "--disable-hot-restart", "--log-level", "info", "--file-flush-interval-msec", "250"],
    env: {},
    labels: { [PLATFORM_LABEL.role]: "gateway", [PLATFORM_LABEL.stack]: plan.stack },
    resources: config.gateway.resources,
    // the image ships bash; /ready on the loopback-only admin port says LIVE once listeners are up (the
    // admin server answers HTTP/1.0 with 426 Upgrade Required, so the check speaks HTTP/1.1)
    healthcheck: {
      command: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${admin} && printf 'GET /ready HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n' >&3 && grep -q LIVE <&3`],
      intervalSeconds: 10,
      timeoutSeconds: 5,
      retries: 3,
      startPeriodSeconds: 10,
    },
    networks: [
      ...plan.apps.map((app) => ({ name: app.network.dockerName, ipv4Address: app.gatewayIp, aliases: ["gateway"] })),
      { name: plan.networks.services.dockerName, ipv4Address: infraAddress(plan.networks.services, "gateway"), aliases: ["gateway"] },
      { name: plan.networks.identity.dockerName, ipv4Address: infraAddress(plan.networks.identity, "gateway"), aliases: ["gateway"] },
    ],
    tlsVolume: volumeName(name, "tls"),
  });
}
