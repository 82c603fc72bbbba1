// The validator must catch each class of mistake: one deliberately broken config per class.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadEnvoyProtos } from "./support/envoy-proto/proto-registry";
import { assertValidEnvoyBootstrap, checkEnvoyMessage, EnvoyConfigError, validateEnvoyBootstrap, type IssueKind } from "./support/envoy-proto/validator";
import { minimalBootstrap, chainOf, tlsOf, hcmOf, clusterOf } from "./support/envoy-fixtures";

function kindsAt(config: unknown): { kind: IssueKind; path: string }[] {
  return validateEnvoyBootstrap(config).map(({ kind, path }) => ({ kind, path }));
}

function assertOnlyIssue(config: unknown, kind: IssueKind, path: string) {
  assert.deepEqual(kindsAt(config), [{ kind, path }]);
}

const CHAIN = "static_resources.listeners[0].filter_chains[0]";
const TLS = `${CHAIN}.transport_socket.typed_config`;
const HCM = `${CHAIN}.filters[0].typed_config`;
const ROUTE = `${HCM}.route_config.virtual_hosts[0].routes[0]`;

test("loads the v3 protos once and skips exactly the files with unshipped imports", () => {
  const first = loadEnvoyProtos();
  assert.equal(loadEnvoyProtos(), first, "second call returns the cached registry");
  assert.ok(first.loadedFiles.length > 300, `loaded ${first.loadedFiles.length} files`);
  for (const { missingImport } of first.skippedFiles) assert.match(missingImport, /^(opencensus|opentelemetry|io\/prometheus)\//);
  assert.ok(first.skippedFiles.length <= 8);
});

test("the hand-written fixture is valid", () => {
  assert.deepEqual(validateEnvoyBootstrap(minimalBootstrap()), []);
  assert.doesNotThrow(() => assertValidEnvoyBootstrap(minimalBootstrap()));
});

test("unknown field: a typo is rejected with its path", () => {
  const b = minimalBootstrap();
  clusterOf(b).connect_timout = "1s";
  assertOnlyIssue(b, "unknown-field", "static_resources.clusters[0].connect_timout");
});

test("unknown field inside an Any resolved through @type", () => {
  const b = minimalBootstrap();
  tlsOf(b).require_client_cert = true;
  assertOnlyIssue(b, "unknown-field", `${TLS}.require_client_cert`);
});

test("JSON (lowerCamel) names are accepted like Envoy does, but not both spellings at once", () => {
  const b = minimalBootstrap();
  clusterOf(b).connectTimeout = clusterOf(b).connect_timeout;
  delete clusterOf(b).connect_timeout;
  assert.deepEqual(validateEnvoyBootstrap(b), []);
  clusterOf(b).connect_timeout = "1s";
  assertOnlyIssue(b, "duplicate-field", "static_resources.clusters[0].connect_timeout");
});

test("wrong type: string for a bool wrapper, object for a string, number out of range", () => {
  const b = minimalBootstrap();
  tlsOf(b).require_client_certificate = "true";
  // the semantic rule fires too: a string is not `true`
  assert.deepEqual(kindsAt(b), [
    { kind: "wrong-type", path: `${TLS}.require_client_certificate` },
    { kind: "client-cert-not-required", path: `${TLS}.require_client_certificate` },
  ]);

  const c = minimalBootstrap();
  clusterOf(c).name = { value: "weather" };
  assert.ok(kindsAt(c).some((i) => i.kind === "wrong-type" && i.path === "static_resources.clusters[0].name"));

  const d = minimalBootstrap();
  d.admin.address.socket_address.port_value = 2 ** 32;
  assertOnlyIssue(d, "wrong-type", "admin.address.socket_address.port_value");

  const e = minimalBootstrap();
  e.static_resources.clusters = clusterOf(e);
  // the object is not walked as clusters, so the route's cluster is also reported missing
  assert.deepEqual(kindsAt(e)[0], { kind: "wrong-type", path: "static_resources.clusters" });
});

test("bad enum name", () => {
  const b = minimalBootstrap();
  hcmOf(b).codec_type = "HTTP9";
  assertOnlyIssue(b, "bad-enum", `${HCM}.codec_type`);
  const c = minimalBootstrap();
  tlsOf(c).common_tls_context.tls_params.tls_minimum_protocol_version = "TLS1_2";
  assertOnlyIssue(c, "bad-enum", `${TLS}.common_tls_context.tls_params.tls_minimum_protocol_version`);
});

test("durations: \"1s\" and \"0.5s\" pass; a bare number, \"5\", \"5 s\" and \"1m\" fail", () => {
  for (const ok of ["1s", "0.5s", "0.000000001s", "300s"]) {
    const b = minimalBootstrap();
    clusterOf(b).connect_timeout = ok;
    assert.deepEqual(validateEnvoyBootstrap(b), [], ok);
  }
  for (const bad of [5, "5", "5 s", "1m", "0.5", ".5s", "1.0000000001s"]) {
    const b = minimalBootstrap();
    clusterOf(b).connect_timeout = bad;
    assertOnlyIssue(b, "bad-duration", "static_resources.clusters[0].connect_timeout");
  }
});

test("more than one member of a oneof", () => {
  const b = minimalBootstrap();
  chainOf(b).filters[0].typed_config.route_config.virtual_hosts[0].routes[0].match.path = "/weather/today";
  assertOnlyIssue(b, "oneof-conflict", `${ROUTE}.match`);
});

test("a required oneof left empty (route without action)", () => {
  const b = minimalBootstrap();
  delete hcmOf(b).route_config.virtual_hosts[0].routes[0].route;
  assertOnlyIssue(b, "oneof-required", ROUTE);
});

test("unknown @type in an Any, and a v2 type name", () => {
  const b = minimalBootstrap();
  hcmOf(b).http_filters[0].typed_config["@type"] = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Routr";
  assertOnlyIssue(b, "unknown-any-type", `${HCM}.http_filters[0].typed_config.@type`);
  const c = minimalBootstrap();
  delete hcmOf(c).http_filters[0].typed_config["@type"];
  assertOnlyIssue(c, "unknown-any-type", `${HCM}.http_filters[0].typed_config.@type`);
});

test("well-known types: Struct, Value, wrappers and Any holding a wrapper", () => {
  const b = minimalBootstrap();
  b.node = { id: "gw", cluster: "platform", metadata: { any: ["json", 1, { nested: true }] } };
  b.layered_runtime = { layers: [{ name: "static", static_layer: { "overload.global_downstream_max_connections": 1000 } }] };
  clusterOf(b).per_connection_buffer_limit_bytes = 32768;
  assert.deepEqual(validateEnvoyBootstrap(b), []);
  b.node.metadata = ["not", "a", "struct"];
  assertOnlyIssue(b, "wrong-type", "node.metadata");
  const anyOf = (value: unknown) => checkEnvoyMessage("google.protobuf.Any", { "@type": "type.googleapis.com/google.protobuf.UInt32Value", value });
  assert.deepEqual(anyOf(5), []);
  assert.equal(anyOf("five")[0].kind, "wrong-type");
  assert.equal(checkEnvoyMessage("google.protobuf.Any", { "@type": "type.googleapis.com/google.protobuf.Duration", value: "2s", extra: 1 })[0].kind, "unknown-field");
});

test("protoc-gen-validate rules Envoy enforces: port range, empty names, SPKI length", () => {
  const b = minimalBootstrap();
  b.admin.address.socket_address.port_value = 70000;
  assertOnlyIssue(b, "constraint", "admin.address.socket_address.port_value");
  const c = minimalBootstrap();
  hcmOf(c).stat_prefix = "";
  assertOnlyIssue(c, "constraint", `${HCM}.stat_prefix`);
  const d = minimalBootstrap();
  delete clusterOf(d).name;
  assert.ok(kindsAt(d).some((i) => i.kind === "constraint" && i.path === "static_resources.clusters[0].name"));
});

test("protoc-gen-validate rules on wrappers and durations: a zero-token refill, a missing refill interval, a JWKS cache under 1 ms", () => {
  const withRateLimit = (bucket: Record<string, unknown>) => {
    const b = minimalBootstrap();
    hcmOf(b).http_filters.unshift({
      name: "envoy.filters.http.local_ratelimit",
      typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit", stat_prefix: "rl", token_bucket: bucket },
    });
    return b;
  };
  const BUCKET = `${HCM}.http_filters[0].typed_config.token_bucket`;
  assert.deepEqual(validateEnvoyBootstrap(withRateLimit({ max_tokens: 5, tokens_per_fill: 1, fill_interval: "0.2s" })), []);
  assertOnlyIssue(withRateLimit({ max_tokens: 5, tokens_per_fill: 0, fill_interval: "0.2s" }), "constraint", `${BUCKET}.tokens_per_fill`);
  assertOnlyIssue(withRateLimit({ max_tokens: 5, tokens_per_fill: 1 }), "constraint", `${BUCKET}.fill_interval`);
  const jwks = (cache: string) => {
    const b = minimalBootstrap();
    hcmOf(b).http_filters.unshift({
      name: "envoy.filters.http.jwt_authn",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
        providers: { kc: { issuer: "https://id/realms/p", remote_jwks: { http_uri: { uri: "https://id/certs", cluster: "weather", timeout: "2s" }, cache_duration: cache } } },
      },
    });
    return b;
  };
  assert.deepEqual(validateEnvoyBootstrap(jwks("300s")), []);
  assertOnlyIssue(jwks("0.0005s"), "constraint", `${HCM}.http_filters[0].typed_config.providers.kc.remote_jwks.cache_duration`);
});

