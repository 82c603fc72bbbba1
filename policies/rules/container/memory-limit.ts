import { z } from "zod";
import { CONTAINER_TYPE, resourceRule } from "../rule";
import { num, show } from "../read";

export const memoryLimit = resourceRule({
  id: "cis-5.11-memory-limit",
  resourceType: CONTAINER_TYPE,
  description: "Containers have a memory limit, no larger than the configured maximum.",
  severity: "medium",
  cis: "5.11",
  remediation: "Set memory (MB) to what the workload needs, e.g. 256, and memorySwap to the same value.",
  enforcementLevel: "mandatory",
  settings: {
    /** the largest memory limit a container may have, in MB (the provider's unit) */
    maxMemoryMb: z.number().int().min(4).default(16384),
  },
  check({ props }, config, report) {
    const memory = num(props.memory);
    if (memory === undefined || memory <= 0) {
      const found = props.memory === undefined ? "is unset (no limit)" : `is ${show(props.memory)} (no limit)`;
      report({ field: "memory", found, fix: `set memory to a limit in MB between 4 and ${config.maxMemoryMb}, e.g. 256` });
    } else if (memory > config.maxMemoryMb) {
      report({ field: "memory", found: `is ${memory} MB, above the maximum of ${config.maxMemoryMb} MB`, fix: `lower memory to at most ${config.maxMemoryMb}` });
    }
  },
});
