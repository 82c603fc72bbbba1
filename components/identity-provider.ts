import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { infraAddress, type PlatformPlan } from "../spec/plan";
import { PLATFORM_LABEL, tlsUploads } from "../render/hardening";
import { clientSecretEnv, renderRealm, renderRealmJson } from "../render/keycloak/realm";
import { checkRealm } from "../render/keycloak/realm-schema";
import { identityHostname, oidcEndpoints } from "../render/keycloak/oidc";
import {
  ADMIN_PASSWORD_ENV,
  DB_PASSWORD_ENV,
  databaseContainer,
  databaseContainerName,
  identityContainer,
  KEYCLOAK_UID,
  REALM_FILE,
  realmInput,
} from "../render/keycloak/from-plan";
import { InternalCa, LeafCertificate } from "./internal-ca";
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
 * as Pulumi secrets; each app is handed its own client secret and nothing else.
 */
export class IdentityProvider extends pulumi.ComponentResource {
  readonly certificate: LeafCertificate;
  readonly container: docker.Container;
  readonly containerName: pulumi.Output<string>;
  readonly database?: docker.Container;
  /** the realm import, free of secrets (they are ${ENV} placeholders) */
  readonly realm: ReturnType<typeof renderRealm>;
  readonly issuer: string;
  /** app name → the environment for that app alone: its client id, its secret, the token URL */
  readonly appSecretEnv: Record<string, Record<string, pulumi.Output<string>>> = {};

  constructor(name: string, args: IdentityProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:identity:IdentityProvider", name, {}, opts);
    const { plan } = args;
    const { spec } = plan;
    const hostname = identityHostname(spec.trustDomain);
    const oidc = oidcEndpoints({ hostname, port: spec.identity.port, realm: spec.identity.realm });
    this.issuer = oidc.issuer;

    // Everything is rendered and checked before the first resource is declared: nothing half-applied.
    this.realm = renderRealm(realmInput(plan));
    const problems = checkRealm(this.realm);
    if (problems.length > 0) throw new Error(`realm ${spec.identity.realm} is invalid:\n  ${problems.join("\n  ")}`);
    const realmJson = renderRealmJson(realmInput(plan));
    const keycloak = identityContainer(plan);

    const password = (logical: string) => pulumi.secret(new random.RandomPassword(`${name}-${logical}`, SECRET, { parent: this }).result);
    const keycloakSecrets: Record<string, pulumi.Output<string>> = { [ADMIN_PASSWORD_ENV]: password("admin-password") };
    for (const app of plan.apps) {
      const secret = password(`client-${app.spec.name}`);
      keycloakSecrets[clientSecretEnv(app.spec.name)] = secret;
      this.appSecretEnv[app.spec.name] = {
        PLATFORM_OAUTH_CLIENT_ID: pulumi.output(app.spec.name),
        PLATFORM_OAUTH_CLIENT_SECRET: secret,
        PLATFORM_OAUTH_TOKEN_URL: pulumi.output(`https://${app.gatewayIp}:${spec.gateway.listenPort}${oidc.tokenPath}`),
      };
    }

    if (spec.identity.database.kind === "postgres") {
      const dbPassword = password("db-password");
      keycloakSecrets[DB_PASSWORD_ENV] = dbPassword;
      this.database = this.createDatabase(name, plan, args.network, dbPassword);
    }

    this.certificate = args.ca.issue(
      `${name}-server`,
      { commonName: hostname, dnsNames: [hostname, "identity"], ipAddresses: [infraAddress(plan.networks.identity, "identity")], usage: "server" },
      this,
    );
    const realmUpload = { file: REALM_FILE, content: realmJson, permissions: "0440", owner: "0", group: String(KEYCLOAK_UID) };
    this.container = createWorkloadContainer(
      `${name}-container`,
      {
        spec: keycloak,
        networks: { [plan.networks.identity.dockerName]: args.network },
        uploads: [...tlsUploads({ ca: args.ca.certPem, cert: this.certificate.certPem, key: this.certificate.privateKeyPem }, KEYCLOAK_UID), realmUpload],
        secretEnv: keycloakSecrets,
      },
      this,
    );
    this.containerName = this.container.name;
    this.registerOutputs({ containerName: this.containerName, issuer: this.issuer, certPem: this.certificate.certPem });
  }

  private createDatabase(name: string, plan: PlatformPlan, network: docker.Network, dbPassword: pulumi.Output<string>): docker.Container {
    const volume = new docker.Volume(
      `${name}-db-data`,
      { name: `${databaseContainerName(plan)}-data`, driver: "local", labels: [{ label: PLATFORM_LABEL.stack, value: plan.stack }, { label: PLATFORM_LABEL.role, value: "database" }] },
      { parent: this, retainOnDelete: true },
    );
    const spec = databaseContainer(plan, `${databaseContainerName(plan)}-data`);
    return new docker.Container(
      `${name}-db`,
      {
        ...spec,
        envs: pulumi.secret(dbPassword.apply((pw) => [...spec.envs, `POSTGRES_PASSWORD=${pw}`])),
        networkMode: network.name,
        networksAdvanced: spec.networksAdvanced.map((attachment) => ({ ...attachment, name: network.name })),
        volumes: spec.volumes.map((v) => ({ ...v, volumeName: volume.name })),
      },
      { parent: this, deleteBeforeReplace: true },
    );
  }
}
