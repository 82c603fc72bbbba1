// Properties of the rendered gateway over random platforms (fast-check): every config holds the
// gateway's invariants (whether Envoy accepts it: envoy-real-binary.test.ts), no
// chain lets its app reach a service it was not granted, each chain pins exactly its own app's key,
// and every chain requires a client certificate.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { renderEnvoyBootstrap } from "../render/envoy/bootstrap";
import { externalPathPrefix } from "../render/envoy/app-chain";
import { serviceScope } from "../render/keycloak/oidc";
import { checkGatewayInvariants } from "../render/envoy/invariants";
import type { GatewayRenderInput } from "../render/envoy/types";
import { METHODS, platform, segment } from "./support/envoy-arbitraries";
import { rbacAllows, reaches, type SimRequest } from "./support/envoy-rbac-sim";

type Obj = Record<string, any>;
const RUNS = 60;

const chainsOf = (b: Obj): Obj[] => b.static_resources.listeners[0].filter_chains;
const chainFor = (b: Obj, app: string) => chainsOf(b).find((c) => c.name === `app:${app}`)!;

/** A token as strong as it gets for `app`: its own azp and every service scope there is. */
const allScopes = (input: GatewayRenderInput) => input.services.map((s) => serviceScope(s.name));

test("every random platform renders a bootstrap that holds the gateway's invariants (real Envoy: envoy-real-binary.test.ts)", () => {
  fc.assert(
    fc.property(platform, (input) => {
      assert.deepEqual(checkGatewayInvariants(renderEnvoyBootstrap(input)), []);
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
