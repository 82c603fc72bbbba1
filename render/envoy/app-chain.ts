// One filter chain per app, selected by the app's source subnet. Every request in it must pass, in
// order: mTLS with the app's own pinned certificate, the app's token bucket, a Keycloak JWT issued to
// this app, and RBAC over the app's grants (deny by default).
import { oidcEndpoints, serviceScope } from "../keycloak/oidc";
import { stdoutJsonAccessLog } from "./access-log";
import { tokenBucket } from "./rate-limit";
import type { GatewayApp, GatewayRenderInput } from "./types";

const T = "type.googleapis.com/";
const JWT_PROVIDER = "keycloak";
const JWT_PAYLOAD_KEY = "jwt_payload";
export const IDENTITY_CLUSTER = "platform.identity";
const APP_HEADER = "x-platform-app";

/** TLS 1.2 suites with forward secrecy and AEAD only (TLS 1.3 suites are fixed and all strong). */
export const STRONG_CIPHER_SUITES = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-RSA-CHACHA20-POLY1305",
];

export const TLS_PARAMS = {
  tls_minimum_protocol_version: "TLSv1_2",
  tls_maximum_protocol_version: "TLSv1_3",
  cipher_suites: STRONG_CIPHER_SUITES,
  ecdh_curves: ["X25519", "P-256"],
};

/** Path prefix through which an app reaches a service: `/<service>/`. */
function servicePathPrefix(service: string): string {
  return `/${service}/`;
}

/** The external path prefix (what the app sends) for a grant's path prefix at the service. */
export function externalPathPrefix(service: string, prefixAtService: string): string {
  return `/${service}${prefixAtService}`;
}

function splitCidr(cidr: string): { address_prefix: string; prefix_len: number } {
  const [address, length] = cidr.split("/");
  if (!address || length === undefined || !/^\d+$/.test(length)) throw new Error(`source subnet ${JSON.stringify(cidr)} is not in CIDR form (a.b.c.d/n)`);
  return { address_prefix: address, prefix_len: Number(length) };
}

