// The gateway's renderer input and container from the validated plan. Pins are passed in: they are
// computed from keys that exist only once @pulumi/tls has generated them.
import { infraAddress, type PlatformPlan } from "../../spec/plan";
import { ContainerSpec, hardenedContainer, PLATFORM_LABEL, TLS_DIR, TLS_FILES } from "../hardening";
import { tlsVolumeName } from "../workloads";
import { gatewayAudience, identityHostname } from "../keycloak/oidc";
import type { GatewayRenderInput } from "./types";

/** Non-root UID of the gateway (below the service and app UID ranges). */
export const GATEWAY_UID = 9100;
export const ENVOY_CONFIG_FILE = `${TLS_DIR}/envoy.yaml`;

export interface GatewayPins {
  /** app name → SPKI pin of its client key */
  apps: Record<string, string>;
  /** service name → SPKI pin of its server key (used for https services) */
  services: Record<string, string>;
  identity?: string;
}

export function gatewaySpiffeId(trustDomain: string): string {
  return `spiffe://${trustDomain}/platform/gateway`;
}

export function gatewayContainerName(plan: PlatformPlan): string {
  return `${plan.prefix}-gateway`;
}

/** Every address the gateway answers on: the apps connect to it by IP in their own subnets. */
export function gatewayAddresses(plan: PlatformPlan): { ips: string[]; dnsNames: string[] } {
  return {
    ips: [...plan.apps.map((a) => a.gatewayIp), infraAddress(plan.networks.services, "gateway"), infraAddress(plan.networks.identity, "gateway")],
    dnsNames: ["gateway", `gateway.${plan.spec.trustDomain}`],
  };
}

export function gatewayInput(plan: PlatformPlan, pins: GatewayPins): GatewayRenderInput {
  const { spec } = plan;
  const pinOf = (kind: string, table: Record<string, string>, name: string) => {
    const pin = table[name];
    if (!pin) throw new Error(`gateway: no SPKI pin for ${kind} ${name}`);
    return pin;
  };
  return {
    trustDomain: spec.trustDomain,
    listenPort: spec.gateway.listenPort,
    adminPort: spec.gateway.adminPort,
    tlsFiles: { ...TLS_FILES },
    apps: plan.apps.map((app) => ({
      name: app.spec.name,
      spiffeId: app.spiffeId,
      sourceSubnet: app.network.subnet,
      clientSpkiPin: pinOf("app", pins.apps, app.spec.name),
      grants: app.spec.services.map((g) => ({ service: g.name, methods: g.methods, pathPrefixes: g.pathPrefixes })),
      rateLimit: app.spec.rateLimit,
    })),
    services: plan.services.map((s) => ({
      name: s.spec.name,
      host: s.hostname,
      port: s.spec.port,
      ...(s.spec.protocol === "https" ? { tls: { spiffeId: s.spiffeId, spkiPin: pinOf("service", pins.services, s.spec.name) } } : {}),
    })),
    identity: {
      hostname: identityHostname(spec.trustDomain),
      address: infraAddress(plan.networks.identity, "identity"),
      port: spec.identity.port,
      realm: spec.identity.realm,
      audience: gatewayAudience(spec.trustDomain),
      ...(pins.identity ? { spkiPin: pins.identity } : {}),
    },
  };
}

export function gatewayContainer(plan: PlatformPlan): ContainerSpec {
  const { spec } = plan;
  const name = gatewayContainerName(plan);
  const admin = spec.gateway.adminPort;
  return hardenedContainer({
    name,
    image: spec.gateway.image,
    hostname: "gateway",
    uid: GATEWAY_UID,
    command: ["envoy", "-c", ENVOY_CONFIG_FILE, "--disable-hot-restart", "--log-level", "info"],
    env: {},
    labels: { [PLATFORM_LABEL.role]: "gateway", [PLATFORM_LABEL.stack]: plan.stack },
    resources: spec.gateway.resources,
    // Envoy's images ship bash; /ready on the loopback-only admin port says LIVE once listeners are up
    healthcheck: {
      command: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${admin} && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q LIVE <&3`],
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
    tlsVolume: tlsVolumeName(name),
  });
}
