import { resourceRule, SERVICE_TYPE } from "../rule";
import { userViolation } from "../container/non-root-user";
import { containerSpecOf, SPEC } from "../swarm-read";

export const serviceNonRootUser = resourceRule({
  id: "cis-4.1-service-non-root-user",
  resourceType: SERVICE_TYPE,
  description: "Swarm services run their tasks as a non-root user.",
  severity: "high",
  cis: "4.1",
  remediation: "Set taskSpec.containerSpec.user to a non-zero UID and GID, e.g. \"20001:20001\" (the platform assigns one UID per app).",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const violation = userViolation(`${SPEC}.user`, containerSpecOf(props).user);
    if (violation) report(violation);
  },
});
