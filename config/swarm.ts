// `platform:orchestrator` and `platform:swarm`: which wiring turns the plan into Docker objects, and the
// settings only the Swarm wiring reads (replicas of the proxies, update policy, placement constraints).
import { z } from "zod";
import { boundedNumber, flag } from "./primitives";

export const ORCHESTRATORS = ["engine", "swarm"] as const;
export type Orchestrator = (typeof ORCHESTRATORS)[number];

export const orchestrator = z
  .enum(ORCHESTRATORS, { error: 'expected "engine" (containers on one Docker host) or "swarm" (services on a Docker Swarm cluster)' })
  .default("engine");

/**
 * A Swarm placement constraint as `docker service create --constraint` takes it: a node or engine
 * attribute, `==` or `!=`, a value. Checked here so a typo fails before any service exists (the
 * scheduler would otherwise leave the task pending forever).
 */
export const PLACEMENT_CONSTRAINT = /^(node\.(id|hostname|role|platform\.os|platform\.arch)|(node|engine)\.labels\.[A-Za-z0-9][A-Za-z0-9_.-]{0,127})\s*(==|!=)\s*[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

const constraint = z.string({ error: "expected a placement constraint such as node.role==worker" }).regex(PLACEMENT_CONSTRAINT, {
  error: "expected <attribute>==<value> or <attribute>!=<value>, the attribute one of node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.<name>, engine.labels.<name> (e.g. node.labels.zone==a)",
});
const constraints = z.array(constraint, { error: "expected a list of placement constraints, e.g. [node.role==worker]" }).max(20, { error: "give at most 20 constraints" }).default([]);

/** Placement roles: one list of constraints per kind of workload. */
export const PLACEMENT_ROLES = ["gateway", "egress", "identity", "services", "apps"] as const;
export type PlacementRole = (typeof PLACEMENT_ROLES)[number];

export const swarmConfig = z.strictObject({
  /**
   * IPsec (ESP, AES-GCM) for overlay traffic between nodes. On a kernel without gcm(aes) the engine
   * creates the network but drops every packet between nodes (docs/swarm-test-cluster.md): it fails
   * closed, never falls back to plaintext. `false` is an explicit, logged opt-out for such test hosts.
   */
  encryptOverlays: flag.default(true),
  gatewayReplicas: boundedNumber("gatewayReplicas", 1, 32, { integer: true }).default(2),
  egressReplicas: boundedNumber("egressReplicas", 1, 32, { integer: true }).default(2),
  update: z
    .strictObject({
      /** start-first: the new task is healthy before the old one stops (no gap in the gateway or the proxy) */
      order: z.enum(["start-first", "stop-first"], { error: 'expected "start-first" or "stop-first"' }).default("start-first"),
      /** "continue" is not offered: it would keep rolling out a release whose tasks fail their healthcheck */
      failureAction: z.enum(["rollback", "pause"], { error: 'expected "rollback" or "pause"' }).default("rollback"),
      parallelism: boundedNumber("parallelism", 1, 32, { integer: true }).default(1),
      delaySeconds: boundedNumber("delaySeconds", 0, 3600, { integer: true }).default(5),
      /** how long a new task must stay up and healthy before the update counts it as done */
      monitorSeconds: boundedNumber("monitorSeconds", 1, 3600, { integer: true }).default(15),
    })
    .prefault({}),
  placement: z
    .strictObject(Object.fromEntries(PLACEMENT_ROLES.map((role) => [role, constraints])) as Record<PlacementRole, typeof constraints>)
    .prefault({}),
  /**
   * Constraints for one app, by its name, added to placement.apps (never instead of them): the
   * operator's, not the vendor's (an app manifest cannot choose nodes), e.g. a new app on a
   * quarantine node. Names are checked against platform:apps (config/schema.ts).
   */
  appPlacement: z
    .record(z.string(), constraints, { error: "expected app names mapped to lists of placement constraints, e.g. { forecast-widget: [node.labels.quarantine==true] }" })
    .default({}),
});

export type SwarmConfig = z.output<typeof swarmConfig>;

/** An app's constraints: the apps' placement, then its own, each once, in that order. */
export function appConstraints(swarm: Pick<SwarmConfig, "placement" | "appPlacement">, app: string): string[] {
  return [...new Set([...swarm.placement.apps, ...(swarm.appPlacement[app] ?? [])])];
}

/** The Swarm settings with every default filled in (what the Swarm wiring reads when `platform:swarm` is absent). */
export function swarmSettings(config: { swarm?: SwarmConfig }): SwarmConfig {
  return config.swarm ?? swarmConfig.parse({});
}

/** Addresses Docker can hand out in a subnet: all but the network, broadcast and gateway addresses. */
export function usableAddresses(prefixLength: number): number {
  return 2 ** (32 - prefixLength) - 3;
}

/**
 * The most addresses the tasks on one overlay network can hold at once: every replica, one extra per
 * service while a start-first update (or rollback) runs `parallelism` new tasks beside the old ones,
 * and one load-balancer address per node that has a task on the network (Swarm gives each such node
 * one; there are at most as many such nodes as tasks).
 */
export function overlayAddressNeed(replicasPerService: readonly number[], update: SwarmConfig["update"]): number {
  const surge = update.order === "start-first" ? update.parallelism : 0;
  const tasks = replicasPerService.reduce((sum, replicas) => sum + replicas + surge, 0);
  return 2 * tasks;
}
