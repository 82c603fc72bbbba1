// The whole platform as Swarm services (platform:orchestrator: swarm): thin wiring over
// render/swarm/swarmStack. The same CA, certificates, client secrets, realm, Envoy bootstrap and
// squid.conf as the engine wiring; they reach the tasks as Swarm secrets and configs.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformConfig } from "../../config/schema";
import { buildPlan, infraAddress, PlatformPlan } from "../../plan/plan";
import { renderEnvoyBootstrap, renderEnvoyYaml } from "../../render/envoy/bootstrap";
import { gatewayAddresses, GatewayPins, gatewaySpiffeId } from "../../render/envoy/from-plan";
import { spkiPinFromPem } from "../../render/envoy/spki";
import { crossCheckRealmAndGateway } from "../../render/keycloak/cross-check";
import { realmInput } from "../../render/keycloak/from-plan";
import { identityHostname, oidcEndpoints } from "../../render/keycloak/oidc";
import { renderRealm, renderRealmJson } from "../../render/keycloak/realm";
import { checkRealm, checkRealmImport, realmSchema } from "../../render/keycloak/realm-schema";
import { egressContainer } from "../../render/squid";
import { swarmStack, SwarmStack } from "../../render/swarm/from-plan";
import { swarmGatewayInput } from "../../render/swarm/gateway";
import { InternalCa, LeafCertificate } from "../internal-ca";
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
    const placeholder = Buffer.alloc(32).toString("base64");
    const preview = renderEnvoyBootstrap(
      swarmGatewayInput(plan, {
        apps: Object.fromEntries(plan.apps.map((a) => [a.config.name, placeholder])),
        services: Object.fromEntries(plan.services.map((s) => [s.config.name, placeholder])),
        identity: placeholder,
      }),
    );
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
      certificates[`app:${app.config.name}`] = this.ca.issue(`${name}-app-${app.config.name}-client`, { commonName: app.config.name, uris: [app.spiffeId], usage: "client" }, this);
      clientSecrets[app.config.name] = password(`client-${app.config.name}`);
    }
    for (const service of plan.services) {
      certificates[`service:${service.config.name}`] = this.ca.issue(
        `${name}-svc-${service.config.name}-server`,
        { commonName: service.config.name, uris: [service.spiffeId], dnsNames: [service.hostname], usage: "server" },
        this,
      );
    }
    const identityName = identityHostname(config.trustDomain);
    this.identityIssuer = oidcEndpoints({ hostname: identityName, port: config.identity.port, realm: config.identity.realm }).issuer;
    const identityCert = this.ca.issue(
      `${name}-identity-server`,
      { commonName: identityName, dnsNames: [identityName, "identity"], ipAddresses: [infraAddress(plan.networks.identity, "identity")], usage: "server" },
      this,
    );
    const addresses = gatewayAddresses(plan);
    // the apps reach the gateway by its alias "gateway", which the certificate names
    const gatewayCert = this.ca.issue(
      `${name}-gateway-server`,
      { commonName: "gateway", uris: [gatewaySpiffeId(config.trustDomain)], dnsNames: addresses.dnsNames, ipAddresses: addresses.ips, usage: "server-and-client" },
      this,
    );

    const pinsOf = (entries: [string, pulumi.Output<string>][]) =>
      pulumi.all(Object.fromEntries(entries)).apply((keys) => Object.fromEntries(Object.entries(keys).map(([n, pem]) => [n, spkiPinFromPem(pem)])));
    const appPins = pinsOf(plan.apps.map((a) => [a.config.name, certificates[`app:${a.config.name}`].publicKeyPem]));
    const servicePins = pinsOf(plan.services.map((s) => [s.config.name, certificates[`service:${s.config.name}`].publicKeyPem]));
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
      const key = workload.role === "app" || workload.role === "service" ? `${workload.role}:${workload.key}` : workload.key;
      const files =
        workload.role === "app"
          ? { ...tlsOf(certificates[key]), "oauth-client-secret": clientSecrets[workload.key] }
          : workload.role === "service"
            ? tlsOf(certificates[key])
            : contents[workload.key];
      const logical = `${name}-${workload.role === "app" ? "app" : workload.role === "service" ? "svc" : workload.role}${workload.role === "app" || workload.role === "service" ? `-${workload.key}` : ""}`;
      // Keycloak starts after its database; the gateway after Keycloak (it fetches the JWKS)
      const dependsOn = workload.role === "identity" && this.services.database ? [this.services.database] : workload.role === "gateway" && this.services.identity ? [this.services.identity] : [];
      this.services[workload.role === "app" || workload.role === "service" ? workload.key : workload.role] = createSwarmService(logical, workload, this.networks, files, this, dependsOn);
    }

    this.registerOutputs({
      caCertPem: this.ca.certPem,
      services: Object.fromEntries(Object.entries(this.services).map(([key, service]) => [key, service.name])),
      networks: Object.fromEntries(Object.entries(this.networks).map(([key, network]) => [key, network.name])),
    });
  }
}
