import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformPlan } from "../plan/plan";
import { renderEnvoyBootstrap, renderEnvoyYaml } from "../render/envoy/bootstrap";
import { gatewayAddresses, gatewayContainer, gatewayInput, GatewayPins, gatewaySpiffeId } from "../render/envoy/from-plan";
import { spkiPinFromPem } from "../render/envoy/spki";
import { crossCheckRealmAndGateway } from "../render/keycloak/cross-check";
import { realmSchema } from "../render/keycloak/realm-schema";
import { gatewayFiles } from "../render/workload-files";
import type { IdentityProvider } from "./identity-provider";
import { InternalCa, LeafCertificate } from "./internal-ca";
import type { PlatformNetworks } from "./platform-networks";
import type { PlatformService } from "./platform-service";
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

/** Placeholder pins for the up-front render: the real ones exist only once the keys do. */
function placeholderPins(plan: PlatformPlan): GatewayPins {
  const pin = Buffer.alloc(32).toString("base64");
  return {
    apps: Object.fromEntries(plan.apps.map((a) => [a.config.name, pin])),
    services: Object.fromEntries(plan.services.map((s) => [s.config.name, pin])),
    identity: pin,
  };
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
    const mismatches = crossCheckRealmAndGateway(realmSchema.parse(args.identity.realm), preview);
    if (mismatches.length > 0) throw new pulumi.ResourceError(`gateway and realm disagree:\n  ${mismatches.join("\n  ")}`, this);
    const spec = gatewayContainer(plan);

    const addresses = gatewayAddresses(plan);
    this.certificate = args.ca.issue(
      `${name}-server`,
      { commonName: "gateway", uris: [gatewaySpiffeId(plan.config.trustDomain)], dnsNames: addresses.dnsNames, ipAddresses: addresses.ips, usage: "server-and-client" },
      this,
    );

    const pinsOf = (entries: [string, pulumi.Output<string>][]) =>
      pulumi.all(Object.fromEntries(entries)).apply((keys) => Object.fromEntries(Object.entries(keys).map(([n, pem]) => [n, spkiPinFromPem(pem)])));
    const appPins = pinsOf(plan.apps.map((a) => [a.config.name, args.apps[a.config.name].certificate.publicKeyPem]));
    const servicePins = pinsOf(plan.services.map((s) => [s.config.name, args.services[s.config.name].certificate.publicKeyPem]));
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
