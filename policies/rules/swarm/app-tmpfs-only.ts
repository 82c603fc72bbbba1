import { resourceRule, SERVICE_TYPE } from "../rule";
import { list, show, text } from "../read";
import { containerSpecOf, isAppService, SPEC } from "../swarm-read";

export const serviceAppTmpfsOnly = resourceRule({
  id: "service-app-tmpfs-only",
  resourceType: SERVICE_TYPE,
  description: "A third-party app's service mounts only tmpfs: no volume or bind mount that outlives the task or reaches the node.",
  severity: "high",
  remediation: "Remove the app's volume and bind mounts; give it tmpfs mounts for scratch space and its files as Swarm secrets and configs.",
  enforcementLevel: "mandatory",
  appliesTo: ({ props }) => isAppService(props),
  notApplicableReason: "Policy only applies to services labelled platform.role=app",
  check({ props }, _config, report) {
    list(containerSpecOf(props).mounts).forEach((mount, i) => {
      const type = text(mount?.type);
      if (type === "tmpfs") return;
      report({
        field: `${SPEC}.mounts[${i}]`,
        found: `is ${type === undefined ? "a mount without a type (Docker's default: volume)" : `a ${show(type)} mount`} of ${show(mount?.source ?? "(anonymous)")} at ${show(mount?.target)}`,
        fix: "replace it with a tmpfs mount, or deliver the file as a Swarm secret or config",
      });
    });
  },
});
