// Upstream clusters: one per service on the services network (mTLS, verified and pinned, when the
// service speaks TLS) and Keycloak on the identity network.
import { IDENTITY_CLUSTER, TLS_PARAMS } from "./app-chain";
import type { GatewayRenderInput, GatewayUpstream } from "./types";

const T = "type.googleapis.com/";

function upstreamTls(input: GatewayRenderInput, sni: string, san: { san_type: "URI" | "DNS"; exact: string }, pin: string | undefined) {
  return {
    name: "envoy.transport_sockets.tls",
    typed_config: {
      "@type": `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
      sni,
      common_tls_context: {
        tls_params: TLS_PARAMS,
        // the gateway's own certificate doubles as its client certificate towards services
        tls_certificates: [{ certificate_chain: { filename: input.tlsFiles.cert }, private_key: { filename: input.tlsFiles.key } }],
        validation_context: {
          trusted_ca: { filename: input.tlsFiles.ca },
          match_typed_subject_alt_names: [{ san_type: san.san_type, matcher: { exact: san.exact } }],
          ...(pin ? { verify_certificate_spki: [pin] } : {}),
        },
      },
    },
  };
}

function endpoint(clusterName: string, host: string, port: number) {
  return {
    cluster_name: clusterName,
    endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: host, port_value: port } } } }] }],
  };
}

const LIMITS = { circuit_breakers: { thresholds: [{ priority: "DEFAULT", max_connections: 1024, max_pending_requests: 1024, max_requests: 1024, max_retries: 3 }] } };

/**
 * A cluster found by name. The gateway is ready without waiting for the first answer: on Swarm a
 * service's or Keycloak's task may not exist yet when a gateway replica starts, and a gateway that waits
 * for it fails its healthcheck and is killed; until the name resolves, requests get 503 from the gateway.
 */
const DNS_CLUSTER = { type: "STRICT_DNS", dns_lookup_family: "V4_ONLY", wait_for_warm_on_init: false } as const;

export function serviceCluster(input: GatewayRenderInput, service: GatewayUpstream): Record<string, unknown> {
  return {
    name: service.name,
    ...DNS_CLUSTER,
    connect_timeout: "1s",
    ...LIMITS,
    load_assignment: endpoint(service.name, service.host, service.port),
    ...(service.tls ? { transport_socket: upstreamTls(input, service.host, { san_type: "URI", exact: service.tls.spiffeId }, service.tls.spkiPin) } : {}),
  };
}

/** An IPv4 literal: Envoy's STATIC clusters take nothing else. */
const IPV4_LITERAL = /^\d{1,3}(\.\d{1,3}){3}$/;

export function identityCluster(input: GatewayRenderInput): Record<string, unknown> {
  const { identity } = input;
  return {
    name: IDENTITY_CLUSTER,
    // Keycloak's static address on one engine; its alias on Swarm, where tasks have no static address
    ...(IPV4_LITERAL.test(identity.address) ? { type: "STATIC" } : DNS_CLUSTER),
    connect_timeout: "1s",
    ...LIMITS,
    load_assignment: endpoint(IDENTITY_CLUSTER, identity.address, identity.port),
    transport_socket: upstreamTls(input, identity.hostname, { san_type: "DNS", exact: identity.hostname }, identity.spkiPin),
  };
}
