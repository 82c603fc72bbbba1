import { SERVICE_TYPE, stackRule } from "../rule";
import { checkOutboundEgressOnly } from "../topology-checks/outbound-egress-only";
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
    checkOutboundEgressOnly(topo, { field: attachmentField, joined: (network) => `is ${describeSwarmNetwork(topo, network)}` }, report);
  },
});
