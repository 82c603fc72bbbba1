import { SERVICE_TYPE, stackRule } from "../rule";
import { attachmentField, describeSwarmNetwork, swarmTopology } from "./topology";

export const swarmOutboundEgressOnly = stackRule({
  id: "swarm-outbound-egress-only",
  description: "Nothing but the egress proxy's service joins the outbound (non-internal) overlay network.",
  severity: "critical",
  remediation: "Remove the service from the outbound network; it reaches the internet through the egress proxy.",
  enforcementLevel: "mandatory",
  subjectTypes: [SERVICE_TYPE],
  check(resources, _config, report) {
    const topo = swarmTopology(resources);
    for (const network of topo.networks.values()) {
      if (network.kind !== "outbound") continue;
      for (const member of topo.members.get(network.dockerName) ?? []) {
        if (member.role === "egress") continue;
        report({
          resource: member.resource,
          field: attachmentField(member, network.dockerName),
          found: `is ${describeSwarmNetwork(topo, network.dockerName)} although its platform.role is ${member.role ?? "unset"}`,
          fix: "remove that attachment; only the egress proxy (platform.role=egress) may join the outbound network",
        });
      }
    }
  },
});
