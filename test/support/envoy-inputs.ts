// Sample gateway renderer inputs for tests: two apps, a TLS and a plain service.
import type { GatewayRenderInput } from "../../render/envoy/types";
import type { RealmRenderInput } from "../../render/keycloak/realm";

export const pinOf = (seed: number) => Buffer.alloc(32, seed).toString("base64");

export function sampleGatewayInput(): GatewayRenderInput {
  return {
    trustDomain: "test.platform.example",
    listenPort: 8443,
    adminPort: 9901,
    tlsFiles: { ca: "/etc/platform/tls/ca.pem", cert: "/etc/platform/tls/cert.pem", key: "/etc/platform/tls/key.pem" },
    apps: [
      {
        name: "forecast-widget",
        spiffeId: "spiffe://test.platform.example/app/forecast-widget",
        sourceSubnet: "10.208.4.16/28",
        clientSpkiPin: pinOf(1),
        grants: [{ service: "weather", methods: ["GET", "HEAD"], pathPrefixes: ["/v1/forecast", "/v1/current"] }],
        rateLimit: { requestsPerSecond: 5, burst: 10 },
      },
      {
        name: "backup-agent",
        spiffeId: "spiffe://test.platform.example/app/backup-agent",
        sourceSubnet: "10.208.9.32/28",
        clientSpkiPin: pinOf(2),
        grants: [
          { service: "storage", methods: ["GET", "PUT", "POST"], pathPrefixes: ["/v1/buckets/backup-agent"] },
          { service: "weather", methods: ["GET"], pathPrefixes: ["/v1/current"] },
        ],
        rateLimit: { requestsPerSecond: 2.5, burst: 5 },
      },
    ],
    services: [
      { name: "weather", host: "weather", port: 8080 },
      { name: "storage", host: "storage", port: 8443, tls: { spiffeId: "spiffe://test.platform.example/service/storage", spkiPin: pinOf(3) } },
    ],
    identity: { hostname: "identity.test.platform.example", address: "10.208.1.4", port: 8443, realm: "platform", audience: "gateway.test.platform.example" },
  };
}

/** The realm that belongs to sampleGatewayInput(). */
/** Stand-ins of the generated shape (40 letters and digits) for the sample realm's clients. */
export function sampleClientSecrets(): Record<string, string> {
  return Object.fromEntries(sampleRealmInput().apps.map((a) => [a.name, `sample${a.name.replace(/-/g, "")}`.padEnd(40, "0")]));
}

export function sampleRealmInput(): RealmRenderInput {
  const gateway = sampleGatewayInput();
  return {
    realm: gateway.identity.realm,
    audience: gateway.identity.audience,
    accessTokenLifespanSeconds: 300,
    apps: gateway.apps.map((a) => ({ name: a.name, services: a.grants.map((g) => g.service) })),
    services: gateway.services.map((s) => s.name),
  };
}
