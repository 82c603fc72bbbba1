import { NETWORK_TYPE, resourceRule } from "../rule";
import { show, text } from "../read";
import { networkKind } from "./labels";

const ICC_OPTION = "com.docker.network.bridge.enable_icc";

export const outboundIcc = resourceRule({
  id: "network-outbound-icc",
  resourceType: NETWORK_TYPE,
  description: "The outbound (non-internal) network disables inter-container communication, so nothing on it can reach another container.",
  severity: "high",
  remediation: `Set options["${ICC_OPTION}"] to "false" on the outbound network.`,
  enforcementLevel: "mandatory",
  // ICC is a bridge option: an overlay has no such switch, and swarm-outbound-egress-only keeps the
  // outbound overlay to the egress proxy's own tasks instead
  appliesTo: ({ props }) => text(props.driver)?.trim() !== "overlay",
  notApplicableReason: "Overlay (Swarm) networks have no ICC option; swarm-outbound-egress-only keeps the outbound one to the egress proxy",
  check({ props }, _config, report) {
    // Internal networks need ICC (an app must reach its gateway and proxy); the one that routes out must not.
    if (networkKind(props) !== "outbound" && props.internal === true) return;
    const icc = text(props.options?.[ICC_OPTION]);
    if (icc?.trim().toLowerCase() !== "false") {
      report({
        field: `options["${ICC_OPTION}"]`,
        found: `is ${icc === undefined ? "unset (ICC on)" : show(icc)} on a network that routes off the host`,
        fix: "set it to \"false\"",
      });
    }
  },
});
