import { CONTAINER_TYPE, resourceRule } from "../rule";
import { securityOpts, show } from "../read";

export const seccompProfile = resourceRule({
  id: "cis-5.22-seccomp",
  resourceType: CONTAINER_TYPE,
  description: "Containers keep a seccomp profile (never seccomp=unconfined).",
  severity: "high",
  cis: "5.22",
  remediation: "Remove seccomp=unconfined from securityOpts; Docker's default seccomp profile then applies.",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    for (const opt of securityOpts(props)) {
      if (opt.key === "seccomp" && opt.value?.toLowerCase() === "unconfined") {
        report({ field: `securityOpts[${opt.index}]`, found: `is ${show(opt.raw)}`, fix: "remove it so Docker's default seccomp profile applies" });
      }
    }
  },
});
