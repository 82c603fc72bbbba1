import { CONTAINER_TYPE, resourceRule } from "../rule";
import { list, show, text } from "../read";

const WILDCARDS = new Set(["", "0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0"]);

export const hostInterface = resourceRule({
  id: "cis-5.14-host-interface",
  resourceType: CONTAINER_TYPE,
  description: "Published ports are bound to a specific host interface, never to all interfaces (0.0.0.0 or ::).",
  severity: "high",
  cis: "5.14",
  remediation: "Set ports[].ip to the one host address that should accept the traffic, e.g. \"127.0.0.1\".",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    list(props.ports).forEach((port, i) => {
      const ip = text(port?.ip);
      if (ip === undefined || WILDCARDS.has(ip.trim())) {
        report({ field: `ports[${i}].ip`, found: ip === undefined ? "is unset (binds all host interfaces, 0.0.0.0)" : `is ${show(ip)} (all host interfaces)`, fix: "set ip to a specific host address, e.g. \"127.0.0.1\"" });
      }
    });
  },
});
