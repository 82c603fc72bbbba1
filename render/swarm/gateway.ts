// The gateway's renderer input on Swarm: the engine wiring's, with Keycloak reached by its alias on the
// identity network (tasks have no static address), which makes its Envoy cluster STRICT_DNS, and each
// app's rate limit shared out between the gateway's replicas.
import { swarmSettings } from "../../config/swarm";
import type { PlatformPlan } from "../../plan/plan";
import { gatewayInput, GatewayPins } from "../envoy/from-plan";
import type { GatewayRenderInput } from "../envoy/types";
import { staticAddressAliases } from "./addresses";

type RateLimit = GatewayRenderInput["apps"][number]["rateLimit"];

/**
 * Envoy's local rate limit is a bucket per gateway process, and there is no shared one without an
 * external rate-limit service. So each replica gets 1/replicas of the app's rate and of its burst (at
 * least one token): together the replicas never let through more than the app declared (the burst
 * can reach `replicas` when it is smaller than that). An app whose connections all land on one
 * replica gets that replica's share; DNS round robin spreads new connections over the replicas.
 */
export function perReplicaRateLimit(rateLimit: RateLimit, replicas: number): RateLimit {
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`perReplicaRateLimit: replicas must be a positive integer, got ${replicas}`);
  return { requestsPerSecond: rateLimit.requestsPerSecond / replicas, burst: Math.max(1, Math.floor(rateLimit.burst / replicas)) };
}

export function swarmGatewayInput(plan: PlatformPlan, pins: GatewayPins): GatewayRenderInput {
  const input = gatewayInput(plan, pins);
  const alias = staticAddressAliases(plan).get(input.identity.address);
  if (!alias) throw new Error(`gateway: Keycloak's address ${input.identity.address} has no alias on the identity network`);
  const replicas = swarmSettings(plan.config).gatewayReplicas;
  return {
    ...input,
    identity: { ...input.identity, address: alias },
    apps: input.apps.map((app) => ({ ...app, rateLimit: perReplicaRateLimit(app.rateLimit, replicas) })),
  };
}
