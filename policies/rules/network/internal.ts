import { z } from "zod";
import { NETWORK_TYPE, resourceRule } from "../rule";
import { show } from "../read";
import { networkKind } from "./labels";

export const networkInternal = resourceRule({
  id: "network-internal",
  resourceType: NETWORK_TYPE,
  description: "Every network is internal (no route off the host) except the egress proxy's outbound network.",
  severity: "critical",
  remediation: "Set internal to true; only the network labelled platform.network=outbound may be external.",
  enforcementLevel: "mandatory",
  settings: {
    /** network kinds (label platform.network) that may route off the host */
    externalKinds: z.array(z.string()).default(["outbound"]),
  },
  check({ props }, config, report) {
    const kind = networkKind(props);
    if (kind !== undefined && config.externalKinds.includes(kind)) return;
    if (props.internal !== true) {
      const what = kind === undefined ? "a network without a platform.network label" : `a network of kind ${kind}`;
      report({ field: "internal", found: `is ${props.internal === undefined ? "unset" : show(props.internal)} on ${what} (its containers can reach the internet directly)`, fix: "set internal to true" });
    }
  },
});