test("semantic: a route to a cluster that does not exist", () => {
  const b = minimalBootstrap();
  hcmOf(b).route_config.virtual_hosts[0].routes[0].route.cluster = "wether";
  assertOnlyIssue(b, "missing-cluster", `${ROUTE}.route.cluster`);
});

test("semantic: a remote JWKS pointing at an undefined cluster", () => {
  const b = minimalBootstrap();
  hcmOf(b).http_filters.unshift({
    name: "envoy.filters.http.jwt_authn",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
      providers: { kc: { issuer: "https://id/realms/p", remote_jwks: { http_uri: { uri: "https://id/certs", cluster: "keycloak", timeout: "2s" } } } },
    },
  });
  assertOnlyIssue(b, "missing-cluster", `${HCM}.http_filters[0].typed_config.providers.kc.remote_jwks.http_uri.cluster`);
});

test("semantic: SPKI pins must be 44-char base64 of 32 bytes", () => {
  const short = minimalBootstrap();
  tlsOf(short).common_tls_context.validation_context.verify_certificate_spki = ["c2hvcnQ="];
  const kinds = kindsAt(short);
  assert.ok(kinds.some((i) => i.kind === "bad-spki-pin"), JSON.stringify(kinds));
  const pinPath = `${TLS}.common_tls_context.validation_context.verify_certificate_spki[0]`;
  const notBase64 = minimalBootstrap();
  tlsOf(notBase64).common_tls_context.validation_context.verify_certificate_spki = ["!".repeat(43) + "="];
  assertOnlyIssue(notBase64, "bad-spki-pin", pinPath);
  const hex = minimalBootstrap();
  tlsOf(hex).common_tls_context.validation_context.verify_certificate_spki = ["ab".repeat(22)];
  assertOnlyIssue(hex, "bad-spki-pin", pinPath);
});

