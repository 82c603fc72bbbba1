import { createHash } from "node:crypto";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformPlan } from "../plan/plan";
import { egressContainer } from "../render/squid";
import { createWorkloadContainer } from "./workload-container";

export interface EgressProxyArgs {
  plan: PlatformPlan;
  /** the outbound network (the only non-internal one) and every app's own network, by app name */
  networks: { outbound: docker.Network; apps: Record<string, docker.Network> };
}

/**
 * The egress proxy (paper IV-D): Squid on the outbound network and on every app network, with a
 * squid.conf rendered from the validated spec (per-app whitelists keyed by source subnet, no TLS
 * interception). Apps find it through HTTP(S)_PROXY (render/workloads.ts).
 */
export class EgressProxy extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly containerName: pulumi.Output<string>;
  /** the rendered squid.conf (plain text: it holds no secret) */
  readonly config: string;
  /** the proxy's address on each app's network, by app name */
  readonly appAddresses: Record<string, string>;

  constructor(name: string, args: EgressProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:egress:EgressProxy", name, {}, opts);
    const { plan } = args;
    const rendered = egressContainer(plan);
    this.config = rendered.config;
    this.appAddresses = rendered.appAddresses;
    const networks: Record<string, docker.Network> = { [plan.networks.outbound.dockerName]: args.networks.outbound };
    for (const app of plan.apps) {
      const network = args.networks.apps[app.config.name];
      if (!network) throw new pulumi.ResourceError(`egress proxy: no network was created for app ${app.config.name}`, this);
      networks[app.network.dockerName] = network;
    }
    this.container = createWorkloadContainer(`${name}-container`, { container: rendered.spec, networks, uploads: rendered.uploads }, this);
    this.containerName = this.container.name;
    this.registerOutputs({
      containerName: this.containerName,
      appAddresses: this.appAddresses,
      configSha256: createHash("sha256").update(this.config).digest("hex"),
    });
  }
}
