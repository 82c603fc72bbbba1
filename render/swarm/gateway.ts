// The gateway's renderer input on Swarm: the engine wiring's, with Keycloak reached by its alias on the
// identity network (tasks have no static address), which makes its Envoy cluster STRICT_DNS.
import type { PlatformPlan } from "../../plan/plan";
import { gatewayInput, GatewayPins } from "../envoy/from-plan";
import type { GatewayRenderInput } from "../envoy/types";
import { staticAddressAliases } from "./addresses";

export function swarmGatewayInput(plan: PlatformPlan, pins: GatewayPins): GatewayRenderInput {
  const input = gatewayInput(plan, pins);
  const alias = staticAddressAliases(plan).get(input.identity.address);
  if (!alias) throw new Error(`gateway: Keycloak's address ${input.identity.address} has no alias on the identity network`);
  return { ...input, identity: { ...input.identity, address: alias } };
}
