import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformPlan } from "../plan/plan";
import { identityCertificate } from "../render/certificates";
import { checkedRealm, checkedRealmImport, Realm } from "../render/keycloak/checked";
import { identityHostname, oidcEndpoints } from "../render/keycloak/oidc";
import { databaseContainer, identityContainer, POSTGRES_DATA_DIR } from "../render/keycloak/from-plan";
import { databaseFiles, identityFiles } from "../render/workload-files";
import { InternalCa, LeafCertificate } from "./internal-ca";
import { checkedOn } from "./render-check";
import { createWorkloadContainer } from "./workload-container";

export interface IdentityProviderArgs {
  plan: PlatformPlan;
  ca: InternalCa;
  /** the identity network: the only one Keycloak (and its database) joins */
  network: docker.Network;
}

const SECRET = { length: 40, special: false };

/**
 * Keycloak (paper IV-E): one confidential client-credentials client per app, realm imported at
 * start, pinned hostname so the issuer is stable. Secrets come from @pulumi/random and travel only
 * as Pulumi secrets, always as files in a container's TLS volume, never as env: the client secrets in
 * the uploaded realm import, the admin and database passwords as files read by the entrypoint.
 */
export class IdentityProvider extends pulumi.ComponentResource {
  readonly certificate: LeafCertificate;
  readonly container: docker.Container;
  readonly containerName: pulumi.Output<string>;
  readonly database?: docker.Container;
  /** the realm as rendered, free of secrets (the uploaded import adds each client's secret) */
  readonly realm: Realm;
  readonly issuer: string;
  /** app name → that app's OAuth2 client secret (a Pulumi secret), for that app's container alone */
  readonly clientSecrets: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: IdentityProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:identity:IdentityProvider", name, {}, opts);
    const { plan } = args;
    const { config } = plan;
    const hostname = identityHostname(config.trustDomain);
    const oidc = oidcEndpoints({ hostname, port: config.identity.port, realm: config.identity.realm });
    this.issuer = oidc.issuer;

    // Everything is rendered and checked before the first resource is declared: nothing half-applied.
    this.realm = checkedOn(this, () => checkedRealm(plan));
    const keycloak = identityContainer(plan);

    const password = (logical: string) => pulumi.secret(new random.RandomPassword(`${name}-${logical}`, SECRET, { parent: this }).result);
    const adminPassword = password("admin-password");
    for (const app of plan.apps) this.clientSecrets[app.config.name] = password(`client-${app.config.name}`);
    // The structure was checked above; this checks the generated secrets' shape too.
    const realmJson = pulumi.secret(pulumi.all(this.clientSecrets).apply((secrets) => checkedOn(this, () => checkedRealmImport(plan, secrets))));

    let dbPassword: pulumi.Output<string> | undefined;
    if (config.identity.database.kind === "postgres") {
      dbPassword = password("db-password");
      this.database = this.createDatabase(name, plan, args.network, dbPassword);
    }

    this.certificate = args.ca.issue(`${name}-server`, identityCertificate(plan), this);
    this.container = createWorkloadContainer(
      `${name}-container`,
      {
        container: keycloak,
        networks: { [plan.networks.identity.dockerName]: args.network },
        uploads: identityFiles(plan, {
          ca: args.ca.certPem,
          cert: this.certificate.certPem,
          key: this.certificate.privateKeyPem,
          realm: realmJson,
          adminPassword,
          dbPassword,
        }),
        // with PostgreSQL, Keycloak's first step is the realm import into it
        dependsOn: this.database ? [this.database] : [],
      },
      this,
    );
    this.containerName = this.container.name;
    this.registerOutputs({ containerName: this.containerName, issuer: this.issuer, certPem: this.certificate.certPem });
  }

  private createDatabase(name: string, plan: PlatformPlan, network: docker.Network, dbPassword: pulumi.Output<string>): docker.Container {
    return createWorkloadContainer(
      `${name}-db`,
      {
        container: databaseContainer(plan),
        networks: { [plan.networks.identity.dockerName]: network },
        uploads: databaseFiles({ dbPassword }),
        retainVolumesAt: [POSTGRES_DATA_DIR],
      },
      this,
    );
  }
}
