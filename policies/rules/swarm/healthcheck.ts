import { resourceRule, SERVICE_TYPE } from "../rule";
import { list } from "../read";
import { containerSpecOf, SPEC } from "../swarm-read";

const FIX = "set healthcheck.tests to a command that probes the workload";

export const serviceHealthcheck = resourceRule({
  id: "cis-5.27-service-healthcheck",
  resourceType: SERVICE_TYPE,
  description: "Swarm services have a healthcheck, so Swarm replaces a task that stops working.",
  severity: "low",
  cis: "5.27",
  remediation: "Set taskSpec.containerSpec.healthcheck.tests, e.g. [\"CMD\", \"wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8080/healthz\"].",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const healthcheck = containerSpecOf(props).healthcheck;
    const tests = list(healthcheck?.tests);
    if (healthcheck === undefined || healthcheck === null) report({ field: `${SPEC}.healthcheck`, found: "is unset (the image's HEALTHCHECK, if any, applies)", fix: FIX });
    else if (tests.length === 0) report({ field: `${SPEC}.healthcheck.tests`, found: "is empty", fix: FIX });
    else if (String(tests[0]).toUpperCase() === "NONE") report({ field: `${SPEC}.healthcheck.tests`, found: "is [\"NONE\"] (the healthcheck is disabled)", fix: FIX });
  },
});
