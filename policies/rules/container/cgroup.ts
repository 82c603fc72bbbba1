import { CONTAINER_TYPE, ResourceRule } from "../rule";
import { show, text } from "../read";
import { hostNamespaceViolation } from "./namespace-mode";

export interface CgroupConfig {
  /** cgroup parents containers may be placed under (empty: none, Docker's default parent only) */
  allowedCgroupParents: string[];
}

export const cgroupUsage: ResourceRule<CgroupConfig> = {
  kind: "resource",
  id: "cis-5.25-cgroup",
  resourceType: CONTAINER_TYPE,
  description: "Containers stay in Docker's cgroup (no unapproved cgroupParent) and do not share the host's cgroup namespace.",
  severity: "medium",
  cis: "5.25",
  remediation: "Remove cgroupParent (or use an approved one) and remove cgroupnsMode \"host\".",
  enforcementLevel: "mandatory",
  defaults: { allowedCgroupParents: [] },
  configSchema: { properties: { allowedCgroupParents: { type: "array", items: { type: "string" }, default: [] } } },
  check({ props }, config, report) {
    const parent = text(props.cgroupParent);
    if (parent && parent.trim() !== "" && !config.allowedCgroupParents.includes(parent)) {
      const allowed = config.allowedCgroupParents.length === 0 ? "none are approved" : `approved: ${config.allowedCgroupParents.join(", ")}`;
      report({ field: "cgroupParent", found: `is ${show(parent)}, not an approved cgroup parent`, fix: `remove cgroupParent (${allowed})` });
    }
    const namespace = hostNamespaceViolation(props, "cgroupnsMode", "cgroup");
    if (namespace) report(namespace);
  },
};
