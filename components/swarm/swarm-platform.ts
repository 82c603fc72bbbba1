// The whole platform as Swarm services (platform:orchestrator: swarm): thin wiring over
// render/swarm/swarmStack. The same CA, certificates, client secrets, realm, Envoy bootstrap and
// squid.conf as the engine wiring; they reach the tasks as Swarm secrets and configs.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformConfig } from "../../config/schema";
import { buildPlan, PlatformPlan } from "../../plan/plan";
import { appCertificate, gatewayCertificate, identityCertificate, serviceCertificate } from "../../render/certificates";
import { renderEnvoyBootstrap, renderEnvoyYaml } from "../../render/envoy/bootstrap";
import { GatewayPins, placeholderPins } from "../../render/envoy/from-plan";
import { spkiPinFromPem } from "../../render/envoy/spki";
import type { FileUpload } from "../../render/hardening";
import { checkedRealm, checkedRealmImport, checkGatewayAgreesWithRealm } from "../../render/keycloak/checked";
import { identityHostname, oidcEndpoints } from "../../render/keycloak/oidc";
import { egressContainer } from "../../render/squid";
import { swarmStack, SwarmStack, SwarmWorkload } from "../../render/swarm/from-plan";
import { swarmGatewayInput } from "../../render/swarm/gateway";
import { appFiles, databaseFiles, gatewayFiles, identityFiles, serviceFiles } from "../../render/workload-files";
import { InternalCa, LeafCertificate, spkiPins } from "../internal-ca";
import { checkedOn } from "../render-check";
import { createSwarmService } from "./service";

export interface SwarmPlatformArgs {
  /** a validated config with platform:orchestrator: swarm */
  config: PlatformConfig;
  stack: string;
}

const SECRET = { length: 40, special: false };

export class SwarmPlatform extends pulumi.ComponentResource {
  readonly plan: PlatformPlan;
  readonly rendered: SwarmStack;
  readonly ca: InternalCa;
  readonly networks: Record<string, docker.Network> = {};
  /** services by workload key (app or service name, "gateway", "egress", "identity", "database") */
  readonly services: Record<string, docker.Service> = {};
  readonly envoyConfig: pulumi.Output<string>;
  readonly squidConfig: string;
  /** Keycloak's issuer URL (pinned hostname), as the gateway and the apps see it */
  readonly identityIssuer: string;

  constructor(name: string, args: SwarmPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:swarm:SwarmPlatform", name, {}, opts);
    const plan = buildPlan(args.config, args.stack);
    this.plan = plan;
    const { config } = plan;
    // everything rendered and checked before the first resource: nothing half-applied
    this.rendered = swarmStack(plan);
    const realm = checkedOn(this, () => checkedRealm(plan));
    checkedOn(this, () => checkGatewayAgreesWithRealm(realm, renderEnvoyBootstrap(swarmGatewayInput(plan, placeholderPins(plan)))));
    const egress = egressContainer(plan);
    this.squidConfig = egress.config;

    for (const network of this.rendered.networks) {
      this.networks[network.name] = new docker.Network(`${name}-net-${network.name.slice(plan.prefix.length + 1)}`, network, { parent: this });
    }
    this.ca = new InternalCa(`${name}-ca`, { ...config.ca }, { parent: this });
    const tlsOf = (leaf: LeafCertificate) => ({ ca: this.ca.certPem, cert: leaf.certPem, key: leaf.privateKeyPem });
    const password = (logical: string) => pulumi.secret(new random.RandomPassword(`${name}-${logical}`, SECRET, { parent: this }).result);

    const appCertificates: Record<string, LeafCertificate> = {};
    const clientSecrets: Record<string, pulumi.Output<string>> = {};
    for (const app of plan.apps) {
      appCertificates[app.config.name] = this.ca.issue(`${name}-app-${app.config.name}-client`, appCertificate(app), this);
      clientSecrets[app.config.name] = password(`client-${app.config.name}`);
    }
    const serviceCertificates: Record<string, LeafCertificate> = {};
    for (const service of plan.services) {
      serviceCertificates[service.config.name] = this.ca.issue(`${name}-svc-${service.config.name}-server`, serviceCertificate(service), this);
    }
    this.identityIssuer = oidcEndpoints({ hostname: identityHostname(config.trustDomain), port: config.identity.port, realm: config.identity.realm }).issuer;
    const identityCert = this.ca.issue(`${name}-identity-server`, identityCertificate(plan), this);
    // the apps reach the gateway by its alias "gateway", which the certificate names
    const gatewayCert = this.ca.issue(`${name}-gateway-server`, gatewayCertificate(plan), this);

    const appPins = spkiPins(plan.apps.map((a) => [a.config.name, appCertificates[a.config.name].publicKeyPem]));
    const servicePins = spkiPins(plan.services.map((s) => [s.config.name, serviceCertificates[s.config.name].publicKeyPem]));
    this.envoyConfig = pulumi
      .all([appPins, servicePins, identityCert.publicKeyPem.apply(spkiPinFromPem)])
      .apply(([apps, services, identity]) => renderEnvoyYaml(swarmGatewayInput(plan, { apps, services, identity } satisfies GatewayPins)));

    const realmJson = pulumi.secret(pulumi.all(clientSecrets).apply((secrets) => checkedOn(this, () => checkedRealmImport(plan, secrets))));
    const dbPassword = config.identity.database.kind === "postgres" ? password("db-password") : undefined;
    const adminPassword = password("admin-password");
    const apps = new Map(plan.apps.map((app) => [app.config.name, app]));
    const services = new Map(plan.services.map((service) => [service.config.name, service]));
    // each workload's files from the lists the engine wiring uploads (render/workload-files.ts)
    const uploadsOf = (workload: SwarmWorkload): FileUpload<pulumi.Input<string>>[] => {
      switch (workload.role) {
        case "app":
          return appFiles(apps.get(workload.key)!, { ...tlsOf(appCertificates[workload.key]), oauthClientSecret: clientSecrets[workload.key] });
        case "service":
          return serviceFiles(services.get(workload.key)!, tlsOf(serviceCertificates[workload.key]));
        case "gateway":
          return gatewayFiles({ ...tlsOf(gatewayCert), envoyConfig: this.envoyConfig });
        case "egress":
          return egress.uploads;
        case "identity":
          return identityFiles(plan, { ...tlsOf(identityCert), realm: realmJson, adminPassword, dbPassword });
        case "database":
          if (dbPassword === undefined) throw new pulumi.ResourceError("a database service was rendered, but platform:identity.database.kind is not postgres", this);
          return databaseFiles({ dbPassword });
      }
    };

    for (const workload of this.rendered.workloads) {
      // apps and services are keyed by name; the platform's own workloads by their role (which is their key)
      const named = workload.role === "app" || workload.role === "service";
      const logical = `${name}-${workload.role === "service" ? "svc" : workload.role}${named ? `-${workload.key}` : ""}`;
      // Keycloak starts after its database; the gateway after Keycloak (it fetches the JWKS)
      const dependsOn = workload.role === "identity" && this.services.database ? [this.services.database] : workload.role === "gateway" && this.services.identity ? [this.services.identity] : [];
      this.services[workload.key] = createSwarmService(logical, workload, this.networks, uploadsOf(workload), this, dependsOn);
    }

    this.registerOutputs({
      caCertPem: this.ca.certPem,
      services: Object.fromEntries(Object.entries(this.services).map(([key, service]) => [key, service.name])),
      networks: Object.fromEntries(Object.entries(this.networks).map(([key, network]) => [key, network.name])),
    });
  }
}
