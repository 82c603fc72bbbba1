import { z } from "zod";
import { NETWORK_TYPE, resourceRule } from "../rule";
import { show, text } from "../read";

const HOST_BINDING_OPTION = "com.docker.network.bridge.host_binding_ipv4";

export const networkHostBinding = resourceRule({
  id: "network-host-binding",
  resourceType: NETWORK_TYPE,
  description: "A port published by mistake on the network binds only to loopback (bridge host_binding_ipv4), never to all interfaces.",
  severity: "medium",
  remediation: `Set options["${HOST_BINDING_OPTION}"] to "127.0.0.1".`,
  enforcementLevel: "mandatory",
  appliesTo: ({ props }) => {
    const driver = text(props.driver);
    return driver === undefined || driver === "" || driver === "bridge";
  },
  notApplicableReason: "host_binding_ipv4 is a bridge-only option",
  settings: {
    /** host addresses ports published on this network may bind by default */
    allowedHostBindings: z.array(z.string()).default(["127.0.0.1"]),
  },
  check({ props }, config, report) {
    const binding = text(props.options?.[HOST_BINDING_OPTION]);
    const field = `options["${HOST_BINDING_OPTION}"]`;
    if (binding === undefined || !config.allowedHostBindings.includes(binding.trim())) {
      report({ field, found: binding === undefined ? "is unset (published ports bind 0.0.0.0)" : `is ${show(binding)}`, fix: `set it to ${config.allowedHostBindings.map((b) => show(b)).join(" or ")}` });
    }
  },
});
