import { z } from "zod";
import { resourceRule, SERVICE_TYPE } from "../rule";
import { list, num, show, text } from "../read";

export const servicePublishedPorts = resourceRule({
  id: "cis-5.9-service-published-ports",
  resourceType: SERVICE_TYPE,
  description: "Swarm services publish no port (endpointSpec.ports) unless it is allowlisted: a published port opens on every node through the routing mesh.",
  severity: "high",
  cis: "5.9",
  remediation: "Remove endpointSpec.ports; the platform reaches its services over overlay networks through the gateway.",
  enforcementLevel: "mandatory",
  settings: {
    /** published (node) ports a service may open, e.g. [443] for an ingress; none by default */
    allowedPublishedPorts: z.array(z.number().int().min(1).max(65535)).default([]),
  },
  check({ props }, config, report) {
    list(props.endpointSpec?.ports).forEach((port, i) => {
      const published = num(port?.publishedPort);
      if (published !== undefined && config.allowedPublishedPorts.includes(published)) return;
      const mode = text(port?.publishMode) === "host" ? "on the node it runs on" : "on every node (routing mesh)";
      const allowed = config.allowedPublishedPorts.length === 0 ? "none are allowed" : `allowed: ${config.allowedPublishedPorts.join(", ")}`;
      report({
        field: `endpointSpec.ports[${i}]`,
        found: `publishes ${published === undefined ? "a port Swarm picks" : published} → ${show(port?.targetPort)} ${mode}`,
        fix: `remove the published port (${allowed})`,
      });
    });
  },
});
