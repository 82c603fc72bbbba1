// The Pulumi program: validated stack config in, the whole platform out.
import * as pulumi from "@pulumi/pulumi";
import { Platform } from "./components/platform";
import { ConfigError } from "./config/errors";
import { loadStackConfig } from "./config/pulumi-config";

function load() {
  try {
    return loadStackConfig();
  } catch (error) {
    // RunError prints the message alone, without a stack trace: the message names every bad key.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const { config } = load();
const platform = new Platform("platform", { config, stack: pulumi.getStack() });
const { plan } = platform;

export const caCertificatePem = platform.ca.certPem;
export const networks = {
  ...Object.fromEntries(plan.apps.map((app) => [app.network.key, { name: app.network.dockerName, subnet: app.network.subnet }])),
  services: { name: plan.networks.services.dockerName, subnet: plan.networks.services.subnet },
  identity: { name: plan.networks.identity.dockerName, subnet: plan.networks.identity.subnet },
  outbound: { name: plan.networks.outbound.dockerName, subnet: plan.networks.outbound.subnet },
};
export const apps = Object.fromEntries(
  plan.apps.map((app) => [
    app.config.name,
    { containerName: platform.apps[app.config.name].containerName, address: app.ip, uid: app.uid, gateway: app.gatewayIp, egressProxy: app.egressIp },
  ]),
);
export const services = Object.fromEntries(plan.services.map((service) => [service.config.name, { containerName: platform.services[service.config.name].containerName }]));
export const gateway = { containerName: platform.gateway.containerName, listenPort: config.gateway.listenPort };
export const identity = { containerName: platform.identity.containerName, issuer: platform.identity.issuer };
export const egressProxy = { containerName: platform.egress.containerName, port: config.egress.port };
