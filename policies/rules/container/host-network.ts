import { CONTAINER_TYPE, resourceRule } from "../rule";
import { hostNamespaceViolation } from "./namespace-mode";

export const hostNetwork = resourceRule({
  id: "cis-5.10-host-network",
  resourceType: CONTAINER_TYPE,
  description: "Containers do not share the host's network namespace (networkMode host).",
  severity: "critical",
  cis: "5.10",
  remediation: "Remove networkMode \"host\" and list the container's own user-defined network in networksAdvanced (or use networkMode \"none\").",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const violation = hostNamespaceViolation(props, "networkMode", "network", "remove networkMode and list the container's own user-defined network in networksAdvanced");
    if (violation) report(violation);
  },
});
