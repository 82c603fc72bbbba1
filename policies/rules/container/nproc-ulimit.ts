import { z } from "zod";
import { CONTAINER_TYPE, resourceRule } from "../rule";
import { list, num, text } from "../read";

export const nprocUlimit = resourceRule({
  id: "nproc-ulimit",
  resourceType: CONTAINER_TYPE,
  description: "Containers set an nproc ulimit: the stand-in for a PIDs limit, which @pulumi/docker 5.2 has no input for.",
  severity: "medium",
  cis: "5.29 (stand-in)",
  remediation: "Add ulimits: [{ name: \"nproc\", soft: 128, hard: 128 }] (per UID, so give each app its own UID).",
  enforcementLevel: "mandatory",
  settings: {
    /** the highest nproc hard limit allowed */
    maxProcesses: z.number().int().min(1).default(4096),
  },
  check({ props }, config, report) {
    const ulimits = list(props.ulimits);
    const index = ulimits.findIndex((u) => text(u?.name) === "nproc");
    const fix = `set ulimits nproc soft and hard between 1 and ${config.maxProcesses}, e.g. { name: "nproc", soft: 128, hard: 128 }`;
    if (index === -1) {
      report({ field: "ulimits", found: "has no nproc entry (a fork bomb can exhaust the host's PIDs)", fix });
      return;
    }
    const soft = num(ulimits[index].soft);
    const hard = num(ulimits[index].hard);
    if (soft === undefined || hard === undefined || soft <= 0 || hard <= 0 || hard > config.maxProcesses || soft > hard) {
      report({ field: `ulimits[${index}]`, found: `is nproc soft ${soft ?? "unset"}, hard ${hard ?? "unset"}`, fix });
    }
  },
});
