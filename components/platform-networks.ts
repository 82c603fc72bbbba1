import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformPlan } from "../plan/plan";
import { networkInputs } from "../render/networks";

export interface PlatformNetworksArgs {
  plan: PlatformPlan;
}

/** One internal network per app, internal services and identity networks, and the only outbound network. */
export class PlatformNetworks extends pulumi.ComponentResource {
  readonly apps: Record<string, docker.Network> = {};
  readonly services: docker.Network;
  readonly identity: docker.Network;
  readonly outbound: docker.Network;

  constructor(name: string, args: PlatformNetworksArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:PlatformNetworks", name, {}, opts);
    const { plan } = args;
    const create = (logical: string, network: PlatformPlan["networks"]["services"]) =>
      new docker.Network(`${name}-${logical}`, networkInputs(plan, network), { parent: this });
    for (const app of plan.apps) this.apps[app.config.name] = create(`app-${app.config.name}`, app.network);
    this.services = create("services", plan.networks.services);
    this.identity = create("identity", plan.networks.identity);
    this.outbound = create("outbound", plan.networks.outbound);
    this.registerOutputs({
      apps: Object.fromEntries(Object.entries(this.apps).map(([app, network]) => [app, network.name])),
      services: this.services.name,
      identity: this.identity.name,
      outbound: this.outbound.name,
    });
  }
}
