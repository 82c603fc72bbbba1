// Swarm tasks have no static addresses (moby#24170): whatever the engine wiring tells a workload by
// address (HTTP_PROXY=http://<egress IP>:3128, the gateway URL, the database URL) it is told by the
// alias the target has on the same network instead.
import { infraAddress, type PlatformPlan } from "../../plan/plan";
import { EGRESS_ALIAS } from "../squid/container";

export const GATEWAY_ALIAS = "gateway";
const IDENTITY_ALIAS = "identity";
const DATABASE_ALIAS = "identity-db";

/** Every static address of the plan → the alias its holder has on that network. */
export function staticAddressAliases(plan: PlatformPlan): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const app of plan.apps) {
    aliases.set(app.ip, app.config.name);
    aliases.set(app.gatewayIp, GATEWAY_ALIAS);
    aliases.set(app.egressIp, EGRESS_ALIAS);
  }
  const { services, identity, outbound } = plan.networks;
  aliases.set(infraAddress(services, "gateway"), GATEWAY_ALIAS);
  aliases.set(infraAddress(identity, "gateway"), GATEWAY_ALIAS);
  aliases.set(infraAddress(identity, "identity"), IDENTITY_ALIAS);
  aliases.set(infraAddress(identity, "database"), DATABASE_ALIAS);
  aliases.set(infraAddress(outbound, "egress"), EGRESS_ALIAS);
  return aliases;
}

const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g;

/** Host lists that name the gateway by address and by alias would name it twice once both are aliases. */
const HOST_LISTS = new Set(["NO_PROXY", "no_proxy"]);

/** `NAME=value` entries with every static address of the plan replaced by its alias. */
export function envWithAliases(envs: readonly string[], aliases: ReadonlyMap<string, string>): string[] {
  return envs.map((entry) => {
    const replaced = entry.replace(IPV4, (address) => aliases.get(address) ?? address);
    const at = replaced.indexOf("=");
    const name = replaced.slice(0, at);
    return HOST_LISTS.has(name) ? `${name}=${[...new Set(replaced.slice(at + 1).split(","))].join(",")}` : replaced;
  });
}
