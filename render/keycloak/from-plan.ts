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

/** Keycloak's management interface (health): plain HTTP on loopback only, for the container's own check. */
export const KEYCLOAK_MANAGEMENT_PORT = 9000;

/**
 * `kc.sh` arguments: an optimized start (the image is pre-built for these build options: the read-only
 * root leaves Keycloak no place to rebuild), pinned hostname (stable issuer), TLS from the platform CA,
 * health on the loopback-only management interface, a single node's local caches (no clustering ports
 * on the identity network), and — with the in-memory dev-file database — the realm import at start.
 */
export function keycloakArgs(plan: PlatformPlan): string[] {
  const { config } = plan;
  const oidc = oidcEndpoints({ hostname: identityHostname(config.trustDomain), port: config.identity.port, realm: config.identity.realm });
  return [
    "start",
    "--optimized",
    `--hostname=${oidc.hostnameUrl}`,
    "--hostname-strict=true",
    "--http-enabled=false",
    `--https-port=${config.identity.port}`,
    `--https-certificate-file=${TLS_FILES.cert}`,
    `--https-certificate-key-file=${TLS_FILES.key}`,
    "--health-enabled=true",
    "--http-management-scheme=http",
    "--http-management-host=127.0.0.1",
    `--http-management-port=${KEYCLOAK_MANAGEMENT_PORT}`,
    "--cache=local",
    `--db=${config.identity.database.kind}`,
    ...(config.identity.database.kind === "dev-file" ? ["--import-realm"] : []),
  ];
}

/**
 * With PostgreSQL the realm outlives the container, and `--import-realm` skips a realm that exists: the
 * declared realm (new apps, rotated client secrets) would never be applied after the first start. So
 * the entrypoint imports it with `--override true` before every start: the stack's realm always wins.
 */
function overridingImport(plan: PlatformPlan, realmFile: string): string[] {
  if (plan.config.identity.database.kind !== "postgres") return [];
  // the import runs a JVM of its own: its management interface must stay on loopback too
  return [`${KEYCLOAK_HOME}/bin/kc.sh import --optimized --http-management-host=127.0.0.1 --override true --file ${realmFile}`];
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
  const realmFile = `${importDir}/${plan.config.identity.realm}.json`;
  return [
    "/bin/bash",
    "-c",
    [`mkdir -p ${importDir}`, `cp ${REALM_FILE} ${realmFile}`, ...fromFiles, ...overridingImport(plan, realmFile), `exec ${KEYCLOAK_HOME}/bin/kc.sh ${keycloakArgs(plan).map(quote).join(" ")}`].join(" && "),
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
    // no curl in the image: bash asks the loopback management interface whether Keycloak is ready
    // (realm imported, database up), which the HTTPS port accepting connections does not tell
    healthcheck: {
      command: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${KEYCLOAK_MANAGEMENT_PORT} && printf 'GET /health/ready HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '`],
      intervalSeconds: 5,
      timeoutSeconds: 5,
      retries: 3,
      startPeriodSeconds: 180,
    },
    networks: [{ name: plan.networks.identity.dockerName, ipv4Address: infraAddress(plan.networks.identity, "identity"), aliases: ["identity", identityHostname(config.trustDomain)] }],
    tlsVolume: volumeName(name, "tls"),
    extraTmpfs: {
      [`${KEYCLOAK_HOME}/data`]: "rw,noexec,nosuid,nodev,size=256m",
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
