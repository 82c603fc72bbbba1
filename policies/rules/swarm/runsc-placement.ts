import { z } from "zod";
import { resourceRule, SERVICE_TYPE } from "../rule";
import { list } from "../read";
import { isAppService, serviceApp } from "../swarm-read";

/** render/swarm/service.ts RUNSC_NODE_LABEL: nodes whose default runtime is gVisor (node requirement runsc). */
const DEFAULT_CONSTRAINT = "node.labels.platform.runtime==runsc";

/** `node.labels.a == b` and `node.labels.a==b` are the same constraint to the scheduler. */
const normalize = (constraint: string) => constraint.replace(/\s+/g, "");

export const serviceRunscPlacement = resourceRule({
  id: "service-runsc-placement",
  resourceType: SERVICE_TYPE,
  description: "An app that asks for gVisor runs only on nodes whose default runtime is runsc (a service cannot choose its OCI runtime, so placement decides).",
  severity: "high",
  remediation: "Add the placement constraint node.labels.platform.runtime==runsc to the app's service (render/swarm/service.ts does for runtime: runsc).",
  enforcementLevel: "mandatory",
  settings: {
    /**
     * Apps that asked for gVisor (manifest runtime: runsc), "*" for every app. The service's inputs
     * do not say which runtime the app asked for, so the stack's pack config names them.
     */
    runscApps: z.array(z.string()).default([]),
    /** the constraint that selects the nodes running runsc */
    runscConstraint: z.string().default(DEFAULT_CONSTRAINT),
  },
  appliesTo: ({ props }, config) => {
    const app = serviceApp(props);
    return isAppService(props) && (config.runscApps.includes("*") || (app !== undefined && config.runscApps.includes(app)));
  },
  notApplicableReason: "Policy only applies to the app services named in runscApps",
  check({ props }, config, report) {
    const constraints = list(props.taskSpec?.placement?.constraints).filter((c): c is string => typeof c === "string").map(normalize);
    if (constraints.includes(normalize(config.runscConstraint))) return;
    report({
      field: "taskSpec.placement.constraints",
      found: constraints.length === 0 ? "is empty (the task may land on a node running runc)" : `lacks ${config.runscConstraint} (the task may land on a node running runc)`,
      fix: `add the constraint ${config.runscConstraint}`,
    });
  },
});
