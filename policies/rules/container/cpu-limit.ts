import { z } from "zod";
import { CONTAINER_TYPE, resourceRule } from "../rule";
import { num, show, text } from "../read";

export const cpuLimit = resourceRule({
  id: "cis-5.12-cpu-limit",
  resourceType: CONTAINER_TYPE,
  description: "Containers have a CPU limit (cpus, or cpuQuota, or cpuShares), no larger than the configured maximum.",
  severity: "medium",
  cis: "5.12",
  remediation: "Set cpus to the share of CPUs the workload needs, e.g. \"0.5\".",
  enforcementLevel: "mandatory",
  settings: {
    /** the largest `cpus` value a container may have */
    maxCpus: z.number().positive().default(16),
  },
  check({ props }, config, report) {
    const cpusText = text(props.cpus);
    if (props.cpus !== undefined && props.cpus !== null) {
      const cpus = cpusText !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(cpusText) ? Number(cpusText) : NaN;
      if (!(cpus > 0)) {
        report({ field: "cpus", found: `is ${show(props.cpus)} (not a positive number of CPUs)`, fix: "set cpus to a decimal string such as \"0.5\"" });
      } else if (cpus > config.maxCpus) {
        report({ field: "cpus", found: `is ${show(props.cpus)}, above the maximum of ${config.maxCpus}`, fix: `lower cpus to at most "${config.maxCpus}"` });
      }
      return;
    }
    const quota = num(props.cpuQuota);
    const shares = num(props.cpuShares);
    if ((quota === undefined || quota <= 0) && (shares === undefined || shares <= 0)) {
      report({ field: "cpus", found: "is unset, and so are cpuQuota and cpuShares (no CPU limit)", fix: "set cpus to the share of CPUs the workload needs, e.g. \"0.5\"" });
    }
  },
});
