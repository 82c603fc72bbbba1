import { CONTAINER_TYPE, resourceRule } from "../rule";
import { securityOpts, show } from "../read";

export const apparmorProfile = resourceRule({
  id: "cis-5.2-apparmor",
  resourceType: CONTAINER_TYPE,
  description: "Containers keep an AppArmor profile (never apparmor=unconfined).",
  severity: "high",
  cis: "5.2",
  remediation: "Remove apparmor=unconfined from securityOpts; Docker's default profile (docker-default) then applies.",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    for (const opt of securityOpts(props)) {
      if (opt.key === "apparmor" && opt.value?.toLowerCase() === "unconfined") {
        report({ field: `securityOpts[${opt.index}]`, found: `is ${show(opt.raw)}`, fix: "remove it so the docker-default AppArmor profile applies" });
      }
    }
  },
});
