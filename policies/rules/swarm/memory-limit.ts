import { z } from "zod";
import { resourceRule, SERVICE_TYPE } from "../rule";
import { num, show } from "../read";

const MIB = 1024 * 1024;
const FIELD = "taskSpec.resources.limits.memoryBytes";

export const serviceMemoryLimit = resourceRule({
  id: "cis-5.11-service-memory-limit",
  resourceType: SERVICE_TYPE,
  description: "Swarm services limit each task's memory, no higher than the configured maximum.",
  severity: "medium",
  cis: "5.11",
  remediation: "Set taskSpec.resources.limits.memoryBytes to what one task needs, e.g. 268435456 (256 MiB).",
  enforcementLevel: "mandatory",
  settings: {
    /** the largest memory limit a task may have, in MB (the container rule's unit) */
    maxMemoryMb: z.number().int().min(4).default(16384),
  },
  check({ props }, config, report) {
    const limits = props.taskSpec?.resources?.limits;
    const bytes = num(limits?.memoryBytes);
    const fix = `set ${FIELD} to a limit between 4 MiB and ${config.maxMemoryMb} MiB, e.g. ${256 * MIB}`;
    if (bytes === undefined || bytes <= 0) {
      report({ field: FIELD, found: limits?.memoryBytes === undefined ? "is unset (no limit)" : `is ${show(limits.memoryBytes)} (no limit)`, fix });
    } else if (bytes > config.maxMemoryMb * MIB) {
      report({ field: FIELD, found: `is ${bytes} bytes, above the maximum of ${config.maxMemoryMb} MiB`, fix: `lower it to at most ${config.maxMemoryMb * MIB}` });
    }
  },
});
