import { CONTAINER_TYPE, resourceRule } from "../rule";
import { securityOpts, show } from "../read";

export const noNewPrivileges = resourceRule({
  id: "cis-5.26-no-new-privileges",
  resourceType: CONTAINER_TYPE,
  description: "Containers cannot gain privileges through setuid binaries (no-new-privileges).",
  severity: "high",
  cis: "5.26",
  remediation: "Add \"no-new-privileges:true\" to securityOpts.",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const opts = securityOpts(props).filter((opt) => opt.key === "no-new-privileges");
    const enabled = opts.some((opt) => opt.value === undefined || opt.value.toLowerCase() === "true");
    const disabled = opts.find((opt) => opt.value !== undefined && opt.value.toLowerCase() !== "true");
    if (disabled) {
      report({ field: `securityOpts[${disabled.index}]`, found: `is ${show(disabled.raw)}`, fix: "set it to \"no-new-privileges:true\"" });
    } else if (!enabled) {
      report({ field: "securityOpts", found: "has no \"no-new-privileges:true\"", fix: "add \"no-new-privileges:true\" to securityOpts" });
    }
  },
});
