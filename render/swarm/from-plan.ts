// The whole stack in its Swarm form, from the same plan and the same container renderers as the
// engine wiring: overlay networks, one service per workload with the files it gets as secrets and
// configs, and what every node must provide. Pure: the wiring (components/) creates the objects.
import { appConstraints, swarmSettings, type SwarmConfig } from "../../config/swarm";
import type { PlatformPlan } from "../../plan/plan";
import { gatewayContainer } from "../envoy/from-plan";
import { ContainerInputs, FileUpload } from "../hardening";
import { databaseContainer, identityContainer } from "../keycloak/from-plan";
import { egressContainer } from "../squid/container";
import { appFiles, databaseFiles, gatewayFiles, identityFiles, serviceFiles } from "../workload-files";
import { appContainer, serviceContainer } from "../workloads";
import { envWithAliases, staticAddressAliases } from "./addresses";
import { swarmFileRef } from "./files";
import { overlayNetworks } from "./networks";
import { nodeDaemonJson, nodeRequirements, NodeRequirement } from "./node-requirements";
import { swarmService } from "./service";
import type { OverlayNetworkInputs, SwarmFileRef, SwarmServiceInputs } from "./types";

export interface SwarmWorkload {
  role: "app" | "service" | "gateway" | "egress" | "identity" | "database";
  /** the app's or service's name; the role for the platform's own workloads */
  key: string;
  service: SwarmServiceInputs;
  /** secrets and configs the service mounts; the wiring creates them from the content it holds */
  files: SwarmFileRef[];
  /** the container the engine wiring would run (for checks that compare the two wirings) */
  container: ContainerInputs;
}

export interface SwarmStack {
  networks: OverlayNetworkInputs[];
  workloads: SwarmWorkload[];
  nodeRequirements: NodeRequirement[];
  /** the daemon.json keys every node needs */
  daemonJson: Record<string, unknown>;
}

/** Only the paths, owners and modes of the uploads matter here; contents stay with the wiring. */
const NO_TLS = { ca: "", cert: "", key: "" };

const refs = (uploads: FileUpload<unknown>[]) => uploads.map(swarmFileRef);

/** Workloads in the order they start: apps and services, the database, Keycloak, then the proxies. */
export function swarmStack(plan: PlatformPlan): SwarmStack {
  if (plan.config.orchestrator !== "swarm") throw new Error("swarmStack: platform:orchestrator is not swarm");
  const swarm = swarmSettings(plan.config);
  const aliases = staticAddressAliases(plan);
  const workloads: SwarmWorkload[] = [];
  const add = (
    role: SwarmWorkload["role"],
    key: string,
    container: ContainerInputs & { entrypoints?: string[] },
    files: SwarmFileRef[],
    constraints: string[],
    replicas: number,
    update: SwarmConfig["update"] = swarm.update,
  ) => {
    const swarmed = { ...container, envs: envWithAliases(container.envs, aliases) };
    const service = swarmService(swarmed, { replicas, constraints, update, spread: replicas > 1 });
    workloads.push({ role, key, service, files, container });
  };

  for (const app of plan.apps) {
    add("app", app.config.name, appContainer(plan, app), refs(appFiles(app, { ...NO_TLS, oauthClientSecret: "" })), appConstraints(swarm, app.config.name), app.config.replicas ?? 1);
  }
  for (const service of plan.services) {
    add("service", service.config.name, serviceContainer(plan, service), refs(serviceFiles(service, NO_TLS)), swarm.placement.services, 1);
  }
  const postgres = plan.config.identity.database.kind === "postgres";
  if (postgres) {
    // two PostgreSQL servers on one data directory corrupt it: the old task stops before the new one starts
    add("database", "database", databaseContainer(plan), refs(databaseFiles({ dbPassword: "" })), swarm.placement.identity, 1, { ...swarm.update, order: "stop-first" });
  }
  add("identity", "identity", identityContainer(plan), refs(identityFiles(plan, { ...NO_TLS, realm: "", adminPassword: "", dbPassword: "" })), swarm.placement.identity, 1);

  add("gateway", "gateway", gatewayContainer(plan), refs(gatewayFiles({ ...NO_TLS, envoyConfig: "" })), swarm.placement.gateway, swarm.gatewayReplicas);
  const egress = egressContainer(plan);
  add("egress", "egress", egress.spec, refs(egress.uploads), swarm.placement.egress, swarm.egressReplicas);

  const requirements = nodeRequirements(workloads.map((w) => w.container));
  return { networks: overlayNetworks(plan, swarm), workloads, nodeRequirements: requirements, daemonJson: nodeDaemonJson(requirements) };
}
