import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { infraAddress, type PlatformPlan } from "../spec/plan";
import { credentialUpload, PLATFORM_LABEL, TLS_DIR, tlsUploads } from "../render/hardening";
import { renderRealm, renderRealmJson } from "../render/keycloak/realm";
import { checkRealm, checkRealmImport } from "../render/keycloak/realm-schema";
import { identityHostname, oidcEndpoints } from "../render/keycloak/oidc";
import {
  ADMIN_PASSWORD_FILE,
  DB_PASSWORD_FILE,
  databaseContainer,
  databaseContainerName,
  identityContainer,
  KEYCLOAK_UID,
  POSTGRES_UID,
  REALM_FILE,
  realmInput,
} from "../render/keycloak/from-plan";
import { InternalCa, LeafCertificate } from "./internal-ca";
import { createUploadSeed } from "./workload-container";
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
  readonly realm: ReturnType<typeof renderRealm>;
  readonly issuer: string;
  /** app name → that app's OAuth2 client secret (a Pulumi secret), for that app's container alone */
  readonly clientSecrets: Record<string, pulumi.Output<string>> = {};

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
    const keycloak = identityContainer(plan);

    const password = (logical: string) => pulumi.secret(new random.RandomPassword(`${name}-${logical}`, SECRET, { parent: this }).result);
    const credentials = [credentialUpload(ADMIN_PASSWORD_FILE, password("admin-password"), KEYCLOAK_UID)];
    for (const app of plan.apps) this.clientSecrets[app.spec.name] = password(`client-${app.spec.name}`);
    // The structure was checked above; this checks the generated secrets' shape too.
    const realmJson = pulumi.secret(
      pulumi.all(this.clientSecrets).apply((secrets) => {
        const json = renderRealmJson(realmInput(plan), secrets);
        const secretProblems = checkRealmImport(JSON.parse(json));
        if (secretProblems.length > 0) throw new Error(`realm import ${spec.identity.realm} is invalid:\n  ${secretProblems.join("\n  ")}`);
        return json;
      }),
    );

    if (spec.identity.database.kind === "postgres") {
      const dbPassword = password("db-password");
      credentials.push(credentialUpload(DB_PASSWORD_FILE, dbPassword, KEYCLOAK_UID));
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
        uploads: [...tlsUploads({ ca: args.ca.certPem, cert: this.certificate.certPem, key: this.certificate.privateKeyPem }, KEYCLOAK_UID), realmUpload, ...credentials],
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
    // the password file's volume (TLS_DIR), like every workload's; see createWorkloadContainer
    const credentialVolume = new docker.Volume(
      `${name}-db-tls`,
      { name: spec.volumes.find((v) => v.containerPath === TLS_DIR)!.volumeName, driver: "local", labels: [{ label: PLATFORM_LABEL.stack, value: plan.stack }, { label: PLATFORM_LABEL.role, value: "database" }] },
      { parent: this },
    );
    const volumes = spec.volumes.map((v) => ({ ...v, volumeName: v.containerPath === TLS_DIR ? credentialVolume.name : volume.name }));
    const seed = createUploadSeed(`${name}-db`, { spec, volumes, uploads: [credentialUpload(DB_PASSWORD_FILE, dbPassword, POSTGRES_UID)] }, this);
    return new docker.Container(
      `${name}-db`,
      { ...spec, networksAdvanced: spec.networksAdvanced.map((attachment) => ({ ...attachment, name: network.name })), volumes },
      { parent: this, deleteBeforeReplace: true, dependsOn: [seed] },
    );
  }
}
