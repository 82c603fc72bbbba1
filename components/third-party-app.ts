import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { AppPlan, PlatformPlan } from "../plan/plan";
import { appFiles } from "../render/workload-files";
import { appContainer } from "../render/workloads";
import { InternalCa, LeafCertificate } from "./internal-ca";
import { appCertificate } from "../render/certificates";
import { createWorkloadContainer } from "./workload-container";

export interface ThirdPartyAppArgs {
  plan: PlatformPlan;
  app: AppPlan;
  ca: InternalCa;
  /** the app's own network: the only one it joins */
  network: docker.Network;
  /** this app's own OAuth2 client secret (IdentityProvider.clientSecrets): uploaded as a file, never env */
  oauthClientSecret: pulumi.Input<string>;
}

/** One third-party app: hardened container on its own network, with its own client certificate. */
export class ThirdPartyApp extends pulumi.ComponentResource {
  readonly certificate: LeafCertificate;
  readonly container: docker.Container;
  readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: ThirdPartyAppArgs, opts?: pulumi.ComponentResourceOptions) {
    // the type token was platform:apps:… before the tokens were made singular: the alias keeps existing stacks
    super("platform:app:ThirdPartyApp", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "platform:apps:ThirdPartyApp" }] });
    const { plan, app } = args;
    this.certificate = args.ca.issue(`${name}-client`, appCertificate(app), this);
    const spec = appContainer(plan, app);
    this.container = createWorkloadContainer(
      `${name}-container`,
      {
        container: spec,
        networks: { [app.network.dockerName]: args.network },
        uploads: appFiles(app, {
          ca: args.ca.certPem,
          cert: this.certificate.certPem,
          key: this.certificate.privateKeyPem,
          oauthClientSecret: pulumi.secret(args.oauthClientSecret),
        }),
      },
      this,
    );
    this.containerName = this.container.name;
    this.registerOutputs({ containerName: this.containerName, certPem: this.certificate.certPem });
  }
}
