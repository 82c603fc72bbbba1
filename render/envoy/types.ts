// The narrow input of the gateway renderer: plain values, no Pulumi types, no spec internals.

interface GatewayGrant {
  service: string;
  methods: readonly string[];
  /** prefixes of the path at the service, e.g. "/v1/forecast"; apps call `/<service><prefix>…` */
  pathPrefixes: readonly string[];
}

export interface GatewayApp {
  name: string;
  /** `spiffe://<trustDomain>/app/<name>`: the only URI SAN this app's chain accepts */
  spiffeId: string;
  /** the app's own subnet, e.g. 10.208.4.16/28: selects its filter chain */
  sourceSubnet: string;
  /** SPKI SHA-256 (base64) of the app's own client key */
  clientSpkiPin: string;
  grants: readonly GatewayGrant[];
  rateLimit: { requestsPerSecond: number; burst: number };
}

export interface GatewayUpstream {
  /** service name; also the cluster name and the first path segment apps use */
  name: string;
  /** DNS name (or IP) on the services network */
  host: string;
  port: number;
  /** present when the service terminates TLS with its platform certificate */
  tls?: { spiffeId: string; spkiPin?: string };
}

interface GatewayIdentity {
  /** pinned Keycloak hostname (issuer host, TLS name) */
  hostname: string;
  /** Keycloak on the identity network: its static address (engine) or its alias (Swarm: STRICT_DNS) */
  address: string;
  port: number;
  realm: string;
  audience: string;
  spkiPin?: string;
}

export interface GatewayRenderInput {
  trustDomain: string;
  listenPort: number;
  adminPort: number;
  /** files inside the gateway container: its own cert/key (server and client use) and the platform CA */
  tlsFiles: { ca: string; cert: string; key: string };
  apps: readonly GatewayApp[];
  services: readonly GatewayUpstream[];
  identity: GatewayIdentity;
}
