// fast-check generators for gateway renderer inputs: random platforms of 2-9 names split into services
// and apps, with random grants, pins, rates and TLS on services. The TLS files are where rendered configs
// expect them (TLS_FILES), so a generated bootstrap can also go to the real Envoy (support/real-envoy.ts).
import fc from "fast-check";
import { TLS_FILES } from "../../render/hardening";
import type { GatewayApp, GatewayRenderInput } from "../../render/envoy/types";

export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const TRUST_DOMAIN = "prop.platform.example";

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
export const segment = fc.stringMatching(/^[a-z0-9._~-]{1,8}$/);
const pathPrefix = fc.array(segment, { minLength: 0, maxLength: 3 }).map((parts) => "/" + parts.join("/"));
const pin = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString("base64"));
const rate = fc.record({ requestsPerSecond: fc.double({ min: 0.01, max: 1000, noNaN: true }), extraBurst: fc.integer({ min: 0, max: 100 }) });

/** A random, valid platform as the gateway renderer gets it. */
export const platform = fc
  .uniqueArray(label, { minLength: 2, maxLength: 9 })
  .chain((names) => {
    const split = Math.max(1, Math.floor(names.length / 2));
    const services = names.slice(0, split);
    const apps = names.slice(split);
    const grant = fc.record({
      service: fc.constantFrom(...services),
      methods: fc.uniqueArray(fc.constantFrom(...METHODS), { minLength: 1, maxLength: 4 }),
      pathPrefixes: fc.uniqueArray(pathPrefix, { minLength: 1, maxLength: 3 }),
    });
    const app = (name: string, index: number) =>
      fc.record({ grants: fc.uniqueArray(grant, { maxLength: services.length, selector: (g) => g.service }), pin, rate }).map(
        ({ grants, pin: clientSpkiPin, rate: r }): GatewayApp => ({
          name,
          spiffeId: `spiffe://${TRUST_DOMAIN}/app/${name}`,
          sourceSubnet: `10.208.${4 + Math.floor(index / 16)}.${(index % 16) * 16}/28`,
          clientSpkiPin,
          grants,
          rateLimit: { requestsPerSecond: r.requestsPerSecond, burst: Math.max(1, Math.ceil(r.requestsPerSecond * 0.05)) + r.extraBurst },
        }),
      );
    return fc.record({
      apps: fc.tuple(...apps.map(app)),
      services: fc.tuple(...services.map((name) => fc.record({ tls: fc.boolean(), pin: fc.option(pin, { nil: undefined }) }).map(({ tls, pin: p }) => ({ name, host: name, port: 8443, ...(tls ? { tls: { spiffeId: `spiffe://${TRUST_DOMAIN}/service/${name}`, spkiPin: p } } : {}) })))),
    });
  })
  .map(({ apps, services }): GatewayRenderInput => ({
    trustDomain: TRUST_DOMAIN,
    listenPort: 8443,
    adminPort: 9901,
    tlsFiles: { ...TLS_FILES },
    apps,
    services,
    identity: { hostname: `identity.${TRUST_DOMAIN}`, address: "10.208.1.4", port: 8443, realm: "platform", audience: `gateway.${TRUST_DOMAIN}` },
  }));
