import { CONTAINER_TYPE, resourceRule } from "../rule";
import { list, show, text } from "../read";

export const mountPropagation = resourceRule({
  id: "cis-5.20-mount-propagation",
  resourceType: CONTAINER_TYPE,
  description: "Bind mounts do not use shared mount propagation.",
  severity: "medium",
  cis: "5.20",
  remediation: "Remove bindOptions.propagation or set it to \"rprivate\".",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    list(props.mounts).forEach((mount, i) => {
      const propagation = text(mount?.bindOptions?.propagation);
      if (propagation === "shared" || propagation === "rshared") {
        report({ field: `mounts[${i}].bindOptions.propagation`, found: `is ${show(propagation)}`, fix: "remove propagation or set it to \"rprivate\"" });
      }
    });
  },
});
