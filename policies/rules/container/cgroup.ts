import { z } from "zod";
import { CONTAINER_TYPE, resourceRule } from "../rule";
import { show, text } from "../read";
import { hostNamespaceViolation } from "./namespace-mode";

export const cgroupUsage = resourceRule({
  id: "cis-5.25-cgroup",
  resourceType: CONTAINER_TYPE,
  description: "Containers stay in Docker's cgroup (no unapproved cgroupParent) and do not share the host's cgroup namespace.",
  severity: "medium",
  cis: "5.25",
  remediation: "Remove cgroupParent (or use an approved one) and remove cgroupnsMode \"host\".",
  enforcementLevel: "mandatory",
  settings: {
    /** cgroup parents containers may be placed under (empty: none, Docker's default parent only) */
    allowedCgroupParents: z.array(z.string()).default([]),
  },
  check({ props }, config, report) {
    const parent = text(props.cgroupParent);
    if (parent && parent.trim() !== "" && !config.allowedCgroupParents.includes(parent)) {
      const allowed = config.allowedCgroupParents.length === 0 ? "none are approved" : `approved: ${config.allowedCgroupParents.join(", ")}`;
      report({ field: "cgroupParent", found: `is ${show(parent)}, not an approved cgroup parent`, fix: `remove cgroupParent (${allowed})` });
    }
    const namespace = hostNamespaceViolation(props, "cgroupnsMode", "cgroup");
    if (namespace) report(namespace);
  },
});
