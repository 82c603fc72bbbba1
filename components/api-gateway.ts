import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformPlan } from "../plan/plan";
import { renderEnvoyBootstrap, renderEnvoyYaml } from "../render/envoy/bootstrap";
import { gatewayContainer, gatewayInput, placeholderPins } from "../render/envoy/from-plan";
import { gatewayCertificate } from "../render/certificates";
import { spkiPinFromPem } from "../render/envoy/spki";
import { checkGatewayAgreesWithRealm } from "../render/keycloak/checked";
import { gatewayFiles } from "../render/workload-files";
import type { IdentityProvider } from "./identity-provider";
import { InternalCa, LeafCertificate, spkiPins } from "./internal-ca";
import type { PlatformNetworks } from "./platform-networks";
import type { PlatformService } from "./platform-service";
import { checkedOn } from "./render-check";
import type { ThirdPartyApp } from "./third-party-app";
import { createWorkloadContainer } from "./workload-container";

export interface ApiGatewayArgs {
  plan: PlatformPlan;
  ca: InternalCa;
  networks: PlatformNetworks;
  /** the apps whose client keys each chain pins */
  apps: Record<string, ThirdPartyApp>;
  /** the services whose server keys the upstream clusters pin (https services) */
  services: Record<string, PlatformService>;
  identity: IdentityProvider;
}

/**
 * Envoy in front of every platform service (paper IV-A, IV-B, IV-C, IV-E): one filter chain per app
 * network with mTLS and key pinning, Keycloak JWTs, RBAC over the app's grants, a token bucket per
 * app and JSON access logs. The only container on every app network besides the egress proxy.
 */
export class ApiGateway extends pulumi.ComponentResource {
  readonly certificate: LeafCertificate;
  readonly container: docker.Container;
  readonly containerName: pulumi.Output<string>;
  /** the rendered, validated Envoy bootstrap (no secrets: pins are public-key hashes) */
  readonly envoyConfig: pulumi.Output<string>;

  constructor(name: string, args: ApiGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:gateway:ApiGateway", name, {}, opts);
    const { plan } = args;

    // Render, validate and cross-check with the realm before declaring anything: a config Envoy or
    // Keycloak would reject fails here, with nothing half-applied.
    const preview = renderEnvoyBootstrap(gatewayInput(plan, placeholderPins(plan)));
    checkedOn(this, () => checkGatewayAgreesWithRealm(args.identity.realm, preview));
    const spec = gatewayContainer(plan);

    this.certificate = args.ca.issue(`${name}-server`, gatewayCertificate(plan), this);

    const appPins = spkiPins(plan.apps.map((a) => [a.config.name, args.apps[a.config.name].certificate.publicKeyPem]));
    const servicePins = spkiPins(plan.services.map((s) => [s.config.name, args.services[s.config.name].certificate.publicKeyPem]));
    const identityPin = args.identity.certificate.publicKeyPem.apply(spkiPinFromPem);
    this.envoyConfig = pulumi
      .all([appPins, servicePins, identityPin])
      .apply(([apps, services, identity]) => renderEnvoyYaml(gatewayInput(plan, { apps, services, identity })));

    const networks: Record<string, docker.Network> = {
      [plan.networks.services.dockerName]: args.networks.services,
      [plan.networks.identity.dockerName]: args.networks.identity,
    };
    for (const app of plan.apps) networks[app.network.dockerName] = args.networks.apps[app.config.name];

    this.container = createWorkloadContainer(
      `${name}-container`,
      {
        container: spec,
        networks,
        uploads: gatewayFiles({ ca: args.ca.certPem, cert: this.certificate.certPem, key: this.certificate.privateKeyPem, envoyConfig: this.envoyConfig }),
      },
      this,
    );
    this.containerName = this.container.name;
    this.registerOutputs({ containerName: this.containerName, certPem: this.certificate.certPem });
  }
}
