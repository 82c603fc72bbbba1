import { CONTAINER_TYPE, resourceRule } from "../rule";
import { securityOpts, show } from "../read";

export const selinuxLabel = resourceRule({
  id: "cis-5.3-selinux",
  resourceType: CONTAINER_TYPE,
  description: "SELinux labelling is not disabled for containers (no label=disable, no spc_t).",
  severity: "high",
  cis: "5.3",
  remediation: "Remove label=disable (and label=type:spc_t) from securityOpts.",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    for (const opt of securityOpts(props)) {
      if (opt.key !== "label") continue;
      const value = (opt.value ?? "").toLowerCase();
      // spc_t is the "super privileged container" type: confinement in name only.
      if (value === "disable" || value === "type:spc_t") {
        report({ field: `securityOpts[${opt.index}]`, found: `is ${show(opt.raw)}`, fix: "remove it so the container keeps its SELinux confinement" });
      }
    }
  },
});
