import { z } from "zod";
import { CONTAINER_TYPE, resourceRule } from "../rule";
import { num, show, text } from "../read";

export const restartPolicy = resourceRule({
  id: "cis-5.15-restart-policy",
  resourceType: CONTAINER_TYPE,
  description: "Containers restart only on failure and at most 5 times (no always/unless-stopped loops).",
  severity: "low",
  cis: "5.15",
  remediation: "Set restart to \"on-failure\" and maxRetryCount to 5 (or leave restart as \"no\").",
  enforcementLevel: "mandatory",
  settings: {
    /** the most restarts `on-failure` may allow */
    maxRetries: z.number().int().min(1).default(5),
  },
  check({ props }, config, report) {
    const restart = text(props.restart)?.trim().toLowerCase();
    const fix = `set restart to "on-failure" and maxRetryCount between 1 and ${config.maxRetries}`;
    if (restart === "always" || restart === "unless-stopped") {
      report({ field: "restart", found: `is ${show(props.restart)} (restarts forever)`, fix });
    } else if (restart === "on-failure") {
      const retries = num(props.maxRetryCount);
      if (retries === undefined || retries <= 0) {
        report({ field: "maxRetryCount", found: `is ${retries === undefined ? "unset" : retries} with restart "on-failure" (unlimited restarts)`, fix });
      } else if (retries > config.maxRetries) {
        report({ field: "maxRetryCount", found: `is ${retries}, above ${config.maxRetries}`, fix });
      }
    }
  },
});
