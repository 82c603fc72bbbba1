import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformPlan, ServicePlan } from "../plan/plan";
import { serviceFiles } from "../render/workload-files";
import { serviceContainer } from "../render/workloads";
import { InternalCa, LeafCertificate } from "./internal-ca";
import { serviceCertificate } from "../render/certificates";
import { createWorkloadContainer } from "./workload-container";

export interface PlatformServiceArgs {
  plan: PlatformPlan;
  service: ServicePlan;
  ca: InternalCa;
  /** the services network: the only one a service joins */
  network: docker.Network;
}

/** A backend service behind the gateway, hardened like the apps, with a CA-issued server certificate. */
export class PlatformService extends pulumi.ComponentResource {
  readonly certificate: LeafCertificate;
  readonly container: docker.Container;
  readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: PlatformServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    // the type token was platform:services:… before the tokens were made singular: the alias keeps existing stacks
    super("platform:service:PlatformService", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "platform:services:PlatformService" }] });
    const { plan, service } = args;
    this.certificate = args.ca.issue(`${name}-server`, serviceCertificate(service), this);
    this.container = createWorkloadContainer(
      `${name}-container`,
      {
        container: serviceContainer(plan, service),
        networks: { [plan.networks.services.dockerName]: args.network },
        uploads: serviceFiles(service, { ca: args.ca.certPem, cert: this.certificate.certPem, key: this.certificate.privateKeyPem }),
      },
      this,
    );
    this.containerName = this.container.name;
    this.registerOutputs({ containerName: this.containerName, certPem: this.certificate.certPem });
  }
}
