// Docker network arguments as plain data, from the plan.
import type { NetworkPlan, PlatformPlan } from "../plan/plan";
import { PLATFORM_LABEL } from "../plan/names";

interface NetworkInputs {
  name: string;
  driver: "bridge";
  internal: boolean;
  attachable: false;
  ipamConfigs: { subnet: string; gateway: string; ipRange: string }[];
  options: Record<string, string>;
  labels: { label: string; value: string }[];
}

/**
 * App, services and identity networks are internal (no route off the host). Containers on one
 * network may talk to each other (the app must reach the gateway and the proxy), so every app gets
 * a network of its own; the outbound network holds only the egress proxy and disables ICC.
 */
export function networkInputs(plan: PlatformPlan, network: NetworkPlan): NetworkInputs {
  const kind = network.key.startsWith("app:") ? "app" : network.key;
  const labels: Record<string, string> = {
    [PLATFORM_LABEL.stack]: plan.stack,
    [PLATFORM_LABEL.network]: kind,
    ...(kind === "app" ? { [PLATFORM_LABEL.app]: network.key.slice("app:".length) } : {}),
  };
  return {
    name: network.dockerName,
    driver: "bridge",
    internal: network.internal,
    attachable: false,
    ipamConfigs: [{ subnet: network.subnet, gateway: network.bridgeGateway, ipRange: network.ipRange }],
    options: {
      // An internal network's bridge gets no host address, so its containers cannot reach services
      // listening on the Docker host itself (Docker does not filter that path; found by the sandbox).
      ...(network.internal ? { "com.docker.network.bridge.inhibit_ipv4": "true" } : {}),
      "com.docker.network.bridge.enable_icc": kind === "outbound" ? "false" : "true",
      "com.docker.network.bridge.enable_ip_masquerade": network.internal ? "false" : "true",
      // a port published by mistake is never bound on the host's public interfaces
      "com.docker.network.bridge.host_binding_ipv4": "127.0.0.1",
    },
    labels: Object.entries(labels)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([label, value]) => ({ label, value })),
  };
}
