// The gateway bootstrap renderer: golden output, the security-relevant structure, and input errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { renderEnvoyBootstrap, renderEnvoyYaml } from "../render/envoy/bootstrap";
import { gatewayLogFormat } from "../render/envoy/access-log";
import { STRONG_CIPHER_SUITES } from "../render/envoy/app-chain";
import { formatDuration, sustainedRate, tokenBucket } from "../render/envoy/rate-limit";
import { checkGatewayInvariants } from "../render/envoy/invariants";
import { assertGolden } from "./support/envoy-golden";
import { sampleGatewayInput, pinOf } from "./support/envoy-inputs";
import { reaches, rbacAllows, routedCluster } from "./support/envoy-rbac-sim";

type Obj = Record<string, any>;
const rendered = () => renderEnvoyBootstrap(sampleGatewayInput()) as Obj;
const chains = (b: Obj): Obj[] => b.static_resources.listeners[0].filter_chains;
const chainOf = (b: Obj, app: string) => chains(b).find((c) => c.name === `app:${app}`)!;
const hcm = (chain: Obj) => chain.filters[0].typed_config;
const filter = (chain: Obj, name: string) => hcm(chain).http_filters.find((f: Obj) => f.name === name).typed_config;
const clusterOf = (b: Obj, name: string) => b.static_resources.clusters.find((c: Obj) => c.name === name);

test("golden: the sample bootstrap renders byte for byte as reviewed", () => {
  assertGolden("envoy/sample-bootstrap.yaml", renderEnvoyYaml(sampleGatewayInput()));
});

test("the YAML text parses back to the rendered object, which holds the gateway's invariants", () => {
  const yamlText = renderEnvoyYaml(sampleGatewayInput());
  const parsed = parse(yamlText);
  assert.deepEqual(parsed, rendered());
  assert.deepEqual(checkGatewayInvariants(parsed), []);
});

test("one filter chain per app, selected by exactly that app's source subnet", () => {
  const b = rendered();
  assert.deepEqual(chains(b).map((c) => c.name), ["app:backup-agent", "app:forecast-widget"]);
  assert.deepEqual(chainOf(b, "forecast-widget").filter_chain_match, { source_prefix_ranges: [{ address_prefix: "10.208.4.16", prefix_len: 28 }] });
  assert.deepEqual(chainOf(b, "backup-agent").filter_chain_match, { source_prefix_ranges: [{ address_prefix: "10.208.9.32", prefix_len: 28 }] });
  assert.equal(b.static_resources.listeners.length, 1, "no other listener an app could reach");
});

