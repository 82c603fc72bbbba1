import { CONTAINER_TYPE, ResourceRule } from "../rule";
import { list, show, text } from "../read";

export const defaultBridge: ResourceRule = {
  kind: "resource",
  id: "cis-5.30-default-bridge",
  resourceType: CONTAINER_TYPE,
  description: "Containers are not attached to Docker's default bridge network (docker0).",
  severity: "high",
  cis: "5.30",
  remediation: "Set networkMode to the container's own user-defined network and list only such networks in networksAdvanced.",
  enforcementLevel: "mandatory",
  defaults: {},
  check({ props }, _config, report) {
    const mode = text(props.networkMode)?.trim();
    if (mode === undefined || mode === "" || mode === "bridge" || mode === "default") {
      report({
        field: "networkMode",
        found: mode === undefined || mode === "" ? "is unset (Docker's default bridge network)" : `is ${show(mode)} (Docker's default bridge network)`,
        fix: "set networkMode to the container's own user-defined network",
      });
    }
    list(props.networksAdvanced).forEach((attachment, i) => {
      if (text(attachment?.name) === "bridge") {
        report({ field: `networksAdvanced[${i}].name`, found: "is \"bridge\" (Docker's default bridge network)", fix: "attach only user-defined networks" });
      }
    });
  },
};
