import { CONTAINER_TYPE, resourceRule } from "../rule";
import { list } from "../read";

export const healthcheck = resourceRule({
  id: "cis-5.27-healthcheck",
  resourceType: CONTAINER_TYPE,
  description: "Containers have a healthcheck, so failures are seen and acted on at runtime.",
  severity: "low",
  cis: "5.27",
  remediation: "Set healthcheck.tests, e.g. [\"CMD\", \"wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8080/healthz\"].",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const tests = list(props.healthcheck?.tests);
    if (props.healthcheck === undefined || props.healthcheck === null) {
      report({ field: "healthcheck", found: "is unset", fix: "set healthcheck.tests to a command that probes the workload" });
    } else if (tests.length === 0) {
      report({ field: "healthcheck.tests", found: "is empty", fix: "set healthcheck.tests to a command that probes the workload" });
    } else if (String(tests[0]).toUpperCase() === "NONE") {
      report({ field: "healthcheck.tests", found: "is [\"NONE\"] (the healthcheck is disabled)", fix: "set healthcheck.tests to a command that probes the workload" });
    }
  },
});
