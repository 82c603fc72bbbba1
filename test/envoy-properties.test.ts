// Properties of the rendered gateway over random platforms (fast-check): every config is valid, no
// chain lets its app reach a service it was not granted, each chain pins exactly its own app's key,
// and every chain requires a client certificate.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { renderEnvoyBootstrap } from "../render/envoy/bootstrap";
import { externalPathPrefix } from "../render/envoy/app-chain";
import { serviceScope } from "../render/keycloak/oidc";
import type { GatewayApp, GatewayRenderInput } from "../render/envoy/types";
import { validateEnvoyBootstrap } from "./support/envoy-proto/validator";
import { rbacAllows, reaches, type SimRequest } from "./support/envoy-rbac-sim";

type Obj = Record<string, any>;
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const TRUST_DOMAIN = "prop.platform.example";
const RUNS = 60;

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const segment = fc.stringMatching(/^[a-z0-9._~-]{1,8}$/);
const pathPrefix = fc.array(segment, { minLength: 0, maxLength: 3 }).map((parts) => "/" + parts.join("/"));
const pin = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString("base64"));
const rate = fc.record({ requestsPerSecond: fc.double({ min: 0.01, max: 1000, noNaN: true }), extraBurst: fc.integer({ min: 0, max: 100 }) });

const platform = fc
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
    tlsFiles: { ca: "/tls/ca.pem", cert: "/tls/cert.pem", key: "/tls/key.pem" },
    apps,
    services,
    identity: { hostname: `identity.${TRUST_DOMAIN}`, address: "10.208.1.4", port: 8443, realm: "platform", audience: `gateway.${TRUST_DOMAIN}` },
  }));

const chainsOf = (b: Obj): Obj[] => b.static_resources.listeners[0].filter_chains;
const chainFor = (b: Obj, app: string) => chainsOf(b).find((c) => c.name === `app:${app}`)!;

/** A token as strong as it gets for `app`: its own azp and every service scope there is. */
const allScopes = (input: GatewayRenderInput) => input.services.map((s) => serviceScope(s.name));

test("every random platform renders a bootstrap the strict validator accepts", () => {
  fc.assert(
    fc.property(platform, (input) => {
      assert.deepEqual(validateEnvoyBootstrap(renderEnvoyBootstrap(input)), []);
    }),
    { numRuns: RUNS },
  );
});

test("no chain lets its app reach a service it was not granted, whatever the method, path or token scopes", () => {
  fc.assert(
    fc.property(platform, fc.constantFrom(...METHODS), fc.array(segment, { maxLength: 4 }), (input, method, rest) => {
      const bootstrap = renderEnvoyBootstrap(input) as Obj;
      for (const app of input.apps) {
        const chain = chainFor(bootstrap, app.name);
        const granted = new Set(app.grants.map((g) => g.service));
        for (const service of input.services.filter((s) => !granted.has(s.name))) {
          const req: SimRequest = { method, path: `/${service.name}/${rest.join("/")}`, peerUri: app.spiffeId, jwt: { azp: app.name, scope: allScopes(input) } };
          assert.equal(rbacAllows(chain, req), false, `${app.name} → ${req.method} ${req.path}`);
          assert.equal(reaches(chain, req), undefined);
        }
      }
    }),
    { numRuns: RUNS },
  );
});

test("granted calls do get through (the check above is not vacuous), but only with the app's own cert and token", () => {
  fc.assert(
    fc.property(platform, fc.array(segment, { maxLength: 3 }), (input, rest) => {
      const bootstrap = renderEnvoyBootstrap(input) as Obj;
      for (const app of input.apps) {
        const chain = chainFor(bootstrap, app.name);
        for (const grant of app.grants) {
          for (const prefix of grant.pathPrefixes) {
            const path = externalPathPrefix(grant.service, prefix) + (prefix.endsWith("/") ? "" : "/") + rest.join("/");
            const req: SimRequest = { method: grant.methods[0], path, peerUri: app.spiffeId, jwt: { azp: app.name, scope: [serviceScope(grant.service)] } };
            assert.equal(reaches(chain, req), grant.service, `${app.name} → ${req.method} ${req.path}`);
            for (const other of input.apps.filter((a) => a.name !== app.name)) {
              assert.equal(rbacAllows(chain, { ...req, jwt: { azp: other.name, scope: allScopes(input) } }), false, "another app's token");
              assert.equal(rbacAllows(chain, { ...req, peerUri: other.spiffeId }), false, "another app's certificate");
            }
            assert.equal(rbacAllows(chain, { ...req, jwt: { azp: app.name, scope: [] } }), false, "token without the scope");
          }
        }
      }
    }),
    { numRuns: RUNS },
  );
});

test("each chain pins exactly its own app's key and SPIFFE ID, matches exactly its subnet, and requires a client certificate", () => {
  fc.assert(
    fc.property(platform, (input) => {
      const bootstrap = renderEnvoyBootstrap(input) as Obj;
      assert.equal(chainsOf(bootstrap).length, input.apps.length);
      for (const app of input.apps) {
        const chain = chainFor(bootstrap, app.name);
        const tls = chain.transport_socket.typed_config;
        assert.equal(tls.require_client_certificate, true);
        const validation = tls.common_tls_context.validation_context;
        assert.deepEqual(validation.verify_certificate_spki, [app.clientSpkiPin]);
        assert.deepEqual(validation.match_typed_subject_alt_names, [{ san_type: "URI", matcher: { exact: app.spiffeId } }]);
        const [address, length] = app.sourceSubnet.split("/");
        assert.deepEqual(chain.filter_chain_match.source_prefix_ranges, [{ address_prefix: address, prefix_len: Number(length) }]);
      }
    }),
    { numRuns: RUNS },
  );
});
