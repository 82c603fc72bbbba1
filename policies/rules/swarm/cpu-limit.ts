import { z } from "zod";
import { resourceRule, SERVICE_TYPE } from "../rule";
import { num, show } from "../read";

const FIELD = "taskSpec.resources.limits.nanoCpus";

export const serviceCpuLimit = resourceRule({
  id: "cis-5.12-service-cpu-limit",
  resourceType: SERVICE_TYPE,
  description: "Swarm services limit each task's CPU (nanoCpus), no higher than the configured maximum.",
  severity: "medium",
  cis: "5.12",
  remediation: "Set taskSpec.resources.limits.nanoCpus to the share of CPUs one task needs, e.g. 500000000 (0.5 CPU).",
  enforcementLevel: "mandatory",
  settings: {
    /** the largest CPU limit a task may have, in CPUs (the container rule's unit) */
    maxCpus: z.number().positive().default(16),
  },
  check({ props }, config, report) {
    const limits = props.taskSpec?.resources?.limits;
    const nano = num(limits?.nanoCpus);
    if (nano === undefined || nano <= 0) {
      report({ field: FIELD, found: limits?.nanoCpus === undefined ? "is unset (no CPU limit)" : `is ${show(limits.nanoCpus)} (no CPU limit)`, fix: `set ${FIELD} to at most ${config.maxCpus * 1e9}, e.g. 500000000 (0.5 CPU)` });
    } else if (nano > config.maxCpus * 1e9) {
      report({ field: FIELD, found: `is ${nano} (${nano / 1e9} CPUs), above the maximum of ${config.maxCpus}`, fix: `lower it to at most ${config.maxCpus * 1e9}` });
    }
  },
});
