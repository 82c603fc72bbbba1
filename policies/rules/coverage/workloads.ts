import { CONTAINER_TYPE, ResourceView, SERVICE_TYPE, stackRule } from "../rule";

/** The subject of a finding about the stack as a whole (no resource of it is at fault). */
const STACK: ResourceView = { type: "pulumi:pulumi:Stack", name: "(stack)", urn: "", props: {}, isSecret: () => false };

export const checkableWorkloads = stackRule({
  id: "stack-checkable-workloads",
  description: "The stack declares at least one workload the pack checks (a container or a Swarm service), so a pass means something was checked.",
  severity: "high",
  remediation:
    "Check the stack the platform builds (containers on one engine, services on Swarm); a workload of another type (a Kubernetes Deployment, a plain docker run) is not checked by this pack at all.",
  enforcementLevel: "mandatory",
  subjectTypes: [CONTAINER_TYPE, SERVICE_TYPE],
  check(resources, _config, report) {
    if (resources.some((r) => r.type === CONTAINER_TYPE || r.type === SERVICE_TYPE)) return;
    report({ resource: STACK, field: "workloads", found: `are none: none of its ${resources.length} resources is a container or a Swarm service, so no workload rule checked anything`, fix: "check a stack that declares the platform's workloads" });
  },
});
