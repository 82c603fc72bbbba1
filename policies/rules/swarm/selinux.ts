import { resourceRule, SERVICE_TYPE } from "../rule";
import { show, text } from "../read";
import { containerSpecOf, SPEC } from "../swarm-read";

const FIELD = `${SPEC}.privileges.seLinuxContext`;

export const serviceSelinux = resourceRule({
  id: "cis-5.3-service-selinux",
  resourceType: SERVICE_TYPE,
  description: "Swarm services do not disable SELinux labelling for their tasks (no seLinuxContext.disable, no spc_t type).",
  severity: "high",
  cis: "5.3",
  remediation: "Remove taskSpec.containerSpec.privileges.seLinuxContext (or its disable and type spc_t).",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const context = containerSpecOf(props).privileges?.seLinuxContext;
    if (context?.disable === true) report({ field: `${FIELD}.disable`, found: "is true (the task runs unconfined)", fix: "remove it so the task keeps its SELinux confinement" });
    // spc_t is the "super privileged container" type: confinement in name only
    if (text(context?.type)?.trim() === "spc_t") report({ field: `${FIELD}.type`, found: `is ${show(context.type)}`, fix: "remove it so the task keeps its SELinux confinement" });
  },
});
