// Keycloak's realm input, command and container (and the optional PostgreSQL container) from the
// validated plan. Secrets never appear here, nor in any container's env: they are files the component
// uploads into the TLS volume from @pulumi/random outputs (the *_FILE paths below).
import { infraAddress, type PlatformPlan } from "../../plan/plan";
import { ContainerInputs, hardenedContainer, TLS_DIR, TLS_FILES } from "../hardening";
import { gatewayAudience, identityHostname, oidcEndpoints } from "./oidc";
import type { RealmRenderInput } from "./realm";
import { INFRA_UID, PLATFORM_LABEL, volumeName } from "../../plan/names";

export const REALM_FILE = `${TLS_DIR}/realm.json`;
export const KEYCLOAK_HOME = "/opt/keycloak";
/** Keycloak's bootstrap admin password, as a file in Keycloak's TLS volume. */
export const ADMIN_PASSWORD_FILE = `${TLS_DIR}/admin-password`;
/** The database password: the same path in Keycloak's and in PostgreSQL's TLS volume. */
export const DB_PASSWORD_FILE = `${TLS_DIR}/db-password`;
/** Keycloak option → the file its value is read from by the entrypoint, just before `exec kc.sh`. */
function keycloakSecretFiles(plan: PlatformPlan): Record<string, string> {
  return {
    KC_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD_FILE,
    ...(plan.config.identity.database.kind === "postgres" ? { KC_DB_PASSWORD: DB_PASSWORD_FILE } : {}),
  };
}
const POSTGRES_PORT = 5432;
export const POSTGRES_DATA_DIR = "/var/lib/postgresql/data";

export function realmInput(plan: PlatformPlan): RealmRenderInput {
  const { config } = plan;
  return {
    realm: config.identity.realm,
    audience: gatewayAudience(config.trustDomain),
    accessTokenLifespanSeconds: config.identity.accessTokenLifespanSeconds,
    apps: plan.apps.map((a) => ({ name: a.config.name, services: a.config.services.map((g) => g.name) })),
    services: plan.services.map((s) => s.config.name),
  };
}

function identityContainerName(plan: PlatformPlan): string {
  return plan.names.identity;
}

function databaseContainerName(plan: PlatformPlan): string {
  return plan.names.database;
}

/** `kc.sh` arguments: start mode, pinned hostname (stable issuer), TLS from the platform CA, health, realm import. */
export function keycloakArgs(plan: PlatformPlan): string[] {
  const { config } = plan;
  const oidc = oidcEndpoints({ hostname: identityHostname(config.trustDomain), port: config.identity.port, realm: config.identity.realm });
  return [
    "start",
    ...(config.identity.optimizedImage ? ["--optimized"] : []),
    `--hostname=${oidc.hostnameUrl}`,
    "--hostname-strict=true",
    "--http-enabled=false",
    `--https-port=${config.identity.port}`,
    `--https-certificate-file=${TLS_FILES.cert}`,
    `--https-certificate-key-file=${TLS_FILES.key}`,
    "--health-enabled=true",
    `--db=${config.identity.database.kind}`,
    "--import-realm",
  ];
}

/**
 * Keycloak imports realms only from data/import; the rootfs is read-only and uploads can only go
 * into the TLS volume, so the entrypoint copies the realm file into the tmpfs data dir first. The
 * passwords are read from their files into kc.sh's own environment only (`docker inspect` never
 * shows them); a missing file stops the chain before kc.sh starts.
 */
export function keycloakEntrypoint(plan: PlatformPlan): string[] {
  const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
  const importDir = `${KEYCLOAK_HOME}/data/import`;
  const fromFiles = Object.entries(keycloakSecretFiles(plan)).map(([name, file]) => `${name}="$(< ${file})" && export ${name}`);
  return [
    "/bin/bash",
    "-c",
    [`mkdir -p ${importDir}`, `cp ${REALM_FILE} ${importDir}/${plan.config.identity.realm}.json`, ...fromFiles, `exec ${KEYCLOAK_HOME}/bin/kc.sh ${keycloakArgs(plan).map(quote).join(" ")}`].join(" && "),
  ];
}

export function identityContainer(plan: PlatformPlan): ContainerInputs & { entrypoints: string[] } {
  const { config } = plan;
  const name = identityContainerName(plan);
  const db = config.identity.database;
  const dbEnv: Record<string, string> =
    db.kind === "postgres"
      ? { KC_DB_URL: `jdbc:postgresql://${infraAddress(plan.networks.identity, "database")}:${POSTGRES_PORT}/keycloak`, KC_DB_USERNAME: "keycloak" }
      : {};
  const container = hardenedContainer({
    name,
    image: config.identity.image,
    hostname: "identity",
    uid: INFRA_UID.identity,
    env: { KC_BOOTSTRAP_ADMIN_USERNAME: "platform-admin", ...dbEnv },
    labels: { [PLATFORM_LABEL.role]: "identity", [PLATFORM_LABEL.stack]: plan.stack },
    resources: config.identity.resources,
    // no curl in the image: the check is that the HTTPS port accepts connections
    healthcheck: {
      command: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${config.identity.port}`],
      intervalSeconds: 15,
      timeoutSeconds: 5,
      retries: 5,
      startPeriodSeconds: 90,
    },
    networks: [{ name: plan.networks.identity.dockerName, ipv4Address: infraAddress(plan.networks.identity, "identity"), aliases: ["identity", identityHostname(config.trustDomain)] }],
    tlsVolume: volumeName(name, "tls"),
    extraTmpfs: {
      [`${KEYCLOAK_HOME}/data`]: "rw,noexec,nosuid,nodev,size=256m",
      // a non-optimized `start` re-runs the Quarkus build, which writes here
      ...(config.identity.optimizedImage ? {} : { [`${KEYCLOAK_HOME}/lib/quarkus`]: "rw,noexec,nosuid,nodev,size=256m" }),
    },
  });
  return { ...container, entrypoints: keycloakEntrypoint(plan) };
}

export function databaseContainer(plan: PlatformPlan): ContainerInputs {
  const { config } = plan;
  const image = config.identity.database.image;
  if (config.identity.database.kind !== "postgres" || !image) throw new Error("platform:identity.database: a database container needs kind \"postgres\" and an image");
  const name = databaseContainerName(plan);
  const container = hardenedContainer({
    name,
    image,
    hostname: "identity-db",
    uid: INFRA_UID.database,
    // the official image's entrypoint reads POSTGRES_PASSWORD_FILE at first start
    env: { POSTGRES_DB: "keycloak", POSTGRES_USER: "keycloak", POSTGRES_PASSWORD_FILE: DB_PASSWORD_FILE, PGDATA: `${POSTGRES_DATA_DIR}/pgdata` },
    labels: { [PLATFORM_LABEL.role]: "database", [PLATFORM_LABEL.stack]: plan.stack },
    resources: { memoryMb: 512, cpus: 1, maxProcesses: 256 },
    healthcheck: { command: ["CMD", "pg_isready", "-U", "keycloak", "-d", "keycloak"], intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 30 },
    networks: [{ name: plan.networks.identity.dockerName, ipv4Address: infraAddress(plan.networks.identity, "database"), aliases: ["identity-db"] }],
    tlsVolume: volumeName(name, "tls"),
    extraTmpfs: { "/var/run/postgresql": "rw,noexec,nosuid,nodev,size=8m" },
  });
  return { ...container, volumes: [...container.volumes, { volumeName: volumeName(name, "data"), containerPath: POSTGRES_DATA_DIR, readOnly: false }] };
}
