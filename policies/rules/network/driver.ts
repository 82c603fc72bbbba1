import { z } from "zod";
import { NETWORK_TYPE, resourceRule } from "../rule";
import { show, text } from "../read";

export const networkDriver = resourceRule({
  id: "network-driver",
  resourceType: NETWORK_TYPE,
  description: "Networks use the bridge driver: host, macvlan and ipvlan put containers on the host's own segment.",
  severity: "high",
  remediation: "Remove driver or set it to \"bridge\".",
  enforcementLevel: "mandatory",
  // an overlay is a Swarm network between nodes, not the host's segment: the overlay-* rules check it
  appliesTo: ({ props }) => text(props.driver)?.trim() !== "overlay",
  notApplicableReason: "Overlay (Swarm) networks are checked by the overlay-* rules",
  settings: {
    allowedDrivers: z.array(z.string()).default(["bridge"]),
  },
  check({ props }, config, report) {
    const driver = text(props.driver);
    if (driver !== undefined && driver !== "" && !config.allowedDrivers.includes(driver)) {
      report({ field: "driver", found: `is ${show(driver)}, not an allowed driver (${config.allowedDrivers.join(", ")})`, fix: "remove driver or set it to \"bridge\"" });
    }
  },
});
