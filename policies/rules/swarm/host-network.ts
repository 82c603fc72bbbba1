import { resourceRule, SERVICE_TYPE } from "../rule";
import { show } from "../read";
import { serviceAttachments } from "../swarm-read";

/** Node-local networks: "host" gives the task the node's own network stack, "bridge" is docker0. */
const NODE_NETWORKS: Record<string, string> = { host: "the node's own network namespace", bridge: "the node's default bridge, docker0" };

export const serviceHostNetwork = resourceRule({
  id: "cis-5.10-service-host-network",
  resourceType: SERVICE_TYPE,
  description: "Swarm services join only overlay networks of the stack, never the node-local host or bridge network.",
  severity: "critical",
  cis: "5.10",
  remediation: "Remove the attachment to \"host\" (or \"bridge\") from taskSpec.networksAdvanceds; attach the service's own overlay network.",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    for (const attachment of serviceAttachments(props)) {
      const what = NODE_NETWORKS[attachment.ref.trim()];
      if (what) report({ field: `taskSpec.networksAdvanceds[${attachment.index}]`, found: `is ${show(attachment.ref)} (${what})`, fix: "remove that attachment; attach only the stack's overlay networks" });
    }
  },
});
