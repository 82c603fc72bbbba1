// A small, hand-written valid bootstrap that the invariant and real-Envoy tests break one way at a time.
// Its TLS files are where rendered configs expect them (render/hardening.ts TLS_FILES), where
// test/support/real-envoy.ts mounts throwaway material.
import { TLS_FILES } from "../../render/hardening";

const PIN = Buffer.alloc(32, 7).toString("base64");

export function minimalBootstrap(): Record<string, any> {
  return {
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: 9901 } } },
    static_resources: {
      listeners: [
        {
          name: "apps",
          address: { socket_address: { address: "0.0.0.0", port_value: 8443 } },
          filter_chains: [
            {
              filter_chain_match: { source_prefix_ranges: [{ address_prefix: "10.208.0.0", prefix_len: 28 }] },
              transport_socket: {
                name: "envoy.transport_sockets.tls",
                typed_config: {
                  "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
                  require_client_certificate: true,
                  common_tls_context: {
                    tls_params: { tls_minimum_protocol_version: "TLSv1_2" },
                    tls_certificates: [{ certificate_chain: { filename: TLS_FILES.cert }, private_key: { filename: TLS_FILES.key } }],
                    validation_context: { trusted_ca: { filename: TLS_FILES.ca }, verify_certificate_spki: [PIN] },
                  },
                },
              },
              filters: [
                {
                  name: "envoy.filters.network.http_connection_manager",
                  typed_config: {
                    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                    stat_prefix: "app_a",
                    codec_type: "AUTO",
                    stream_idle_timeout: "30s",
                    route_config: {
                      name: "app_a",
                      virtual_hosts: [{ name: "all", domains: ["*"], routes: [{ match: { prefix: "/weather/" }, route: { cluster: "weather", timeout: "5s" } }] }],
                    },
                    http_filters: [{ name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } }],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [
        {
          name: "weather",
          type: "STRICT_DNS",
          connect_timeout: "0.5s",
          load_assignment: {
            cluster_name: "weather",
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: "weather", port_value: 8080 } } } }] }],
          },
        },
      ],
    },
  };
}

/** Path helpers for the fixture above. */
export const chainOf = (b: Record<string, any>) => b.static_resources.listeners[0].filter_chains[0];
export const tlsOf = (b: Record<string, any>) => chainOf(b).transport_socket.typed_config;
export const hcmOf = (b: Record<string, any>) => chainOf(b).filters[0].typed_config;
export const clusterOf = (b: Record<string, any>) => b.static_resources.clusters[0];