test("mTLS per chain: client cert required, platform CA, the app's SPIFFE ID, its own pin, TLS 1.2+ with strong suites", () => {
  const tls = chainOf(rendered(), "forecast-widget").transport_socket.typed_config;
  assert.equal(tls.require_client_certificate, true);
  const ctx = tls.common_tls_context;
  assert.equal(ctx.validation_context.trusted_ca.filename, "/etc/platform/tls/ca.pem");
  assert.deepEqual(ctx.validation_context.match_typed_subject_alt_names, [{ san_type: "URI", matcher: { exact: "spiffe://test.platform.example/app/forecast-widget" } }]);
  assert.deepEqual(ctx.validation_context.verify_certificate_spki, [pinOf(1)]);
  assert.equal(ctx.tls_params.tls_minimum_protocol_version, "TLSv1_2");
  for (const suite of ctx.tls_params.cipher_suites) assert.match(suite, /^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  assert.deepEqual(ctx.tls_params.cipher_suites, STRONG_CIPHER_SUITES);
});

test("JWT: Keycloak issuer, gateway audience, remote JWKS over the identity cluster; token path exempt", () => {
  const b = rendered();
  const jwt = filter(chainOf(b, "forecast-widget"), "envoy.filters.http.jwt_authn");
  const provider = jwt.providers.keycloak;
  assert.equal(provider.issuer, "https://identity.test.platform.example:8443/realms/platform");
  assert.deepEqual(provider.audiences, ["gateway.test.platform.example"]);
  assert.equal(provider.remote_jwks.http_uri.uri, "https://identity.test.platform.example:8443/realms/platform/protocol/openid-connect/certs");
  assert.equal(provider.remote_jwks.http_uri.cluster, "platform.identity");
  assert.ok(clusterOf(b, "platform.identity"));
  assert.deepEqual(jwt.rules, [
    { match: { path: "/realms/platform/protocol/openid-connect/token" } },
    { match: { prefix: "/" }, requires: { provider_name: "keycloak" } },
  ]);
});

test("filter order: rate limit, then JWT, then RBAC, then the router", () => {
  const names = hcm(chainOf(rendered(), "backup-agent")).http_filters.map((f: Obj) => f.name);
  assert.deepEqual(names, ["envoy.filters.http.local_ratelimit", "envoy.filters.http.jwt_authn", "envoy.filters.http.rbac", "envoy.filters.http.router"]);
});

test("RBAC: grants with method, path prefix, the app's cert, its own azp and the service scope; all else denied", () => {
  const chain = chainOf(rendered(), "forecast-widget");
  const peerUri = "spiffe://test.platform.example/app/forecast-widget";
  const jwt = { azp: "forecast-widget", scope: ["service.weather"] };
  const ok = { method: "GET", path: "/weather/v1/forecast/berlin?days=3", peerUri, jwt };
  assert.equal(reaches(chain, ok), "weather");
  assert.equal(rbacAllows(chain, { ...ok, method: "POST" }), false, "method not granted");
  assert.equal(rbacAllows(chain, { ...ok, path: "/weather/v1/admin" }), false, "path not granted");
  assert.equal(rbacAllows(chain, { ...ok, path: "/storage/v1/buckets/backup-agent/x" }), false, "service not granted");
  assert.equal(routedCluster(chain, { ...ok, path: "/storage/v1/buckets/backup-agent/x" }), undefined, "no route to an ungranted service either");
  assert.equal(rbacAllows(chain, { ...ok, jwt: { azp: "backup-agent", scope: ["service.weather"] } }), false, "a token of another app is useless");
  assert.equal(rbacAllows(chain, { ...ok, jwt: { azp: "forecast-widget", scope: [] } }), false, "scope missing");
  assert.equal(rbacAllows(chain, { ...ok, jwt: undefined }), false, "no token");
  assert.equal(rbacAllows(chain, { ...ok, peerUri: "spiffe://test.platform.example/app/backup-agent" }), false, "another app's certificate");
  const token = { method: "POST", path: "/realms/platform/protocol/openid-connect/token", peerUri };
  assert.equal(reaches(chain, token), "platform.identity", "token endpoint without a token");
  assert.equal(rbacAllows(chain, { ...token, method: "GET" }), false);
  assert.equal(rbacAllows(chain, { ...token, path: "/realms/master/protocol/openid-connect/token" }), false, "only our realm");
});

test("RBAC principals: the client certificate through mtls_authenticated (URI SAN), the token through sourced_metadata", () => {
  const chain = chainOf(rendered(), "forecast-widget");
  const policies = filter(chain, "envoy.filters.http.rbac").rules.policies;
  const certIsApp = {
    custom: {
      name: "envoy.rbac.principals.mtls_authenticated",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.rbac.principals.mtls_authenticated.v3.Config",
        san_matcher: { san_type: "URI", matcher: { exact: "spiffe://test.platform.example/app/forecast-widget" } },
      },
    },
  };
  assert.deepEqual(policies["token-endpoint"].principals, [certIsApp]);
  const [cert, azp, scope] = policies["service:weather"].principals[0].and_ids.ids;
  assert.deepEqual(cert, certIsApp);
  assert.deepEqual(azp, { sourced_metadata: { metadata_matcher: { filter: "envoy.filters.http.jwt_authn", path: [{ key: "jwt_payload" }, { key: "azp" }], value: { string_match: { exact: "forecast-widget" } } } } });
  assert.deepEqual(scope.sourced_metadata.metadata_matcher.value, { list_match: { one_of: { string_match: { exact: "service.weather" } } } });
  const legacy = JSON.stringify(policies);
  assert.ok(!legacy.includes('"authenticated"') && !legacy.includes('"metadata":'), "no deprecated or discouraged principal");
});

