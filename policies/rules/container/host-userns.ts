import { CONTAINER_TYPE, resourceRule } from "../rule";
import { hostNamespaceViolation } from "./namespace-mode";

export const hostUserns = resourceRule({
  id: "cis-5.31-host-userns",
  resourceType: CONTAINER_TYPE,
  description: "Containers do not share the host's user namespace (usernsMode host).",
  severity: "high",
  cis: "5.31",
  remediation: "Remove usernsMode \"host\".",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const violation = hostNamespaceViolation(props, "usernsMode", "user");
    if (violation) report(violation);
  },
});
