import { CONTAINER_TYPE, resourceRule } from "../rule";

export const publishAllPorts = resourceRule({
  id: "cis-5.9-publish-all-ports",
  resourceType: CONTAINER_TYPE,
  description: "Containers publish only the ports they need (never publishAllPorts).",
  severity: "medium",
  cis: "5.9",
  remediation: "Remove publishAllPorts or set it to false; publish single ports explicitly if at all.",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    if (props.publishAllPorts === true) report({ field: "publishAllPorts", found: "is true (every EXPOSEd port is published on the host)", fix: "remove publishAllPorts or set it to false" });
  },
});