test("semantic: a downstream chain without pins", () => {
  const b = minimalBootstrap();
  delete tlsOf(b).common_tls_context.validation_context.verify_certificate_spki;
  assertOnlyIssue(b, "bad-spki-pin", `${TLS}.common_tls_context.validation_context.verify_certificate_spki`);
});

test("semantic: no chain without a client-certificate requirement", () => {
  const off = minimalBootstrap();
  tlsOf(off).require_client_certificate = false;
  assertOnlyIssue(off, "client-cert-not-required", `${TLS}.require_client_certificate`);
  const absent = minimalBootstrap();
  delete tlsOf(absent).require_client_certificate;
  assertOnlyIssue(absent, "client-cert-not-required", `${TLS}.require_client_certificate`);
  const plaintext = minimalBootstrap();
  delete chainOf(plaintext).transport_socket;
  assertOnlyIssue(plaintext, "client-cert-not-required", CHAIN);
});

test("semantic: admin only on loopback", () => {
  const b = minimalBootstrap();
  b.admin.address.socket_address.address = "0.0.0.0";
  assertOnlyIssue(b, "admin-not-loopback", "admin.address.socket_address.address");
});

test("deprecated fields are reported", () => {
  const b = minimalBootstrap();
  b.use_tcp_for_dns_lookups = true;
  assertOnlyIssue(b, "deprecated", "use_tcp_for_dns_lookups");
});

test("assertValidEnvoyBootstrap throws an error listing every issue with its path", () => {
  const b = minimalBootstrap();
  clusterOf(b).type = "DNS";
  b.admin.address.socket_address.address = "0.0.0.0";
  assert.throws(() => assertValidEnvoyBootstrap(b), (e: unknown) => {
    assert.ok(e instanceof EnvoyConfigError);
    assert.equal(e.issues.length, 2);
    assert.match(e.message, /static_resources\.clusters\[0\]\.type: \[bad-enum\]/);
    assert.match(e.message, /admin-not-loopback/);
    return true;
  });
});

test("checkEnvoyMessage validates a single message type", () => {
  assert.deepEqual(checkEnvoyMessage("envoy.config.core.v3.SocketAddress", { address: "::1", port_value: 1 }), []);
  assert.equal(checkEnvoyMessage("envoy.config.core.v3.SocketAddress", { address: "::1", port: 1 })[0].kind, "unknown-field");
});
