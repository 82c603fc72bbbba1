import { stackRule } from "../rule";
import { checkOutboundEgressOnly } from "../topology-checks/outbound-egress-only";
import { describeNetwork, topology } from "./topology";

export const outboundEgressOnly = stackRule({
  id: "stack-outbound-egress-only",
  description: "Nothing but the egress proxy joins the outbound (non-internal) network.",
  severity: "critical",
  remediation: "Remove the container from the outbound network; it reaches the internet through the egress proxy.",
  enforcementLevel: "mandatory",
  check(resources, _config, report) {
    const topo = topology(resources);
    checkOutboundEgressOnly(topo, { field: () => "networksAdvanced", joined: (network) => `includes ${describeNetwork(topo, network)}` }, report);
  },
});
