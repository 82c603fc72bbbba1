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
import { crossCheckRealmAndGateway } from "../../render/keycloak/cross-check";
import { realmInput } from "../../render/keycloak/from-plan";
import { identityHostname, oidcEndpoints } from "../../render/keycloak/oidc";
import { renderRealm, renderRealmJson } from "../../render/keycloak/realm";
import { checkRealm, checkRealmImport, realmSchema } from "../../render/keycloak/realm-schema";
import { egressContainer } from "../../render/squid";
import { swarmStack, SwarmStack } from "../../render/swarm/from-plan";
import { swarmGatewayInput } from "../../render/swarm/gateway";
import { InternalCa, LeafCertificate, spkiPins } from "../internal-ca";
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
    const realm = renderRealm(realmInput(plan));
    const realmProblems = checkRealm(realm);
    if (realmProblems.length > 0) throw new pulumi.ResourceError(`realm ${config.identity.realm} is invalid:\n  ${realmProblems.join("\n  ")}`, this);
    const preview = renderEnvoyBootstrap(swarmGatewayInput(plan, placeholderPins(plan)));
    const mismatches = crossCheckRealmAndGateway(realmSchema.parse(realm), preview);
    if (mismatches.length > 0) throw new pulumi.ResourceError(`gateway and realm disagree:\n  ${mismatches.join("\n  ")}`, this);
    this.squidConfig = egressContainer(plan).config;

    for (const network of this.rendered.networks) {
      this.networks[network.name] = new docker.Network(`${name}-net-${network.name.slice(plan.prefix.length + 1)}`, network, { parent: this });
    }
    this.ca = new InternalCa(`${name}-ca`, { ...config.ca }, { parent: this });
    const tlsOf = (leaf: LeafCertificate) => ({ ca: this.ca.certPem, cert: leaf.certPem, key: leaf.privateKeyPem });
    const password = (logical: string) => pulumi.secret(new random.RandomPassword(`${name}-${logical}`, SECRET, { parent: this }).result);

    const certificates: Record<string, LeafCertificate> = {};
    const clientSecrets: Record<string, pulumi.Output<string>> = {};
    for (const app of plan.apps) {
      certificates[`app:${app.config.name}`] = this.ca.issue(`${name}-app-${app.config.name}-client`, appCertificate(app), this);
      clientSecrets[app.config.name] = password(`client-${app.config.name}`);
    }
    for (const service of plan.services) {
      certificates[`service:${service.config.name}`] = this.ca.issue(`${name}-svc-${service.config.name}-server`, serviceCertificate(service), this);
    }
    this.identityIssuer = oidcEndpoints({ hostname: identityHostname(config.trustDomain), port: config.identity.port, realm: config.identity.realm }).issuer;
    const identityCert = this.ca.issue(`${name}-identity-server`, identityCertificate(plan), this);
    // the apps reach the gateway by its alias "gateway", which the certificate names
    const gatewayCert = this.ca.issue(`${name}-gateway-server`, gatewayCertificate(plan), this);

    const appPins = spkiPins(plan.apps.map((a) => [a.config.name, certificates[`app:${a.config.name}`].publicKeyPem]));
    const servicePins = spkiPins(plan.services.map((s) => [s.config.name, certificates[`service:${s.config.name}`].publicKeyPem]));
    this.envoyConfig = pulumi
      .all([appPins, servicePins, identityCert.publicKeyPem.apply(spkiPinFromPem)])
      .apply(([apps, services, identity]) => renderEnvoyYaml(swarmGatewayInput(plan, { apps, services, identity } satisfies GatewayPins)));

    const realmJson = pulumi.secret(
      pulumi.all(clientSecrets).apply((secrets) => {
        const json = renderRealmJson(realmInput(plan), secrets);
        const problems = checkRealmImport(JSON.parse(json));
        if (problems.length > 0) throw new pulumi.ResourceError(`realm import ${config.identity.realm} is invalid:\n  ${problems.join("\n  ")}`, this);
        return json;
      }),
    );
    const dbPassword = config.identity.database.kind === "postgres" ? password("db-password") : undefined;
    const contents: Record<string, Record<string, pulumi.Input<string>>> = {
      gateway: { ...tlsOf(gatewayCert), "envoy-config": this.envoyConfig },
      egress: { "squid-conf": this.squidConfig },
      identity: { ...tlsOf(identityCert), realm: realmJson, "admin-password": password("admin-password"), ...(dbPassword ? { "db-password": dbPassword } : {}) },
      ...(dbPassword ? { database: { "db-password": dbPassword } } : {}),
    };

    for (const workload of this.rendered.workloads) {
      // apps and services are keyed by name; the platform's own workloads by their role (which is their key)
      const named = workload.role === "app" || workload.role === "service";
      const certificate = certificates[`${workload.role}:${workload.key}`];
      const files =
        workload.role === "app" ? { ...tlsOf(certificate), "oauth-client-secret": clientSecrets[workload.key] } : workload.role === "service" ? tlsOf(certificate) : contents[workload.key];
      const logical = `${name}-${workload.role === "service" ? "svc" : workload.role}${named ? `-${workload.key}` : ""}`;
      // Keycloak starts after its database; the gateway after Keycloak (it fetches the JWKS)
      const dependsOn = workload.role === "identity" && this.services.database ? [this.services.database] : workload.role === "gateway" && this.services.identity ? [this.services.identity] : [];
      this.services[workload.key] = createSwarmService(logical, workload, this.networks, files, this, dependsOn);
    }

    this.registerOutputs({
      caCertPem: this.ca.certPem,
      services: Object.fromEntries(Object.entries(this.services).map(([key, service]) => [key, service.name])),
      networks: Object.fromEntries(Object.entries(this.networks).map(([key, network]) => [key, network.name])),
    });
  }
}
