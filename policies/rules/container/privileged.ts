import { CONTAINER_TYPE, resourceRule } from "../rule";

export const privileged = resourceRule({
  id: "cis-5.5-privileged",
  resourceType: CONTAINER_TYPE,
  description: "Containers are never privileged.",
  severity: "critical",
  cis: "5.5",
  remediation: "Remove privileged or set it to false; grant single allowlisted capabilities instead.",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    if (props.privileged === true) report({ field: "privileged", found: "is true", fix: "remove privileged or set it to false" });
  },
});
