import { CONTAINER_TYPE, resourceRule } from "../rule";
import { isUserDefinedNetwork, list, show, text } from "../read";

const ATTACH_FIX = "leave networkMode unset and list the container's own user-defined network(s) in networksAdvanced, or set networkMode to \"none\"";

export const defaultBridge = resourceRule({
  id: "cis-5.30-default-bridge",
  resourceType: CONTAINER_TYPE,
  description: "Containers are not attached to Docker's default bridge network (docker0).",
  severity: "high",
  cis: "5.30",
  remediation:
    "List only user-defined networks in networksAdvanced and leave networkMode unset (the provider then disconnects the default bridge before the container starts), or set networkMode to \"none\".",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const mode = text(props.networkMode)?.trim();
    const attachments = list(props.networksAdvanced);
    if (mode === undefined || mode === "") {
      // Unset: Docker creates the container on the default bridge. With networksAdvanced the provider
      // disconnects it from "bridge" and connects the listed networks before the container starts, so
      // the container is never on docker0 while running. Without a user-defined network it stays there.
      if (!attachments.some((attachment) => isUserDefinedNetwork(attachment?.name))) {
        report({
          field: "networkMode",
          found: `is unset and networksAdvanced lists no user-defined network (Docker's default bridge network)`,
          fix: ATTACH_FIX,
        });
      }
    } else if (mode === "bridge" || mode === "default") {
      report({ field: "networkMode", found: `is ${show(mode)} (Docker's default bridge network)`, fix: ATTACH_FIX });
    }
    attachments.forEach((attachment, i) => {
      if (text(attachment?.name)?.trim() === "bridge") {
        report({ field: `networksAdvanced[${i}].name`, found: "is \"bridge\" (Docker's default bridge network)", fix: "attach only user-defined networks" });
      }
    });
  },
});
