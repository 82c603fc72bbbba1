// The addressing plan derived from a validated config: subnets, static IPs, UIDs and Docker names.
// Pure and deterministic, shared by the components, the renderers, the sandbox and the policies.
import { createHash } from "node:crypto";
import { blockSize, formatCidr, formatIpv4, hostAddress, Ipv4Cidr, parseCidr } from "../config/cidr";
import { AppConfig, PlatformConfig, ServiceConfig } from "../config/schema";
import { allocateAppSlots, appSubnetForSlot, infraSubnet, InfraNetwork } from "../config/subnet-slots";
import { APP_UID_BASE, dockerNames, SERVICE_UID_BASE, SERVICE_UID_SPAN } from "./names";

/** Host offsets inside every app subnet. */
const APP_HOST = { bridge: 1, gateway: 2, egress: 3, app: 4 } as const;
/** Host offsets inside the infrastructure subnets. */
const INFRA_HOST = { bridge: 1, gateway: 2, egress: 3, identity: 4, database: 5, monitor: 6 } as const;


export interface NetworkPlan {
  /** logical key: `app:<name>`, `services`, `identity`, `outbound` */
  key: string;
  dockerName: string;
  subnet: string;
  bridgeGateway: string;
  /** where Docker may hand out dynamic addresses: the upper half, clear of the static ones */
  ipRange: string;
  internal: boolean;
}

export interface AppPlan {
  config: AppConfig;
  slot: number;
  uid: number;
  network: NetworkPlan;
  containerName: string;
  ip: string;
  gatewayIp: string;
  egressIp: string;
  spiffeId: string;
}

export interface ServicePlan {
  config: ServiceConfig;
  uid: number;
  containerName: string;
  /** DNS name on the services network */
  hostname: string;
  spiffeId: string;
}

export interface PlatformPlan {
  config: PlatformConfig;
  stack: string;
  prefix: string;
  /** Docker names of the platform's own containers and networks (plan/names.ts) */
  names: ReturnType<typeof dockerNames>;
  baseCidr: string;
  networks: Record<Exclude<InfraNetwork, "reserved">, NetworkPlan>;
  apps: AppPlan[];
  services: ServicePlan[];
}

export function namePrefix(config: PlatformConfig, stack: string): string {
  if (config.namePrefix) return config.namePrefix;
  const cleaned = stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 24);
  return `plat-${cleaned || "stack"}`;
}

export function spiffeId(trustDomain: string, kind: "app" | "service", name: string): string {
  return `spiffe://${trustDomain}/${kind}/${name}`;
}

function networkPlan(key: string, dockerName: string, subnet: Ipv4Cidr, internal: boolean): NetworkPlan {
  const upperHalf: Ipv4Cidr = { network: subnet.network + blockSize(subnet.prefixLength + 1), prefixLength: subnet.prefixLength + 1 };
  return { key, dockerName, subnet: formatCidr(subnet), bridgeGateway: hostAddress(subnet, 1), ipRange: formatCidr(upperHalf), internal };
}

export function buildPlan(config: PlatformConfig, stack: string): PlatformPlan {
  const base = parseCidr(config.network.baseCidr);
  if (!base) throw new Error(`platform:network.baseCidr ${config.network.baseCidr} was not validated`);
  const prefix = namePrefix(config, stack);
  const names = dockerNames(prefix);
  const allocation = allocateAppSlots(config.apps, base, config.network.appPrefixLength);
  if (allocation.problems.length > 0) throw new Error(allocation.problems.map((p) => p.message).join("; "));

  const apps = config.apps.map((app, i): AppPlan => {
    const slot = allocation.slots[i];
    const subnet = appSubnetForSlot(base, config.network.appPrefixLength, slot);
    return {
      config: app,
      slot,
      uid: APP_UID_BASE + slot,
      network: networkPlan(`app:${app.name}`, names.appNetwork(app.name), subnet, true),
      containerName: names.appContainer(app.name),
      ip: hostAddress(subnet, APP_HOST.app),
      gatewayIp: hostAddress(subnet, APP_HOST.gateway),
      egressIp: hostAddress(subnet, APP_HOST.egress),
      spiffeId: spiffeId(config.trustDomain, "app", app.name),
    };
  });

  const serviceUids = allocateServiceUids(config.services.map((s) => s.name));
  const services = config.services.map((service): ServicePlan => ({
    config: service,
    uid: serviceUids.get(service.name)!,
    containerName: names.serviceContainer(service.name),
    hostname: service.name,
    spiffeId: spiffeId(config.trustDomain, "service", service.name),
  }));

  return {
    config,
    stack,
    prefix,
    names,
    baseCidr: formatCidr(base),
    networks: {
      services: networkPlan("services", names.infraNetwork("services"), infraSubnet(base, "services"), true),
      identity: networkPlan("identity", names.infraNetwork("identity"), infraSubnet(base, "identity"), true),
      outbound: networkPlan("outbound", names.infraNetwork("outbound"), infraSubnet(base, "outbound"), false),
    },
    apps,
    services,
  };
}

/** Static address of an infrastructure container on an infrastructure network. */
export function infraAddress(network: NetworkPlan, role: keyof typeof INFRA_HOST): string {
  const cidr = parseCidr(network.subnet)!;
  return formatIpv4(cidr.network + INFRA_HOST[role]);
}

/**
 * A distinct UID per service, derived from its name; the rare hash collision is resolved by probing
 * in name order, so adding a service moves no other service unless it collides exactly.
 */
function allocateServiceUids(names: readonly string[]): Map<string, number> {
  const taken = new Set<number>();
  const uids = new Map<string, number>();
  for (const name of [...names].sort()) {
    let offset = createHash("sha256").update(`platform-service-uid:${name}`).digest().readUInt32BE(0) % SERVICE_UID_SPAN;
    while (taken.has(offset)) offset = (offset + 1) % SERVICE_UID_SPAN;
    taken.add(offset);
    uids.set(name, SERVICE_UID_BASE + offset);
  }
  return uids;
}
