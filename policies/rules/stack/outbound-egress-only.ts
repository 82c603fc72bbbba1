import { stackRule } from "../rule";
import { describeNetwork, topology } from "./topology";

export const outboundEgressOnly = stackRule({
  id: "stack-outbound-egress-only",
  description: "Nothing but the egress proxy joins the outbound (non-internal) network.",
  severity: "critical",
  remediation: "Remove the container from the outbound network; it reaches the internet through the egress proxy.",
  enforcementLevel: "mandatory",
  check(resources, _config, report) {
    const topo = topology(resources);
    for (const network of topo.networks.values()) {
      if (network.kind !== "outbound") continue;
      for (const member of topo.members.get(network.dockerName) ?? []) {
        if (member.role === "egress") continue;
        report({
          resource: member.resource,
          field: "networksAdvanced",
          found: `includes ${describeNetwork(topo, network.dockerName)} although its platform.role is ${member.role ?? "unset"}`,
          fix: "remove that attachment; only the egress proxy (platform.role=egress) may join the outbound network",
        });
      }
    }
  },
});
