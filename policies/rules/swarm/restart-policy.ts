import { z } from "zod";
import { resourceRule, SERVICE_TYPE } from "../rule";
import { num, show, text } from "../read";

const FIELD = "taskSpec.restartPolicy";
const CONDITIONS = ["on-failure", "any", "none"] as const;

export const serviceRestartPolicy = resourceRule({
  id: "cis-5.15-service-restart-policy",
  resourceType: SERVICE_TYPE,
  description: "Swarm services restart a task a bounded number of times (maxAttempts), never without limit as Swarm does by default.",
  severity: "low",
  cis: "5.15",
  remediation: "Set taskSpec.restartPolicy to { condition: \"any\" or \"on-failure\", maxAttempts: 5, delay: \"5s\" } (a window makes the bound per window).",
  enforcementLevel: "mandatory",
  settings: {
    /** the most restarts a task may get (per window, when the policy sets one) */
    maxRetries: z.number().int().min(1).default(5),
    /**
     * Restart conditions a service may use. "any" is allowed by default: Swarm stops an unhealthy task
     * with SIGTERM, and a clean exit under "on-failure" would leave the service short of a replica for
     * good (render/swarm/service.ts). A pack config may narrow it to ["on-failure"].
     */
    allowedConditions: z.array(z.enum(CONDITIONS)).default([...CONDITIONS]),
  },
  check({ props }, config, report) {
    const policy = props.taskSpec?.restartPolicy;
    const allowed: readonly string[] = config.allowedConditions;
    const fix = `set ${FIELD}.condition to ${allowed.map((c) => show(c)).join(" or ")} and maxAttempts between 1 and ${config.maxRetries}`;
    // Swarm's default is "any" with no limit on attempts
    const condition = text(policy?.condition)?.trim().toLowerCase() ?? "any";
    if (!allowed.includes(condition)) {
      const found = policy?.condition === undefined ? "is unset (Swarm restarts on any exit)" : `is ${show(policy.condition)}, not an allowed condition`;
      report({ field: `${FIELD}.condition`, found, fix });
      return;
    }
    if (condition === "none") return;
    const attempts = num(policy?.maxAttempts);
    if (attempts === undefined || attempts <= 0) {
      report({ field: `${FIELD}.maxAttempts`, found: `is ${attempts === undefined ? "unset" : attempts} with condition ${show(condition)} (unlimited restarts)`, fix });
    } else if (attempts > config.maxRetries) {
      report({ field: `${FIELD}.maxAttempts`, found: `is ${attempts}, above ${config.maxRetries}`, fix });
    }
  },
});
