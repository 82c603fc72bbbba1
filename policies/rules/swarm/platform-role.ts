import { z } from "zod";
import { resourceRule, SERVICE_TYPE } from "../rule";
import { show } from "../read";
import { serviceApp, serviceRole } from "../swarm-read";

export const servicePlatformRole = resourceRule({
  id: "service-platform-role",
  resourceType: SERVICE_TYPE,
  description: "Every Swarm service carries a known platform.role (and an app its platform.app), so no workload escapes the app and topology rules by carrying no label.",
  severity: "high",
  remediation: "Label the service (and its container spec) platform.role=<role> and, for an app, platform.app=<name>, as render/swarm/service.ts does.",
  enforcementLevel: "mandatory",
  settings: {
    /** the roles the platform's Swarm wiring gives its services (render/swarm/from-plan.ts) */
    knownRoles: z.array(z.string()).default(["app", "service", "gateway", "egress", "identity", "database"]),
  },
  check({ props }, config, report) {
    const role = serviceRole(props);
    if (role === undefined || !config.knownRoles.includes(role)) {
      report({
        field: "labels",
        found: role === undefined ? "have no platform.role (the app and topology rules cannot tell what it is)" : `have platform.role ${show(role)}, not a role of the platform (${config.knownRoles.join(", ")})`,
        fix: "label it with its platform.role",
      });
    } else if (role === "app" && serviceApp(props) === undefined) {
      report({ field: "labels", found: "have platform.role=app but no platform.app", fix: "label it platform.app=<app name>" });
    }
  },
});
