// The gateway's whole Envoy v3 bootstrap (static resources only) from the narrow input.
// How apps address things through the gateway (see docs/gateway.md):
//   https://<gateway ip in the app's subnet>:<listenPort>/<service>/<path at the service>
//   POST https://<gateway ip>:<listenPort>/realms/<realm>/protocol/openid-connect/token  (Keycloak)
import { stringify } from "yaml";
import { appFilterChain } from "./app-chain";
import { identityCluster, serviceCluster } from "./clusters";
import type { GatewayRenderInput } from "./types";
import { assertGatewayInvariants } from "./invariants";

const GATEWAY_LISTENER = "apps";

function checkInput(input: GatewayRenderInput): void {
  const problems: string[] = [];
  const services = new Set<string>();
  for (const s of input.services) {
    if (services.has(s.name)) problems.push(`services: ${s.name} is listed twice`);
    services.add(s.name);
  }
  const apps = new Set<string>();
  const subnets = new Map<string, string>();
  for (const app of input.apps) {
    if (apps.has(app.name)) problems.push(`apps: ${app.name} is listed twice`);
    apps.add(app.name);
    const other = subnets.get(app.sourceSubnet);
    if (other) problems.push(`apps.${app.name}.sourceSubnet ${app.sourceSubnet} is also ${other}'s: each app needs its own subnet`);
    subnets.set(app.sourceSubnet, app.name);
    for (const grant of app.grants) {
      if (!services.has(grant.service)) problems.push(`apps.${app.name}: grant for unknown service ${JSON.stringify(grant.service)} (services: ${[...services].join(", ") || "none"})`);
    }
  }
  if (problems.length > 0) throw new Error(`gateway input is inconsistent:\n  ${problems.join("\n  ")}`);
}

/** The bootstrap as a plain object (the YAML/JSON form Envoy reads). Throws when it would be invalid. */
export function renderEnvoyBootstrap(input: GatewayRenderInput): Record<string, unknown> {
  checkInput(input);
  const apps = [...input.apps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const bootstrap = {
    node: { id: "platform-gateway", cluster: "platform-gateway" },
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: input.adminPort } } },
    static_resources: {
      listeners: [
        {
          name: GATEWAY_LISTENER,
          address: { socket_address: { address: "0.0.0.0", port_value: input.listenPort } },
          per_connection_buffer_limit_bytes: 32768,
          filter_chains: apps.map((app) => appFilterChain(input, app)),
        },
      ],
      clusters: [...[...input.services].sort((a, b) => (a.name < b.name ? -1 : 1)).map((s) => serviceCluster(input, s)), identityCluster(input)],
    },
    // Envoy's recommended edge limit (the runtime key for it is deprecated); without it Envoy warns and
    // accepts unbounded connections.
    overload_manager: {
      resource_monitors: [
        {
          name: "envoy.resource_monitors.global_downstream_max_connections",
          typed_config: { "@type": "type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig", max_active_downstream_connections: 10000 },
        },
      ],
    },
  };
  assertGatewayInvariants(bootstrap);
  return bootstrap;
}

export function renderEnvoyYaml(input: GatewayRenderInput): string {
  return "# Rendered by render/envoy/bootstrap.ts: do not edit.\n" + stringify(renderEnvoyBootstrap(input), { lineWidth: 0, aliasDuplicateObjects: false, version: "1.1" });
}
