import { z } from "zod";
import { stackRule } from "../rule";
import { describeNetwork, topology } from "./topology";

export const appNetworkMembers = stackRule({
  id: "stack-app-network-members",
  description: "Only the app itself, the API gateway and the egress proxy join an app network.",
  severity: "critical",
  remediation: "Remove every other container from the app network; services are reached through the gateway.",
  enforcementLevel: "mandatory",
  settings: {
    /** roles (label platform.role) that may join every app network besides the app itself */
    allowedRoles: z.array(z.string()).default(["gateway", "egress"]),
  },
  check(resources, config, report) {
    const topo = topology(resources);
    for (const network of topo.networks.values()) {
      if (network.kind !== "app") continue;
      for (const member of topo.members.get(network.dockerName) ?? []) {
        const isOwner = member.role === "app" && member.app === network.app;
        if (isOwner || (member.role !== undefined && config.allowedRoles.includes(member.role))) continue;
        if (member.role === "app") continue; // a foreign app here is reported by stack-app-single-network
        report({
          resource: member.resource,
          field: "networksAdvanced",
          found: `includes ${describeNetwork(topo, network.dockerName)} although its platform.role is ${member.role ?? "unset"}`,
          fix: `remove that attachment (only the app and roles ${config.allowedRoles.join(", ")} may join an app network)`,
        });
      }
    }
  },
});
