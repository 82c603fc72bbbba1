// What the platform's own components take for themselves: names, ports, realms, address ranges and
// derived names. The schema refuses a config value that collides with one of them, before any
// resource exists. The renderers own the real values (render/, plan/), which config/ may not import:
// test/config-reserved.test.ts renders the platform and holds these tables to what it really uses.

/**
 * App and service names that are already names inside the platform. An app's and a service's name is
 * its DNS name on its network, its Keycloak client id (apps), its gateway path prefix (services).
 */
export const RESERVED_NAMES: Readonly<Record<string, string>> = {
  gateway: "the gateway's DNS name on every app network and on the services network",
  egress: "the egress proxy's DNS name on every app network",
  identity: "Keycloak's DNS name on the identity network, which the gateway also joins",
  "identity-db": "the identity database's DNS name on the identity network",
  localhost: "every container's own loopback name (NO_PROXY lists it)",
  realms: "the gateway's path prefix for Keycloak (/realms/<realm>/...)",
  // clients Keycloak creates in every realm: an app's client id is its name
  account: "a client Keycloak creates in every realm",
  "account-console": "a client Keycloak creates in every realm",
  "admin-cli": "a client Keycloak creates in every realm",
  broker: "a client Keycloak creates in every realm",
  "realm-management": "a client Keycloak creates in every realm",
  "security-admin-console": "a client Keycloak creates in every realm",
};

/** Realms Keycloak has of its own. */
export const RESERVED_REALMS: Readonly<Record<string, string>> = {
  master: "Keycloak's own administration realm",
};

/**
 * plan/names.ts derives a container's upload seed's Docker name as `<container>-<SEED_SUFFIX>`, so a
 * workload named `<other>-<SEED_SUFFIX>` would take the Docker name of `<other>`'s seed.
 */
export const SEED_SUFFIX = "seed";

/** Keycloak's management interface (health) inside its container: render/keycloak/from-plan.ts KEYCLOAK_MANAGEMENT_PORT. */
export const KEYCLOAK_MANAGEMENT_PORT = 9000;

/** Names the platform derives from the trust domain (render/keycloak/oidc.ts): `identity.<trustDomain>`, `gateway.<trustDomain>`. */
export const TRUST_DOMAIN_PREFIXES: readonly string[] = ["identity.", "gateway."];

/**
 * The Docker engine's default bridge (docker0). Docker refuses a network that overlaps it, so a base
 * CIDR overlapping it would fail at the first network of a deploy.
 */
export const DOCKER_DEFAULT_BRIDGE = "172.17.0.0/16";

/**
 * Envoy's local rate limit refills its token bucket at most every 50 ms (render/envoy/rate-limit.ts,
 * which keeps the same check as its last guard): the bucket must hold at least one refill.
 */
export const TOKEN_BUCKET_MIN_FILL_SECONDS = 0.05;

/** The smallest burst the gateway can give `requestsPerSecond` with (one refill of whole tokens). */
export function minimumBurst(requestsPerSecond: number): number {
  return Math.max(1, Math.ceil(requestsPerSecond * TOKEN_BUCKET_MIN_FILL_SECONDS - 1e-9));
}
