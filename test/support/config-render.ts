// Everything the platform renders from a validated config, as the downstream parsers get it: squid.conf,
// the Envoy bootstrap, the realm, every Docker name (containers, their upload seeds, volumes, networks).
// And the wording every config problem must have.
import assert from "node:assert/strict";
import { ConfigError } from "../../config/errors";
import { parsePlatformConfig } from "../../config/load";
import type { PlatformConfig } from "../../config/schema";
import { buildPlan } from "../../plan/plan";
import { ContainerInputs, seedContainer } from "../../render/hardening";
import { renderEnvoyYaml } from "../../render/envoy/bootstrap";
import { gatewayContainer, gatewayInput } from "../../render/envoy/from-plan";
import { databaseContainer, identityContainer, realmInput } from "../../render/keycloak/from-plan";
import { renderRealm } from "../../render/keycloak/realm";
import { monitorContainer } from "../../render/monitor/container";
import { egressContainer } from "../../render/squid";
import { appContainer, serviceContainer } from "../../render/workloads";
import { minimalConfig } from "./stack-config";

/** The problems of minimalConfig() after `mutate` (none when it is accepted); anything but a ConfigError fails. */
export function configProblems(mutate: (config: Record<string, any>) => void): { path: string; message: string }[] {
  const config = minimalConfig();
  mutate(config);
  try {
    parsePlatformConfig(config);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems;
  }
  return [];
}

/** A well-formed SPKI pin (base64 of 32 bytes): the real ones exist only once keys are generated. */
export const PLACEHOLDER_PIN = Buffer.alloc(32, 7).toString("base64");

export interface RenderedPlatform {
  squidConf: string;
  envoyYaml: string;
  realm: ReturnType<typeof renderRealm>;
  containers: ContainerInputs[];
  /** Docker names by kind: names must be unique within a kind */
  dockerNames: { containers: string[]; networks: string[]; volumes: string[] };
}

export function renderPlatform(config: PlatformConfig, stack = "props"): RenderedPlatform {
  const plan = buildPlan(config, stack);
  const pins = {
    apps: Object.fromEntries(plan.apps.map((a) => [a.config.name, PLACEHOLDER_PIN])),
    services: Object.fromEntries(plan.services.map((s) => [s.config.name, PLACEHOLDER_PIN])),
    identity: PLACEHOLDER_PIN,
  };
  const egress = egressContainer(plan);
  const workloads: ContainerInputs[] = [
    ...plan.apps.map((app) => appContainer(plan, app)),
    ...plan.services.map((service) => serviceContainer(plan, service)),
    gatewayContainer(plan),
    egress.spec,
    identityContainer(plan),
    ...(config.identity.database.kind === "postgres" ? [databaseContainer(plan)] : []),
    ...(config.monitor.enabled ? [monitorContainer(plan).spec as ContainerInputs] : []),
  ];
  const seeds = workloads.map((w) => seedContainer(w));
  return {
    squidConf: egress.config,
    envoyYaml: renderEnvoyYaml(gatewayInput(plan, pins)),
    realm: renderRealm(realmInput(plan)),
    containers: workloads,
    dockerNames: {
      containers: [...workloads, ...seeds].map((c) => c.name),
      networks: [...plan.apps.map((a) => a.network), plan.networks.services, plan.networks.identity, plan.networks.outbound].map((n) => n.dockerName),
      volumes: [...new Set(workloads.flatMap((w) => w.volumes.map((v) => v.volumeName)))],
    },
  };
}

/** Docker's rule for container, volume and network names. */
export const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Names that occur more than once in a list. */
export function repeated(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(names.filter((n) => (seen.has(n) ? true : (seen.add(n), false))))];
}

/** A config path as config/errors.ts formats it: `platform:apps[0].egress[1]`, never `apps.0.egress.1`. */
const CONFIG_PATH = /^(platform|app):([A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\["[^"]*"\])?(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*$/;
/** zod's own phrasing, which must never reach a user. */
const RAW_ZOD = /Invalid input|Too small|Too big|Invalid (string|option|element|key)|Unrecognized key|expected (array|string|number|object|int) to have|[<>]=|\breceived\b|^Required$/;

/** What is wrong with the wording of config problems (empty when every one is right). */
export function wordingFaults(problems: readonly { path: string; message: string }[]): string[] {
  return problems.flatMap((p) => [
    ...(CONFIG_PATH.test(p.path) ? [] : [`path ${JSON.stringify(p.path)} is not in platform:a.b[0] form`]),
    // what the user wrote is quoted in a message and may say anything: only our own words are judged
    ...(RAW_ZOD.test(p.message.replace(/"(?:[^"\\]|\\.)*"/g, '""')) ? [`${p.path}: raw zod wording: ${p.message}`] : []),
    ...(p.message.trim() === "" ? [`${p.path}: empty message`] : []),
  ]);
}
