// One home for the identities of the platform's own pieces: Docker labels, infrastructure UIDs and
// Docker names. Components, renderers, the sandbox and the monitor take them from here; the policy
// pack, which imports nothing outside policies/, spells the labels itself and a test checks it agrees.
// The schema refuses app and service names whose Docker names these functions would make collide
// (config/reserved.ts SEED_SUFFIX); test/config-docker-names.test.ts checks it through this file.
import { SEED_SUFFIX } from "../config/reserved";

/** Labels on every container, network and volume the platform creates. */
export const PLATFORM_LABEL = { role: "platform.role", app: "platform.app", stack: "platform.stack", service: "platform.service", network: "platform.network" } as const;

/**
 * UIDs (and GIDs) of the platform's infrastructure: below the service (10000+) and app (20000+)
 * ranges, and distinct, so no two share per-UID kernel limits. Squid runs as Debian's `proxy` user
 * (13, fixed by base-passwd) and PostgreSQL as the `postgres` user the database image creates (999).
 */
export const INFRA_UID = { gateway: 9100, identity: 9200, database: 999, egress: 13, monitor: 9990 } as const;
export const APP_UID_BASE = 20000;
export const SERVICE_UID_BASE = 10000;
export const SERVICE_UID_SPAN = 10000;

/** Docker names, all under the stack's prefix (`platform:namePrefix`, default `plat-<stack>`). */
export function dockerNames(prefix: string) {
  return {
    appNetwork: (app: string) => `${prefix}-app-${app}`,
    appContainer: (app: string) => `${prefix}-app-${app}`,
    serviceContainer: (service: string) => `${prefix}-svc-${service}`,
    infraNetwork: (network: "services" | "identity" | "outbound") => `${prefix}-${network}`,
    gateway: `${prefix}-gateway`,
    egress: `${prefix}-egress`,
    identity: `${prefix}-identity`,
    database: `${prefix}-identity-db`,
    monitor: `${prefix}-monitor`,
  };
}

/** The Docker name of a container's upload seed (render/hardening.ts seedContainer). */
export function seedName(containerName: string): string {
  return `${containerName}-${SEED_SUFFIX}`;
}

/** A container's named volume for one purpose: `tls` (certificates and credentials), `conf`, `data`, `state`. */
export function volumeName(containerName: string, purpose: "tls" | "conf" | "data" | "state"): string {
  return `${containerName}-${purpose}`;
}
