// Who catches a broken gateway config. At deploy time render/envoy/invariants.ts (checkGatewayInvariants,
// no Envoy schema): one deliberately broken config per invariant kind, with its exact path. In the tests the
// real `envoy --mode validate` is the authority on everything else: one deliberately broken config per class
// of schema mistake must be rejected by it (all in one container run), and the insecure configs Envoy happily
// accepts are exactly the ones the invariants exist for.
import { before, describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { assertGatewayInvariants, checkGatewayInvariants, GatewayInvariantError } from "../render/envoy/invariants";
import { chainOf, clusterOf, hcmOf, minimalBootstrap, tlsOf } from "./support/envoy-fixtures";
import { describeVerdicts, envoyImageAbsentReason, validateWithRealEnvoy, type EnvoyVerdict } from "./support/real-envoy";

type Bootstrap = Record<string, any>;
type Kind = ReturnType<typeof checkGatewayInvariants>[number]["kind"];

const CHAIN = "static_resources.listeners[0].filter_chains[0]";
const TLS = `${CHAIN}.transport_socket.typed_config`;
const HCM = `${CHAIN}.filters[0].typed_config`;
const ROUTE = `${HCM}.route_config.virtual_hosts[0].routes[0]`;
const PINS = `${TLS}.common_tls_context.validation_context.verify_certificate_spki`;

function kindsAt(config: unknown): { kind: Kind; path: string }[] {
  return checkGatewayInvariants(config).map(({ kind, path }) => ({ kind, path }));
}

function broken(mutate: (b: Bootstrap) => void): Bootstrap {
  const b = minimalBootstrap();
  mutate(b);
  return b;
}

function assertOnlyIssue(config: unknown, kind: Kind, path: string) {
  assert.deepEqual(kindsAt(config), [{ kind, path }]);
}

/** A jwt_authn filter (first in the chain) whose provider fetches its JWKS through `cluster`. */
function withRemoteJwks(cluster: string): Bootstrap {
  return broken((b) =>
    hcmOf(b).http_filters.unshift({
      name: "envoy.filters.http.jwt_authn",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
        providers: { kc: { issuer: "https://id/realms/p", remote_jwks: { http_uri: { uri: "https://id/certs", cluster, timeout: "2s" } } } },
      },
    }),
  );
}

/** An RBAC filter (first in the chain) allowing everything to `principal`. */
function withRbacPrincipal(principal: Bootstrap): Bootstrap {
  return broken((b) =>
    hcmOf(b).http_filters.unshift({
      name: "envoy.filters.http.rbac",
      typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC", rules: { action: "ALLOW", policies: { all: { permissions: [{ any: true }], principals: [principal] } } } },
    }),
  );
}

const withPins = (pins: unknown[]) => broken((b) => (tlsOf(b).common_tls_context.validation_context.verify_certificate_spki = pins));

