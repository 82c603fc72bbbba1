import { z } from "zod";
import { CONTAINER_TYPE, resourceRule } from "../rule";
import { list, num } from "../read";

export const privilegedPorts = resourceRule({
  id: "cis-5.8-privileged-ports",
  resourceType: CONTAINER_TYPE,
  description: "Containers do not publish privileged host ports (below 1024).",
  severity: "medium",
  cis: "5.8",
  remediation: "Publish on a host port of 1024 or above, or do not publish the port at all.",
  enforcementLevel: "mandatory",
  settings: {
    /** the lowest host port a container may publish */
    minHostPort: z.number().int().min(1).max(65535).default(1024),
  },
  check({ props }, config, report) {
    list(props.ports).forEach((port, i) => {
      const external = num(port?.external);
      if (external !== undefined && external > 0 && external < config.minHostPort) {
        report({ field: `ports[${i}].external`, found: `is ${external} (a privileged port)`, fix: `use a host port of ${config.minHostPort} or above, or remove the mapping` });
      }
    });
  },
});
