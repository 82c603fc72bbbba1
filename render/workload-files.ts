// The files each workload gets, in one place for both wirings: the engine wiring uploads them with
// their Pulumi outputs as contents, the Swarm wiring turns the same list (empty contents) into secret
// and config refs. Generic over the content type, so paths, owners and modes cannot drift apart.
// (The egress proxy's list comes with its container: render/squid egressContainer().uploads.)
import { INFRA_UID } from "../plan/names";
import type { AppPlan, PlatformPlan, ServicePlan } from "../plan/plan";
import { ENVOY_CONFIG_FILE } from "./envoy/from-plan";
import { credentialUpload, FileUpload, tlsUploads } from "./hardening";
import { ADMIN_PASSWORD_FILE, DB_PASSWORD_FILE, REALM_FILE } from "./keycloak/from-plan";
import { OAUTH_CLIENT_SECRET_FILE } from "./workloads";

/** A workload's CA certificate, its own certificate and its private key. */
export interface TlsContents<T> {
  ca: T;
  cert: T;
  key: T;
}

export interface IdentityContents<T> extends TlsContents<T> {
  /** the realm import, every app's client secret included */
  realm: T;
  adminPassword: T;
  /** required when platform:identity.database.kind is postgres; not uploaded otherwise */
  dbPassword?: T;
}

/** A third-party app: its TLS material and its own OAuth2 client secret. */
export function appFiles<T>(app: Pick<AppPlan, "uid">, contents: TlsContents<T> & { oauthClientSecret: T }): FileUpload<T>[] {
  return [...tlsUploads(contents, app.uid), credentialUpload(OAUTH_CLIENT_SECRET_FILE, contents.oauthClientSecret, app.uid)];
}

/** A backend service: its TLS material only. */
export function serviceFiles<T>(service: Pick<ServicePlan, "uid">, contents: TlsContents<T>): FileUpload<T>[] {
  return tlsUploads(contents, service.uid);
}

/** Keycloak: TLS material, the realm import, the admin password and, with PostgreSQL, the database password. */
export function identityFiles<T>(plan: PlatformPlan, contents: IdentityContents<T>): FileUpload<T>[] {
  const gid = INFRA_UID.identity;
  const files = [...tlsUploads(contents, gid), credentialUpload(REALM_FILE, contents.realm, gid), credentialUpload(ADMIN_PASSWORD_FILE, contents.adminPassword, gid)];
  if (plan.config.identity.database.kind !== "postgres") return files;
  if (contents.dbPassword === undefined) throw new Error("identityFiles: platform:identity.database.kind is postgres; pass the database password as contents.dbPassword");
  return [...files, credentialUpload(DB_PASSWORD_FILE, contents.dbPassword, gid)];
}

/** PostgreSQL (database.kind postgres): the password it initialises its data directory with. */
export function databaseFiles<T>(contents: { dbPassword: T }): FileUpload<T>[] {
  return [credentialUpload(DB_PASSWORD_FILE, contents.dbPassword, INFRA_UID.database)];
}

/** The API gateway: TLS material and the Envoy bootstrap (public: its pins are public-key hashes). */
export function gatewayFiles<T>(contents: TlsContents<T> & { envoyConfig: T }): FileUpload<T>[] {
  const envoy: FileUpload<T> = { file: ENVOY_CONFIG_FILE, content: contents.envoyConfig, permissions: "0440", owner: "0", group: String(INFRA_UID.gateway) };
  return [...tlsUploads(contents, INFRA_UID.gateway), envoy];
}
