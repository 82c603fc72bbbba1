import { resourceRule, SERVICE_TYPE } from "../rule";
import { show } from "../read";
import { containerSpecOf, SPEC } from "../swarm-read";

export const serviceReadOnlyRoot = resourceRule({
  id: "cis-5.13-service-read-only-root",
  resourceType: SERVICE_TYPE,
  description: "Swarm services mount their tasks' root filesystem read-only (a service has no upload seed, so there is no exception).",
  severity: "medium",
  cis: "5.13",
  remediation: "Set taskSpec.containerSpec.readOnly to true and give the process tmpfs mounts for the paths it must write; files come as Swarm secrets and configs.",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const readOnly = containerSpecOf(props).readOnly;
    if (readOnly === true) return;
    report({ field: `${SPEC}.readOnly`, found: readOnly === undefined ? "is unset (the root filesystem is writable)" : `is ${show(readOnly)}`, fix: "set readOnly to true; add tmpfs mounts (e.g. /tmp) for paths that must be writable" });
  },
});
