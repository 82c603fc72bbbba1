// Before a deploy: do the stack's networks overlap a network the Docker engine already has? Docker
// refuses such a network, which would stop `pulumi up` halfway. The schema refuses the engine's
// default bridge (172.17.0.0/16) on its own; this asks the engine itself, for a bridge moved by
// daemon.json and for other projects' networks. The stack's own networks (same Docker name) are fine.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { cidrsOverlap, parseCidr } from "../config/cidr";
import { loadStackFile, stackFilePath } from "../config/load";
import { buildPlan } from "../plan/plan";
import { runStackCommand } from "./stack-command";

interface EngineNetwork {
  name: string;
  subnets: string[];
}

/** The engine's networks with their IPv4 subnets (`docker network inspect`). */
export function engineNetworks(docker = "docker"): EngineNetwork[] {
  const ids = execFileSync(docker, ["network", "ls", "--quiet", "--no-trunc"], { encoding: "utf8" }).split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  const inspected = JSON.parse(execFileSync(docker, ["network", "inspect", ...ids], { encoding: "utf8" })) as { Name: string; IPAM?: { Config?: { Subnet?: string }[] | null } }[];
  return inspected.map((n) => ({ name: n.Name, subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? "").filter((s) => parseCidr(s) !== undefined) }));
}

/** `<ours> (<subnet>) overlaps the engine's network <name> (<subnet>)` for every clash. */
export function overlaps(ours: { name: string; subnet: string }[], engine: readonly EngineNetwork[]): string[] {
  const own = new Set(ours.map((n) => n.name));
  return ours.flatMap((network) =>
    engine
      .filter((other) => !own.has(other.name))
      .flatMap((other) => other.subnets.filter((subnet) => cidrsOverlap(parseCidr(network.subnet)!, parseCidr(subnet)!)).map((subnet) => `network ${network.name} (${network.subnet}) overlaps the engine's network ${other.name} (${subnet})`)),
  );
}

function check(stack: string): number {
  const { config } = loadStackFile(stackFilePath(stack, join(__dirname, "..")));
  const plan = buildPlan(config, stack);
  const ours = [...plan.apps.map((a) => a.network), plan.networks.services, plan.networks.identity, plan.networks.outbound].map((n) => ({ name: n.dockerName, subnet: n.subnet }));
  const clashes = overlaps(ours, engineNetworks());
  if (clashes.length === 0) return 0;
  console.error(
    `Pulumi.${stack}.yaml: platform:network.baseCidr ${config.network.baseCidr} overlaps networks the Docker engine already has, and Docker refuses overlapping networks:\n` +
      clashes.map((c) => `  - ${c}`).join("\n") +
      "\nchoose a platform:network.baseCidr outside them (or remove the other networks).",
  );
  return 1;
}

if (require.main === module) {
  runStackCommand("engine-networks", "usage: tsx scripts/engine-networks.ts [STACK]   exits 1 when a network of Pulumi.<STACK>.yaml overlaps one the Docker engine already has (default STACK: dev)", check);
}
