import { CONTAINER_TYPE, ResourceRule } from "../rule";
import { show } from "../read";

export const readOnlyRoot: ResourceRule = {
  kind: "resource",
  id: "cis-5.13-read-only-root",
  resourceType: CONTAINER_TYPE,
  description: "Containers mount their root filesystem read-only.",
  severity: "medium",
  cis: "5.13",
  remediation: "Set readOnly to true and give the process tmpfs or volumes for the paths it must write.",
  enforcementLevel: "mandatory",
  defaults: {},
  check({ props }, _config, report) {
    if (props.readOnly !== true) {
      report({ field: "readOnly", found: props.readOnly === undefined ? "is unset (the root filesystem is writable)" : `is ${show(props.readOnly)}`, fix: "set readOnly to true; add tmpfs entries (e.g. /tmp) for paths that must be writable" });
    }
  },
};
