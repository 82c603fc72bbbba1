import { resourceRule, SERVICE_TYPE } from "../rule";
import { list, show, text } from "../read";
import { containerSpecOf, SPEC } from "../swarm-read";

export const serviceMountPropagation = resourceRule({
  id: "cis-5.20-service-mount-propagation",
  resourceType: SERVICE_TYPE,
  description: "Swarm service bind mounts do not use shared mount propagation.",
  severity: "medium",
  cis: "5.20",
  remediation: "Remove bindOptions.propagation from the mount or set it to \"rprivate\".",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    list(containerSpecOf(props).mounts).forEach((mount, i) => {
      const propagation = text(mount?.bindOptions?.propagation);
      if (propagation === "shared" || propagation === "rshared") {
        report({ field: `${SPEC}.mounts[${i}].bindOptions.propagation`, found: `is ${show(propagation)}`, fix: "remove propagation or set it to \"rprivate\"" });
      }
    });
  },
});
