import { CONTAINER_TYPE, resourceRule } from "../rule";
import { hostNamespaceViolation } from "./namespace-mode";

export const hostPid = resourceRule({
  id: "cis-5.16-host-pid",
  resourceType: CONTAINER_TYPE,
  description: "Containers do not share the host's process namespace (pidMode host).",
  severity: "critical",
  cis: "5.16",
  remediation: "Remove pidMode \"host\".",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const violation = hostNamespaceViolation(props, "pidMode", "process");
    if (violation) report(violation);
  },
});
