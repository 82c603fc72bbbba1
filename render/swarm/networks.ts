// Overlay network arguments as plain data: the Swarm form of render/networks.ts, one network per
// app from the same subnet plan, so the source subnet still tells the proxies which app is calling.
import type { SwarmConfig } from "../../config/swarm";
import type { NetworkPlan, PlatformPlan } from "../../plan/plan";
import { networkInputs } from "../networks";
import type { OverlayNetworkInputs } from "./types";

/** The driver option that turns on IPsec (ESP) between nodes for an overlay network. */
export const ENCRYPTED_OPTION = "encrypted";

/**
 * Internal (except outbound), not attachable (only the platform's services join, never a container
 * started by hand), the plan's subnet with no ipRange (Swarm hands out every address dynamically:
 * tasks cannot have static IPs, moby#24170), and encrypted between nodes unless the stack opted out.
 * The bridge options of the engine wiring (ICC, masquerade, host binding) do not exist for overlays.
 */
export function overlayNetworkInputs(plan: PlatformPlan, network: NetworkPlan, swarm: Pick<SwarmConfig, "encryptOverlays">): OverlayNetworkInputs {
  const bridge = networkInputs(plan, network);
  return {
    name: bridge.name,
    driver: "overlay",
    internal: network.internal,
    attachable: false,
    ipamConfigs: [{ subnet: network.subnet, gateway: network.bridgeGateway }],
    // Docker's own form of `docker network create --opt encrypted`: the key with an empty value
    options: swarm.encryptOverlays ? { [ENCRYPTED_OPTION]: "" } : {},
    labels: bridge.labels,
  };
}

/** Every network of the stack: one per app, then services, identity and outbound. */
export function overlayNetworks(plan: PlatformPlan, swarm: Pick<SwarmConfig, "encryptOverlays">): OverlayNetworkInputs[] {
  return [...plan.apps.map((app) => app.network), plan.networks.services, plan.networks.identity, plan.networks.outbound].map((network) => overlayNetworkInputs(plan, network, swarm));
}
