// What a node needs beyond daemon.json, from the requirements themselves (their `provide`), and what an
// operator checks by hand for requirements a task cannot see. Pure.
import type { NodeRequirement } from "../render/swarm/node-requirements";

/** Requirements with no daemon.json key: host settings, labels, or things to keep as they are. */
export function hostSteps(requirements: readonly NodeRequirement[]): string[] {
  return requirements.filter((r) => Object.keys(r.daemonJson).length === 0).map((r) => `${r.id}: ${r.provide}`);
}

/**
 * How to check by hand what no probe covers (a task sees its own process, not the engine's settings).
 * Requirements not listed here fall back to their `provide`.
 */
const MANUAL_CHECKS: Partial<Record<NodeRequirement["id"], string>> = {
  apparmor: "on the node, `docker info --format '{{.SecurityOptions}}'` lists name=apparmor; without it no profile applies",
  "ipc-private": "on the node, `docker inspect -f '{{.HostConfig.IpcMode}}' <a task's container>` shows private (a task cannot tell private from shareable)",
};

export function manualCheck(requirement: NodeRequirement): string {
  return MANUAL_CHECKS[requirement.id] ?? `by hand: ${requirement.provide}`;
}

/** What fixes a failed requirement: its daemon.json keys (with the setup command), else its host step. */
export function fixFor(requirement: NodeRequirement, stack: string): string {
  const keys = Object.keys(requirement.daemonJson);
  if (keys.length === 0) return requirement.provide;
  return `daemon.json ${keys.map((k) => `"${k}"`).join(", ")} (npm run swarm:node-setup -- --stack ${stack} --write on the node, then restart dockerd)`;
}