/** `value` with every node `replace` answers for swapped for its answer. */
function replaceDeep(value: unknown, replace: (node: any) => unknown): any {
  const swapped = replace(value);
  if (swapped !== undefined) return swapped;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, replace));
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, replace)]));
  return value;
}

test("the RBAC simulator depends on the certificate principal: without its SAN check another app's certificate would pass", () => {
  const chain = chainOf(rendered(), "forecast-widget");
  const req = { method: "GET", path: "/weather/v1/current", peerUri: "spiffe://test.platform.example/app/backup-agent", jwt: { azp: "forecast-widget", scope: ["service.weather"] } };
  assert.equal(rbacAllows(chain, req), false);
  let certPrincipals = 0;
  const weakened = replaceDeep(chain, (node) => {
    if (!node?.custom) return undefined;
    certPrincipals++;
    return { custom: { ...node.custom, typed_config: { "@type": node.custom.typed_config["@type"], any_validated_client_certificate: true } } };
  });
  assert.equal(certPrincipals, 2, "one certificate principal per policy (token endpoint, weather)");
  assert.equal(rbacAllows(weakened, req), true, "with any validated certificate, the other app's certificate is let through");
  const legacy = replaceDeep(chain, (node) => (node?.custom ? { authenticated: { principal_name: { exact: "x" } } } : undefined));
  assert.throws(() => rbacAllows(legacy, req), /sim: unsupported principal/, "principals the renderer no longer emits are not modelled");
});

test("internal_address_config: no app is an internal client; a connection limit through the overload manager", () => {
  const b = rendered();
  for (const chain of chains(b)) assert.deepEqual(hcm(chain).internal_address_config, { unix_sockets: false, cidr_ranges: [{ address_prefix: "127.0.0.1", prefix_len: 32 }] }, chain.name);
  assert.equal(b.layered_runtime, undefined, "the runtime key for the connection limit is deprecated");
  assert.deepEqual(b.overload_manager.resource_monitors, [
    {
      name: "envoy.resource_monitors.global_downstream_max_connections",
      typed_config: { "@type": "type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig", max_active_downstream_connections: 10000 },
    },
  ]);
});

test("paths are normalized before RBAC sees them, and escaped slashes are rejected", () => {
  const h = hcm(chainOf(rendered(), "forecast-widget"));
  assert.equal(h.normalize_path, true);
  assert.equal(h.merge_slashes, true);
  assert.equal(h.path_with_escaped_slashes_action, "REJECT_REQUEST");
  assert.equal(h.forward_client_cert_details, "SANITIZE_SET");
});

test("rate limit: a token bucket per app from its rateLimit", () => {
  const b = rendered();
  const fw = filter(chainOf(b, "forecast-widget"), "envoy.filters.http.local_ratelimit");
  assert.deepEqual(fw.token_bucket, { max_tokens: 10, tokens_per_fill: 1, fill_interval: "0.200000000s" });
  assert.equal(fw.filter_enforced.default_value.numerator, 100);
  const ba = filter(chainOf(b, "backup-agent"), "envoy.filters.http.local_ratelimit");
  assert.deepEqual(ba.token_bucket, { max_tokens: 5, tokens_per_fill: 1, fill_interval: "0.400000000s" });
});

test("token buckets: whole tokens, refill no faster than 50 ms, the configured rate, and a clear error for a too-small burst", () => {
  for (const [rps, burst] of [[1, 1], [5, 10], [0.5, 1], [33.3, 40], [10000, 600], [250, 13]] as const) {
    const bucket = tokenBucket(rps, burst);
    assert.ok(Number.isInteger(bucket.tokens_per_fill) && bucket.tokens_per_fill >= 1);
    assert.ok(parseFloat(bucket.fill_interval) >= 0.05 - 1e-9, `${rps}: ${bucket.fill_interval}`);
    assert.ok(bucket.tokens_per_fill <= bucket.max_tokens);
    assert.ok(Math.abs(sustainedRate(bucket) - rps) / rps < 1e-6, `${rps} → ${sustainedRate(bucket)}`);
  }
  assert.throws(() => tokenBucket(10000, 20, "apps.x.rateLimit"), /apps\.x\.rateLimit\.burst 20 is too small .* at least 500/);
  assert.equal(formatDuration(1_000_000_000), "1s");
  assert.equal(formatDuration(1_500_000_000), "1.500000000s");
});

