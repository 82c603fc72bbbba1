import { CONTAINER_TYPE, resourceRule } from "../rule";
import { hostNamespaceViolation } from "./namespace-mode";

export const hostIpc = resourceRule({
  id: "cis-5.17-host-ipc",
  resourceType: CONTAINER_TYPE,
  description: "Containers do not share the host's IPC namespace (ipcMode host).",
  severity: "high",
  cis: "5.17",
  remediation: "Remove ipcMode \"host\" or set it to \"private\".",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const violation = hostNamespaceViolation(props, "ipcMode", "IPC");
    if (violation) report(violation);
  },
});