describe("deploy-time invariants (checkGatewayInvariants)", () => {
  test("the hand-written fixture holds every invariant", () => {
    assert.deepEqual(checkGatewayInvariants(minimalBootstrap()), []);
    assert.doesNotThrow(() => assertGatewayInvariants(minimalBootstrap()));
  });

  test("missing-cluster: a route to a cluster that does not exist", () => {
    assertOnlyIssue(broken((b) => (hcmOf(b).route_config.virtual_hosts[0].routes[0].route.cluster = "wether")), "missing-cluster", `${ROUTE}.route.cluster`);
  });

  test("missing-cluster: a remote JWKS fetched through an undefined cluster", () => {
    assert.deepEqual(checkGatewayInvariants(withRemoteJwks("weather")), []);
    assertOnlyIssue(withRemoteJwks("keycloak"), "missing-cluster", `${HCM}.http_filters[0].typed_config.providers.kc.remote_jwks.http_uri.cluster`);
  });

  test("missing-cluster: one of a route's weighted clusters does not exist", () => {
    const b = broken((b) => {
      const route = hcmOf(b).route_config.virtual_hosts[0].routes[0].route;
      delete route.cluster;
      route.weighted_clusters = { clusters: [{ name: "weather", weight: 1 }, { name: "wether", weight: 1 }] };
    });
    assertOnlyIssue(b, "missing-cluster", `${ROUTE}.route.weighted_clusters.clusters[1].name`);
  });

  test("bad-spki-pin: a pin must be 44 characters of base64 encoding 32 bytes", () => {
    assert.deepEqual(checkGatewayInvariants(withPins([Buffer.alloc(32, 1).toString("base64"), Buffer.alloc(32, 2).toString("base64")])), []);
    assertOnlyIssue(withPins(["!".repeat(43) + "="]), "bad-spki-pin", `${PINS}[0]`);
    assertOnlyIssue(withPins(["c2hvcnQ="]), "bad-spki-pin", `${PINS}[0]`);
    assertOnlyIssue(withPins(["ab".repeat(22)]), "bad-spki-pin", `${PINS}[0]`);
    assertOnlyIssue(withPins([Buffer.alloc(32, 1).toString("base64"), 42]), "bad-spki-pin", `${PINS}[1]`);
  });

  test("bad-spki-pin: a downstream chain without pins", () => {
    assertOnlyIssue(broken((b) => delete tlsOf(b).common_tls_context.validation_context.verify_certificate_spki), "bad-spki-pin", PINS);
    assertOnlyIssue(withPins([]), "bad-spki-pin", PINS);
  });

  test("client-cert-not-required: false, absent, not literally true, or no TLS at all", () => {
    assertOnlyIssue(broken((b) => (tlsOf(b).require_client_certificate = false)), "client-cert-not-required", `${TLS}.require_client_certificate`);
    assertOnlyIssue(broken((b) => delete tlsOf(b).require_client_certificate), "client-cert-not-required", `${TLS}.require_client_certificate`);
    assertOnlyIssue(broken((b) => (tlsOf(b).require_client_certificate = "true")), "client-cert-not-required", `${TLS}.require_client_certificate`);
    assertOnlyIssue(broken((b) => delete chainOf(b).transport_socket), "client-cert-not-required", CHAIN);
    const upstreamTls = broken((b) => (tlsOf(b)["@type"] = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"));
    assertOnlyIssue(upstreamTls, "client-cert-not-required", CHAIN);
  });

  test("admin-not-loopback: only 127.0.0.1 or ::1", () => {
    assertOnlyIssue(broken((b) => (b.admin.address.socket_address.address = "0.0.0.0")), "admin-not-loopback", "admin.address.socket_address.address");
    assert.deepEqual(checkGatewayInvariants(broken((b) => (b.admin.address.socket_address.address = "::1"))), []);
  });

  test("assertGatewayInvariants throws one error listing every issue with its path and kind", () => {
    const b = broken((b) => {
      clusterOf(b).name = "weather-v2";
      b.admin.address.socket_address.address = "0.0.0.0";
    });
    assert.throws(() => assertGatewayInvariants(b), (e: unknown) => {
      assert.ok(e instanceof GatewayInvariantError);
      assert.deepEqual(e.issues.map((i) => i.kind).sort(), ["admin-not-loopback", "missing-cluster"]);
      assert.match(e.message, /admin\.address\.socket_address\.address: \[admin-not-loopback\]/);
      assert.match(e.message, /routes\[0\]\.route\.cluster: \[missing-cluster\] .*"weather".*defined: weather-v2/);
      return true;
    });
  });
});

const RATE_LIMIT = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";

/** One deliberately broken config per class of schema mistake, and what Envoy's error must say. */
const REJECTED: { mistake: string; config: Bootstrap; error: RegExp }[] = [
  { mistake: "unknown field", config: broken((b) => (clusterOf(b).connect_timout = "1s")), error: /no such field: 'connect_timout'/ },
  { mistake: "unknown field inside an Any (resolved through @type)", config: broken((b) => (tlsOf(b).require_client_cert = true)), error: /DownstreamTlsContext.*no such field: 'require_client_cert'/ },
  { mistake: "wrong type: an object for a string", config: broken((b) => (clusterOf(b).name = { value: "weather" })), error: /clusters\[0\]\.name: string.*unexpected character/ },
  { mistake: "wrong type: a number out of range", config: broken((b) => (b.admin.address.socket_address.port_value = 2 ** 32)), error: /port_value: uint32.*integer out of range/ },
  { mistake: "bad enum name", config: broken((b) => (hcmOf(b).codec_type = "HTTP9")), error: /unknown enum value: 'HTTP9'/ },
  { mistake: "bad enum name (TLS version)", config: broken((b) => (tlsOf(b).common_tls_context.tls_params.tls_minimum_protocol_version = "TLS1_2")), error: /unknown enum value: 'TLS1_2'/ },
  ...([5, "5", "5 s", "1m", ".5s", "1.0000000001s"] as const).map((timeout) => ({
    mistake: `malformed duration ${JSON.stringify(timeout)}`,
    config: broken((b) => (clusterOf(b).connect_timeout = timeout)),
    error: /connect_timeout: message google\.protobuf\.Duration/,
  })),
  { mistake: "two members of a oneof (route match prefix and path)", config: broken((b) => (hcmOf(b).route_config.virtual_hosts[0].routes[0].match.path = "/weather/today")), error: /has already been set \(either directly or as part of a oneof\)/ },
  { mistake: "a required oneof left empty (route without action)", config: broken((b) => delete hcmOf(b).route_config.virtual_hosts[0].routes[0].route), error: /Proto constraint validation failed .*Routes\[0\]/ },
  { mistake: "unknown @type in an Any", config: broken((b) => (hcmOf(b).http_filters[0].typed_config["@type"] = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Routr")), error: /could not find @type '.*Routr'/ },
  { mistake: "an Any without @type", config: broken((b) => delete hcmOf(b).http_filters[0].typed_config["@type"]), error: /Didn't find a registered implementation for 'envoy\.filters\.http\.router' with type URL: ''/ },
  { mistake: "a protoc-gen-validate rule (port over 65535)", config: broken((b) => (b.admin.address.socket_address.port_value = 70000)), error: /Proto constraint validation failed .*PortValue/ },
  { mistake: "a protoc-gen-validate rule (empty stat_prefix)", config: broken((b) => (hcmOf(b).stat_prefix = "")), error: /StatPrefix: value length must be at least 1/ },
  {
    mistake: "a protoc-gen-validate rule on a wrapper (zero-token refill)",
    config: broken((b) => hcmOf(b).http_filters.unshift({ name: "envoy.filters.http.local_ratelimit", typed_config: { "@type": RATE_LIMIT, stat_prefix: "rl", token_bucket: { max_tokens: 5, tokens_per_fill: 0, fill_interval: "0.2s" } } })),
    error: /TokensPerFill: value must be greater than 0/,
  },
  { mistake: "a route to an undefined cluster", config: broken((b) => (hcmOf(b).route_config.virtual_hosts[0].routes[0].route.cluster = "wether")), error: /route: unknown cluster 'wether'/ },
  { mistake: "a malformed SPKI pin", config: withPins(["ab".repeat(22)]), error: /Invalid base64-encoded SHA-256 (ab){22}/ },
  { mistake: "an mtls_authenticated principal that checks no SAN", config: withRbacPrincipal({ custom: { name: "envoy.rbac.principals.mtls_authenticated", typed_config: { "@type": "type.googleapis.com/envoy.extensions.rbac.principals.mtls_authenticated.v3.Config" } } }), error: /mtls_authenticated did not have any configured validation/ },
];

/** Configs Envoy accepts although they break the gateway's invariants: why checkGatewayInvariants exists. */
const ACCEPTED_BUT_INSECURE: { mistake: string; config: Bootstrap }[] = [
  { mistake: "require_client_certificate: false", config: broken((b) => (tlsOf(b).require_client_certificate = false)) },
  { mistake: "a plaintext filter chain", config: broken((b) => delete chainOf(b).transport_socket) },
  { mistake: "a chain without SPKI pins", config: broken((b) => delete tlsOf(b).common_tls_context.validation_context.verify_certificate_spki) },
  { mistake: "the admin interface on 0.0.0.0", config: broken((b) => (b.admin.address.socket_address.address = "0.0.0.0")) },
  { mistake: "a remote JWKS through an undefined cluster", config: withRemoteJwks("keycloak") },
];

const DEPRECATED_PRINCIPAL = withRbacPrincipal({ metadata: { filter: "envoy.filters.http.jwt_authn", path: [{ key: "jwt_payload" }, { key: "azp" }], value: { string_match: { exact: "app" } } } });

describe("the authority: real envoy --mode validate", { timeout: 180_000 }, () => {
  const skip = envoyImageAbsentReason() ?? false;
  let minimal: EnvoyVerdict;
  let rejected: EnvoyVerdict[] = [];
  let insecure: EnvoyVerdict[] = [];
  let deprecated: EnvoyVerdict;

  before(() => {
    if (skip) return;
    const started = Date.now();
    const verdicts = validateWithRealEnvoy([
      { name: "minimal fixture", yaml: minimalBootstrap() },
      ...REJECTED.map((c) => ({ name: c.mistake, yaml: c.config })),
      ...ACCEPTED_BUT_INSECURE.map((c) => ({ name: c.mistake, yaml: c.config })),
      { name: "deprecated RBAC metadata principal", yaml: DEPRECATED_PRINCIPAL },
    ]);
    console.log(`real envoy: ${verdicts.length} configs validated in one container in ${Date.now() - started} ms`);
    minimal = verdicts[0];
    rejected = verdicts.slice(1, 1 + REJECTED.length);
    insecure = verdicts.slice(1 + REJECTED.length, 1 + REJECTED.length + ACCEPTED_BUT_INSECURE.length);
    deprecated = verdicts[verdicts.length - 1];
  });

  it("accepts the minimal fixture without a deprecation", { skip }, () => {
    assert.ok(minimal.ok && minimal.deprecations.length === 0, describeVerdicts([minimal]));
  });

  for (const [i, { mistake, error }] of REJECTED.entries()) {
    it(`rejects ${mistake}`, { skip }, () => {
      const verdict = rejected[i];
      assert.equal(verdict.ok, false, `${mistake}: accepted\n${verdict.log}`);
      assert.match(verdict.error.replace(/\s+/g, " "), error);
    });
  }

  it("reports a deprecated field (accepted, with a deprecation warning naming it)", { skip }, () => {
    assert.equal(deprecated.ok, true, deprecated.error);
    assert.ok(deprecated.deprecations.length > 0, deprecated.log);
    for (const line of deprecated.deprecations) assert.match(line, /\[warning\].*deprecated option 'envoy\.config\.rbac\.v3\.Principal\.metadata'/);
  });

  it("accepts the insecure configs that only the deploy-time invariants reject", { skip }, () => {
    for (const [i, { mistake, config }] of ACCEPTED_BUT_INSECURE.entries()) {
      assert.equal(insecure[i].ok, true, `${mistake}: ${insecure[i].error}`);
      assert.notDeepEqual(checkGatewayInvariants(config), [], `${mistake}: no invariant catches it`);
    }
  });
});