test("access log: JSON on stdout with every field of the gateway contract, the app as a literal", () => {
  const log = hcm(chainOf(rendered(), "backup-agent")).access_log;
  assert.equal(log.length, 1);
  assert.equal(log[0].typed_config["@type"], "type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog");
  const format = log[0].typed_config.log_format.json_format;
  for (const field of ["source", "time", "app", "client", "peer", "method", "path", "service", "status", "flags", "duration_ms"]) assert.ok(field in format, field);
  assert.equal(format.source, "gateway");
  assert.equal(format.app, "backup-agent");
  assert.deepEqual(format, gatewayLogFormat("backup-agent"));
  // single-command values, so Envoy emits status and duration as JSON numbers
  assert.equal(format.status, "%RESPONSE_CODE%");
  assert.equal(format.duration_ms, "%DURATION%");
});

test("upstreams: plain service without TLS; TLS service verified by CA, SPIFFE ID and pin with the gateway's client cert", () => {
  const b = rendered();
  assert.equal(clusterOf(b, "weather").transport_socket, undefined);
  const storage = clusterOf(b, "storage").transport_socket.typed_config;
  assert.equal(storage.sni, "storage");
  assert.deepEqual(storage.common_tls_context.validation_context.match_typed_subject_alt_names, [{ san_type: "URI", matcher: { exact: "spiffe://test.platform.example/service/storage" } }]);
  assert.deepEqual(storage.common_tls_context.validation_context.verify_certificate_spki, [pinOf(3)]);
  assert.equal(storage.common_tls_context.tls_certificates[0].certificate_chain.filename, "/etc/platform/tls/cert.pem");
  const idp = clusterOf(b, "platform.identity");
  assert.deepEqual(idp.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, { address: "10.208.1.4", port_value: 8443 });
  assert.deepEqual(idp.transport_socket.typed_config.common_tls_context.validation_context.match_typed_subject_alt_names, [{ san_type: "DNS", matcher: { exact: "identity.test.platform.example" } }]);
});

test("admin listens on 127.0.0.1 only", () => {
  assert.deepEqual(rendered().admin.address.socket_address, { address: "127.0.0.1", port_value: 9901 });
});

test("inconsistent input is rejected with the field and the fix", () => {
  const unknownService = sampleGatewayInput();
  (unknownService.apps[0].grants as any[]).push({ service: "billing", methods: ["GET"], pathPrefixes: ["/"] });
  assert.throws(() => renderEnvoyBootstrap(unknownService), /apps\.forecast-widget: grant for unknown service "billing" \(services: weather, storage\)/);
  const sharedSubnet = sampleGatewayInput();
  (sharedSubnet.apps[1] as any).sourceSubnet = sharedSubnet.apps[0].sourceSubnet;
  assert.throws(() => renderEnvoyBootstrap(sharedSubnet), /each app needs its own subnet/);
  const badPin = sampleGatewayInput();
  (badPin.apps[0] as any).clientSpkiPin = "not-a-pin";
  assert.throws(() => renderEnvoyBootstrap(badPin), /bad-spki-pin/);
  const badSubnet = sampleGatewayInput();
  (badSubnet.apps[0] as any).sourceSubnet = "10.208.4.16";
  assert.throws(() => renderEnvoyBootstrap(badSubnet), /not in CIDR form/);
});

test("rendering is deterministic and independent of input order", () => {
  const a = sampleGatewayInput();
  const b = sampleGatewayInput();
  (b as any).apps = [...b.apps].reverse();
  (b as any).services = [...b.services].reverse();
  assert.equal(renderEnvoyYaml(a), renderEnvoyYaml(b));
});
