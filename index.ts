// The Pulumi program: validated stack config in, the whole platform out, on one Docker engine
// (platform:orchestrator: engine, the default) or as Swarm services (swarm).
import * as pulumi from "@pulumi/pulumi";
import { Platform } from "./components/platform";
import { SwarmPlatform } from "./components/swarm/swarm-platform";
import { ConfigError } from "./config/errors";
import { loadStackConfig } from "./config/pulumi-config";
import type { PlatformConfig } from "./config/schema";
import type { NetworkPlan, PlatformPlan } from "./plan/plan";

function load() {
  try {
    return loadStackConfig();
  } catch (error) {
    // RunError prints the message alone, without a stack trace: the message names every bad key.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

function networkOutputs(plan: PlatformPlan) {
  const describe = (network: NetworkPlan) => ({ name: network.dockerName, subnet: network.subnet });
  return {
    ...Object.fromEntries(plan.apps.map((app) => [app.network.key, describe(app.network)])),
    services: describe(plan.networks.services),
    identity: describe(plan.networks.identity),
    outbound: describe(plan.networks.outbound),
  };
}

function engineOutputs(config: PlatformConfig) {
  const platform = new Platform("platform", { config, stack: pulumi.getStack() });
  const { plan } = platform;
  return {
    caCertificatePem: platform.ca.certPem,
    networks: networkOutputs(plan),
    apps: Object.fromEntries(
      plan.apps.map((app) => [
        app.config.name,
        { containerName: platform.apps[app.config.name].containerName, address: app.ip, uid: app.uid, gateway: app.gatewayIp, egressProxy: app.egressIp },
      ]),
    ),
    services: Object.fromEntries(plan.services.map((service) => [service.config.name, { containerName: platform.services[service.config.name].containerName }])),
    gateway: { containerName: platform.gateway.containerName, listenPort: config.gateway.listenPort },
    identity: { containerName: platform.identity.containerName, issuer: platform.identity.issuer },
    egressProxy: { containerName: platform.egress.containerName, port: config.egress.port },
  };
}

/** The same keys as on one engine; Swarm services instead of containers, aliases instead of addresses. */
function swarmOutputs(config: PlatformConfig) {
  const platform = new SwarmPlatform("platform", { config, stack: pulumi.getStack() });
  const { plan, services } = platform;
  return {
    caCertificatePem: platform.ca.certPem,
    networks: networkOutputs(plan),
    apps: Object.fromEntries(
      plan.apps.map((app) => [app.config.name, { serviceName: services[app.config.name].name, replicas: app.config.replicas ?? 1, uid: app.uid, gateway: "gateway", egressProxy: "egress" }]),
    ),
    services: Object.fromEntries(plan.services.map((service) => [service.config.name, { serviceName: services[service.config.name].name }])),
    gateway: { serviceName: services.gateway.name, listenPort: config.gateway.listenPort },
    identity: { serviceName: services.identity.name, issuer: platform.identityIssuer },
    egressProxy: { serviceName: services.egress.name, port: config.egress.port },
  };
}

const { config } = load();
const outputs = config.orchestrator === "swarm" ? swarmOutputs(config) : engineOutputs(config);

export const caCertificatePem = outputs.caCertificatePem;
export const networks = outputs.networks;
export const apps = outputs.apps;
export const services = outputs.services;
export const gateway = outputs.gateway;
export const identity = outputs.identity;
export const egressProxy = outputs.egressProxy;
