// Swarm secrets and configs in place of upload seeds: the same files at the same paths with the same
// owner and mode, so envoy.yaml, squid.conf, Keycloak's entrypoint and the apps' PLATFORM_*_FILE
// variables stay as the engine wiring renders them.
import { createHash } from "node:crypto";
import { ENVOY_CONFIG_FILE } from "../envoy/from-plan";
import { FileUpload, TLS_FILES } from "../hardening";
import { ADMIN_PASSWORD_FILE, DB_PASSWORD_FILE, REALM_FILE } from "../keycloak/from-plan";
import { AUDIT_KEY_FILE } from "../monitor/container";
import { SQUID_CONF_FILE } from "../squid/container";
import { OAUTH_CLIENT_SECRET_FILE } from "../workloads";
import type { SwarmFileRef } from "./types";

/**
 * Files whose content is public become configs (readable by anyone with manager access, shown by
 * `docker config inspect`); everything else is a secret (encrypted in the Raft store, mounted from
 * memory). A file not listed here is a secret: a new credential can never land in a config by default.
 */
const PUBLIC_FILES: Record<string, string> = {
  [TLS_FILES.ca]: "ca",
  [TLS_FILES.cert]: "cert",
  // pins are hashes of public keys; no credential in it
  [ENVOY_CONFIG_FILE]: "envoy-config",
  [SQUID_CONF_FILE]: "squid-conf",
};

const SECRET_FILES: Record<string, string> = {
  [TLS_FILES.key]: "key",
  [OAUTH_CLIENT_SECRET_FILE]: "oauth-client-secret",
  // the realm import holds every app's client secret
  [REALM_FILE]: "realm",
  [ADMIN_PASSWORD_FILE]: "admin-password",
  [DB_PASSWORD_FILE]: "db-password",
  [AUDIT_KEY_FILE]: "audit-key",
};

function purposeOf(file: string): string {
  return PUBLIC_FILES[file] ?? SECRET_FILES[file] ?? file.replace(/^.*\//, "").replace(/[^A-Za-z0-9-]+/g, "-");
}

/** Whether a file travels as a Swarm secret (anything not known to be public). */
export function isSecretFile(file: string): boolean {
  return PUBLIC_FILES[file] === undefined;
}

/** The Swarm form of one upload: a secret or config mounted at the upload's path, owner and mode. */
export function swarmFileRef(upload: Pick<FileUpload<unknown>, "file" | "permissions" | "owner" | "group">): SwarmFileRef {
  if (!/^0?[0-7]{3}$/.test(upload.permissions)) throw new Error(`${upload.file}: permissions ${upload.permissions} is not an octal mode such as 0440`);
  if (!upload.file.startsWith("/")) throw new Error(`${upload.file}: a secret or config needs an absolute path in the container`);
  return {
    kind: isSecretFile(upload.file) ? "secret" : "config",
    purpose: purposeOf(upload.file),
    fileName: upload.file,
    fileUid: upload.owner,
    fileGid: upload.group,
    fileMode: parseInt(upload.permissions, 8),
  };
}

/**
 * The Docker name of a secret or config: `<service>-<purpose>-<first 12 hex of SHA-256(content)>`.
 * Swarm secrets and configs cannot change, so new content makes a new name, which rolls the service
 * (start-first) onto it while the old object stays until no task uses it. Docker allows 64 characters.
 */
export function swarmObjectName(serviceName: string, ref: Pick<SwarmFileRef, "purpose">, content: string): string {
  const digest = createHash("sha256").update(content).digest("hex").slice(0, 12);
  const name = `${serviceName}-${ref.purpose}-${digest}`;
  if (name.length <= 64) return name;
  // keep it unique when the service name is long: a digest of the whole name replaces the tail
  const whole = createHash("sha256").update(name).digest("hex").slice(0, 12);
  return `${name.slice(0, 64 - whole.length - 1)}-${whole}`;
}