function downstreamTls(input: GatewayRenderInput, app: GatewayApp) {
  return {
    name: "envoy.transport_sockets.tls",
    typed_config: {
      "@type": `${T}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
      require_client_certificate: true,
      // a resumed session must not skip this chain's certificate checks
      disable_stateless_session_resumption: true,
      disable_stateful_session_resumption: true,
      common_tls_context: {
        tls_params: TLS_PARAMS,
        alpn_protocols: ["h2", "http/1.1"],
        tls_certificates: [{ certificate_chain: { filename: input.tlsFiles.cert }, private_key: { filename: input.tlsFiles.key } }],
        validation_context: {
          trusted_ca: { filename: input.tlsFiles.ca },
          match_typed_subject_alt_names: [{ san_type: "URI", matcher: { exact: app.spiffeId } }],
          verify_certificate_spki: [app.clientSpkiPin],
        },
      },
    },
  };
}

function exact(value: string) {
  return { exact: value };
}

function methodIs(methods: readonly string[]) {
  const rules = methods.map((m) => ({ header: { name: ":method", string_match: exact(m) } }));
  return rules.length === 1 ? rules[0] : { or_rules: { rules } };
}

// RBAC `metadata` principals are deprecated (Envoy 1.33) for `sourced_metadata`, which reads the same
// dynamic metadata the jwt_authn filter writes.
function jwtClaimIs(claim: string, value: string) {
  return {
    sourced_metadata: {
      metadata_matcher: { filter: "envoy.filters.http.jwt_authn", path: [{ key: JWT_PAYLOAD_KEY }, { key: claim }], value: { string_match: exact(value) } },
    },
  };
}

function jwtScopeIncludes(scope: string) {
  return {
    sourced_metadata: {
      metadata_matcher: { filter: "envoy.filters.http.jwt_authn", path: [{ key: JWT_PAYLOAD_KEY }, { key: "scope" }], value: { list_match: { one_of: { string_match: exact(scope) } } } },
    },
  };
}

/** The client certificate's URI SAN is the app's SPIFFE ID (`authenticated` is discouraged since 1.34). */
function certificateIs(spiffeId: string) {
  return {
    custom: {
      name: "envoy.rbac.principals.mtls_authenticated",
      typed_config: { "@type": `${T}envoy.extensions.rbac.principals.mtls_authenticated.v3.Config`, san_matcher: { san_type: "URI", matcher: exact(spiffeId) } },
    },
  };
}

/** RBAC policies: the token endpoint, then one policy per granted service. Nothing else is allowed. */
function rbacPolicies(input: GatewayRenderInput, app: GatewayApp): Record<string, unknown> {
  const { tokenPath } = oidcEndpoints(input.identity);
  const certIsApp = certificateIs(app.spiffeId);
  const policies: Record<string, unknown> = {
    "token-endpoint": {
      permissions: [{ and_rules: { rules: [methodIs(["POST"]), { url_path: { path: exact(tokenPath) } }] } }],
      principals: [certIsApp],
    },
  };
  for (const grant of app.grants) {
    const paths = grant.pathPrefixes.map((p) => ({ url_path: { path: { prefix: externalPathPrefix(grant.service, p) } } }));
    policies[`service:${grant.service}`] = {
      permissions: [{ and_rules: { rules: [methodIs(grant.methods), paths.length === 1 ? paths[0] : { or_rules: { rules: paths } }] } }],
      principals: [{ and_ids: { ids: [certIsApp, jwtClaimIs("azp", app.name), jwtScopeIncludes(serviceScope(grant.service))] } }],
    };
  }
  return policies;
}

function httpFilters(input: GatewayRenderInput, app: GatewayApp): Record<string, unknown>[] {
  const oidc = oidcEndpoints(input.identity);
  const everything = { runtime_key: `gateway.rate_limit.${app.name}`, default_value: { numerator: 100, denominator: "HUNDRED" } };
  return [
    {
      name: "envoy.filters.http.local_ratelimit",
      typed_config: {
        "@type": `${T}envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit`,
        stat_prefix: `app_${app.name.replace(/-/g, "_")}`,
        token_bucket: tokenBucket(app.rateLimit.requestsPerSecond, app.rateLimit.burst, `apps.${app.name}.rateLimit`),
        filter_enabled: everything,
        filter_enforced: everything,
        response_headers_to_add: [{ append_action: "OVERWRITE_IF_EXISTS_OR_ADD", header: { key: "x-platform-rate-limited", value: "true" } }],
      },
    },
    {
      name: "envoy.filters.http.jwt_authn",
      typed_config: {
        "@type": `${T}envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication`,
        providers: {
          [JWT_PROVIDER]: {
            issuer: oidc.issuer,
            audiences: [input.identity.audience],
            require_expiration: true,
            clock_skew_seconds: 30,
            remote_jwks: {
              http_uri: { uri: oidc.jwksUri, cluster: IDENTITY_CLUSTER, timeout: "2s" },
              cache_duration: "300s",
              // fetch the keys at startup without holding the listener (the token route must work while Keycloak starts)
              async_fetch: { fast_listener: true, failed_refetch_duration: "5s" },
              retry_policy: { num_retries: 3 },
            },
            // the token stays at the gateway; services learn the caller from x-platform-app and XFCC
            forward: false,
            payload_in_metadata: JWT_PAYLOAD_KEY,
            normalize_payload_in_metadata: { space_delimited_claims: ["scope"] },
          },
        },
        rules: [
          { match: { path: oidc.tokenPath } },
          { match: { prefix: "/" }, requires: { provider_name: JWT_PROVIDER } },
        ],
      },
    },
    {
      name: "envoy.filters.http.rbac",
      typed_config: {
        "@type": `${T}envoy.extensions.filters.http.rbac.v3.RBAC`,
        rules: { action: "ALLOW", policies: rbacPolicies(input, app) },
      },
    },
    { name: "envoy.filters.http.router", typed_config: { "@type": `${T}envoy.extensions.filters.http.router.v3.Router` } },
  ];
}

function routes(input: GatewayRenderInput, app: GatewayApp): Record<string, unknown>[] {
  const oidc = oidcEndpoints(input.identity);
  const tokenRoute = {
    name: "token",
    match: { path: oidc.tokenPath, headers: [{ name: ":method", string_match: exact("POST") }] },
    route: { cluster: IDENTITY_CLUSTER, host_rewrite_literal: input.identity.hostname, timeout: "10s" },
  };
  const serviceRoutes = [...new Set(app.grants.map((g) => g.service))].sort().map((service) => ({
    name: `service:${service}`,
    match: { prefix: servicePathPrefix(service) },
    route: { cluster: service, prefix_rewrite: "/", timeout: "30s" },
  }));
  return [tokenRoute, ...serviceRoutes];
}

export function appFilterChain(input: GatewayRenderInput, app: GatewayApp): Record<string, unknown> {
  return {
    name: `app:${app.name}`,
    filter_chain_match: { source_prefix_ranges: [splitCidr(app.sourceSubnet)] },
    transport_socket: downstreamTls(input, app),
    filters: [
      {
        name: "envoy.filters.network.http_connection_manager",
        typed_config: {
          "@type": `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
          stat_prefix: `app_${app.name.replace(/-/g, "_")}`,
          codec_type: "AUTO",
          use_remote_address: true,
          // Every app is an external client: Envoy then strips the x-envoy-* headers an app sends (timeouts,
          // retries, original path, request id) and never marks its requests internal. An EMPTY
          // cidr_ranges falls back to "every RFC 1918 address is internal" (found by test/gateway-e2e), so
          // the list names loopback alone, which no app can be.
          internal_address_config: { unix_sockets: false, cidr_ranges: [{ address_prefix: "127.0.0.1", prefix_len: 32 }] },
          // RBAC sees the normalized path: no "..", "//" or %2F tricks around a path grant
          normalize_path: true,
          merge_slashes: true,
          path_with_escaped_slashes_action: "REJECT_REQUEST",
          forward_client_cert_details: "SANITIZE_SET",
          set_current_client_cert_details: { uri: true },
          stream_idle_timeout: "30s",
          request_timeout: "60s",
          common_http_protocol_options: { idle_timeout: "300s", headers_with_underscores_action: "REJECT_REQUEST" },
          access_log: [stdoutJsonAccessLog(app.name)],
          route_config: {
            name: `app:${app.name}`,
            virtual_hosts: [
              {
                name: `app:${app.name}`,
                domains: ["*"],
                routes: routes(input, app),
                request_headers_to_add: [{ append_action: "OVERWRITE_IF_EXISTS_OR_ADD", header: { key: APP_HEADER, value: app.name } }],
              },
            ],
          },
          http_filters: httpFilters(input, app),
        },
      },
    ],
  };
}
