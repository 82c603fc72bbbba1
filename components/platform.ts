import * as pulumi from "@pulumi/pulumi";
import { buildPlan, PlatformPlan } from "../plan/plan";
import type { PlatformConfig } from "../config/schema";
import { ApiGateway } from "./api-gateway";
import { EgressProxy } from "./egress-proxy";
import { IdentityProvider } from "./identity-provider";
import { InternalCa } from "./internal-ca";
import { PlatformNetworks } from "./platform-networks";
import { PlatformService } from "./platform-service";
import { ThirdPartyApp } from "./third-party-app";
import { SecurityMonitor } from "./security-monitor";

export interface PlatformArgs {
  /** a validated config (see config/load.ts) */
  config: PlatformConfig;
  /** the Pulumi stack name: part of every Docker name and the `platform.stack` label */
  stack: string;
}

/** The whole app ecosystem from one validated config (the paper's Figure 4). */
export class Platform extends pulumi.ComponentResource {
  readonly plan: PlatformPlan;
  /** the security monitor container, when platform:monitor.enabled */
  readonly monitor?: SecurityMonitor;
  readonly networks: PlatformNetworks;
  readonly ca: InternalCa;
  readonly services: Record<string, PlatformService> = {};
  readonly apps: Record<string, ThirdPartyApp> = {};
  readonly identity: IdentityProvider;
  readonly gateway: ApiGateway;
  readonly egress: EgressProxy;

  constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:index:Platform", name, {}, opts);
    const plan = buildPlan(args.config, args.stack);
    this.plan = plan;
    const { config } = plan;
    this.networks = new PlatformNetworks(`${name}-networks`, { plan }, { parent: this });
    this.ca = new InternalCa(`${name}-ca`, { ...config.ca }, { parent: this });

    // Created before the apps: each app gets its own OAuth2 client secret from it, as a file.
    this.identity = new IdentityProvider(`${name}-identity`, { plan, ca: this.ca, network: this.networks.identity }, { parent: this });

    for (const service of plan.services) {
      this.services[service.config.name] = new PlatformService(
        `${name}-svc-${service.config.name}`,
        { plan, service, ca: this.ca, network: this.networks.services },
        { parent: this },
      );
    }

    for (const app of plan.apps) {
      this.apps[app.config.name] = new ThirdPartyApp(
        `${name}-app-${app.config.name}`,
        { plan, app, ca: this.ca, network: this.networks.apps[app.config.name], oauthClientSecret: this.identity.clientSecrets[app.config.name] },
        { parent: this },
      );
    }

    // The gateway pins every app's and service's key, so it comes after them.
    this.gateway = new ApiGateway(
      `${name}-gateway`,
      { plan, ca: this.ca, networks: this.networks, apps: this.apps, services: this.services, identity: this.identity },
      { parent: this },
    );

    this.egress = new EgressProxy(`${name}-egress`, { plan, networks: this.networks }, { parent: this });

    // Optional: by default the monitor runs on the host (`npm run monitor`), see README.
    if (config.monitor.enabled) {
      this.monitor = new SecurityMonitor(`${name}-monitor`, { plan, dependsOn: [this.gateway, this.egress] }, { parent: this });
    }

    this.registerOutputs({
      caCertPem: this.ca.certPem,
      apps: Object.fromEntries(Object.entries(this.apps).map(([app, component]) => [app, component.containerName])),
      services: Object.fromEntries(Object.entries(this.services).map(([service, component]) => [service, component.containerName])),
      gateway: this.gateway.containerName,
      egress: this.egress.containerName,
      identity: this.identity.containerName,
    });
  }
}
