import { z } from "zod";
import { SERVICE_TYPE, stackRule } from "../rule";
import { attachmentField, describeSwarmNetwork, swarmTopology } from "./topology";

export const swarmAppNetworkMembers = stackRule({
  id: "swarm-app-network-members",
  description: "Only the app's own service, the API gateway and the egress proxy join an app's overlay network.",
  severity: "critical",
  remediation: "Remove every other service from the app network; services are reached through the gateway.",
  enforcementLevel: "mandatory",
  subjectTypes: [SERVICE_TYPE],
  settings: {
    /** roles (label platform.role) that may join every app network besides the app itself */
    allowedRoles: z.array(z.string()).default(["gateway", "egress"]),
  },
  check(resources, config, report) {
    const topo = swarmTopology(resources);
    for (const network of topo.networks.values()) {
      if (network.kind !== "app") continue;
      for (const member of topo.members.get(network.dockerName) ?? []) {
        if (member.role === "app") continue; // its own app belongs; a foreign one is reported by swarm-app-single-network
        if (member.role !== undefined && config.allowedRoles.includes(member.role)) continue;
        report({
          resource: member.resource,
          field: attachmentField(member, network.dockerName),
          found: `is ${describeSwarmNetwork(topo, network.dockerName)} although its platform.role is ${member.role ?? "unset"}`,
          fix: `remove that attachment (only the app and roles ${config.allowedRoles.join(", ")} may join an app network)`,
        });
      }
    }
  },
});
