import { z } from "zod";
import { SERVICE_TYPE, stackRule } from "../rule";
import { attachmentField, describeSwarmNetwork, swarmTopology } from "./topology";

export const swarmPlatformNetworkMembers = stackRule({
  id: "swarm-platform-network-members",
  description: "The platform's own overlay networks hold only their roles: backend services and the gateway on the services network; Keycloak, its database and the gateway on the identity network.",
  severity: "critical",
  remediation: "Remove the service from that network; apps reach backend services and the identity provider only through the gateway.",
  enforcementLevel: "mandatory",
  subjectTypes: [SERVICE_TYPE],
  settings: {
    /** platform.role values that may join the network labelled platform.network=services */
    servicesNetworkRoles: z.array(z.string()).default(["service", "gateway"]),
    /** platform.role values that may join the network labelled platform.network=identity */
    identityNetworkRoles: z.array(z.string()).default(["identity", "database", "gateway"]),
  },
  check(resources, config, report) {
    const topo = swarmTopology(resources);
    for (const network of topo.networks.values()) {
      const allowed = network.kind === "services" ? config.servicesNetworkRoles : network.kind === "identity" ? config.identityNetworkRoles : undefined;
      if (!allowed) continue;
      for (const member of topo.members.get(network.dockerName) ?? []) {
        if (member.role !== undefined && allowed.includes(member.role)) continue;
        report({
          resource: member.resource,
          field: attachmentField(member, network.dockerName),
          found: `is ${describeSwarmNetwork(topo, network.dockerName)} although its platform.role is ${member.role ?? "unset"}`,
          fix: `remove that attachment (only roles ${allowed.join(", ")} may join the ${network.kind} network)`,
        });
      }
    }
  },
});
