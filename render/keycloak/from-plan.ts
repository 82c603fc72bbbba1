// Keycloak's realm input, command and container (and the optional PostgreSQL container) from the
// validated plan. Secrets never appear here, nor in any container's env: they are files the component
// uploads into the TLS volume from @pulumi/random outputs (the *_FILE paths below).
import { infraAddress, type PlatformPlan } from "../../spec/plan";
import { ContainerSpec, hardenedContainer, PLATFORM_LABEL, TLS_DIR, TLS_FILES } from "../hardening";
import { tlsVolumeName } from "../workloads";
import { gatewayAudience, identityHostname, oidcEndpoints } from "./oidc";
import type { RealmRenderInput } from "./realm";

export const KEYCLOAK_UID = 9200;
/** The official postgres image's `postgres` user (Debian variant); its data dir belongs to it. */
export const POSTGRES_UID = 999;
export const REALM_FILE = `${TLS_DIR}/realm.json`;
export const KEYCLOAK_HOME = "/opt/keycloak";
/** Keycloak's bootstrap admin password, as a file in Keycloak's TLS volume. */
export const ADMIN_PASSWORD_FILE = `${TLS_DIR}/admin-password`;
/** The database password: the same path in Keycloak's and in PostgreSQL's TLS volume. */
export const DB_PASSWORD_FILE = `${TLS_DIR}/db-password`;
/** Keycloak option → the file its value is read from by the entrypoint, just before `exec kc.sh`. */
export function keycloakSecretFiles(plan: PlatformPlan): Record<string, string> {
  return {
    KC_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD_FILE,
    ...(plan.spec.identity.database.kind === "postgres" ? { KC_DB_PASSWORD: DB_PASSWORD_FILE } : {}),
  };
}
export const POSTGRES_PORT = 5432;
export const POSTGRES_DATA_DIR = "/var/lib/postgresql/data";

export function realmInput(plan: PlatformPlan): RealmRenderInput {
  const { spec } = plan;
  return {
    realm: spec.identity.realm,
    audience: gatewayAudience(spec.trustDomain),
    accessTokenLifespanSeconds: spec.identity.accessTokenLifespanSeconds,
    apps: plan.apps.map((a) => ({ name: a.spec.name, services: a.spec.services.map((g) => g.name) })),
    services: plan.services.map((s) => s.spec.name),
  };
}

export function identityContainerName(plan: PlatformPlan): string {
  return `${plan.prefix}-identity`;
}

export function databaseContainerName(plan: PlatformPlan): string {
  return `${plan.prefix}-identity-db`;
}

/** `kc.sh` arguments: start mode, pinned hostname (stable issuer), TLS from the platform CA, health, realm import. */
export function keycloakArgs(plan: PlatformPlan): string[] {
  const { spec } = plan;
  const oidc = oidcEndpoints({ hostname: identityHostname(spec.trustDomain), port: spec.identity.port, realm: spec.identity.realm });
  return [
    "start",
    ...(spec.identity.optimizedImage ? ["--optimized"] : []),
    `--hostname=${oidc.hostnameUrl}`,
    "--hostname-strict=true",
    "--http-enabled=false",
    `--https-port=${spec.identity.port}`,
    `--https-certificate-file=${TLS_FILES.cert}`,
    `--https-certificate-key-file=${TLS_FILES.key}`,
    "--health-enabled=true",
    `--db=${spec.identity.database.kind}`,
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
    [`mkdir -p ${importDir}`, `cp ${REALM_FILE} ${importDir}/${plan.spec.identity.realm}.json`, ...fromFiles, `exec ${KEYCLOAK_HOME}/bin/kc.sh ${keycloakArgs(plan).map(quote).join(" ")}`].join(" && "),
  ];
}

export function identityContainer(plan: PlatformPlan): ContainerSpec & { entrypoints: string[] } {
  const { spec } = plan;
  const name = identityContainerName(plan);
  const db = spec.identity.database;
  const dbEnv: Record<string, string> =
    db.kind === "postgres"
      ? { KC_DB_URL: `jdbc:postgresql://${infraAddress(plan.networks.identity, "database")}:${POSTGRES_PORT}/keycloak`, KC_DB_USERNAME: "keycloak" }
      : {};
  const container = hardenedContainer({
    name,
    image: spec.identity.image,
    hostname: "identity",
    uid: KEYCLOAK_UID,
    env: { KC_BOOTSTRAP_ADMIN_USERNAME: "platform-admin", ...dbEnv },
    labels: { [PLATFORM_LABEL.role]: "identity", [PLATFORM_LABEL.stack]: plan.stack },
    resources: spec.identity.resources,
    // no curl in the image: the check is that the HTTPS port accepts connections
    healthcheck: {
      command: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${spec.identity.port}`],
      intervalSeconds: 15,
      timeoutSeconds: 5,
      retries: 5,
      startPeriodSeconds: 90,
    },
    networks: [{ name: plan.networks.identity.dockerName, ipv4Address: infraAddress(plan.networks.identity, "identity"), aliases: ["identity", identityHostname(spec.trustDomain)] }],
    tlsVolume: tlsVolumeName(name),
    extraTmpfs: {
      [`${KEYCLOAK_HOME}/data`]: "rw,noexec,nosuid,nodev,size=256m",
      // a non-optimized `start` re-runs the Quarkus build, which writes here
      ...(spec.identity.optimizedImage ? {} : { [`${KEYCLOAK_HOME}/lib/quarkus`]: "rw,noexec,nosuid,nodev,size=256m" }),
    },
  });
  return { ...container, entrypoints: keycloakEntrypoint(plan) };
}

export function databaseContainer(plan: PlatformPlan, dataVolume: string): ContainerSpec {
  const { spec } = plan;
  const image = spec.identity.database.image;
  if (spec.identity.database.kind !== "postgres" || !image) throw new Error("platform:identity.database: a database container needs kind \"postgres\" and an image");
  const name = databaseContainerName(plan);
  const container = hardenedContainer({
    name,
    image,
    hostname: "identity-db",
    uid: POSTGRES_UID,
    // the official image's entrypoint reads POSTGRES_PASSWORD_FILE at first start
    env: { POSTGRES_DB: "keycloak", POSTGRES_USER: "keycloak", POSTGRES_PASSWORD_FILE: DB_PASSWORD_FILE, PGDATA: `${POSTGRES_DATA_DIR}/pgdata` },
    labels: { [PLATFORM_LABEL.role]: "database", [PLATFORM_LABEL.stack]: plan.stack },
    resources: { memoryMb: 512, cpus: 1, maxProcesses: 256 },
    healthcheck: { command: ["CMD", "pg_isready", "-U", "keycloak", "-d", "keycloak"], intervalSeconds: 10, timeoutSeconds: 5, retries: 5, startPeriodSeconds: 30 },
    networks: [{ name: plan.networks.identity.dockerName, ipv4Address: infraAddress(plan.networks.identity, "database"), aliases: ["identity-db"] }],
    tlsVolume: tlsVolumeName(name),
    extraTmpfs: { "/var/run/postgresql": "rw,noexec,nosuid,nodev,size=8m" },
  });
  return { ...container, volumes: [...container.volumes, { volumeName: dataVolume, containerPath: POSTGRES_DATA_DIR, readOnly: false }] };
}
