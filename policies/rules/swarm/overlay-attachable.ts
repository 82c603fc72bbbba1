import { NETWORK_TYPE, resourceRule } from "../rule";
import { show, text } from "../read";

export const isOverlay = (props: Record<string, any>): boolean => text(props.driver)?.trim() === "overlay";

export const overlayAttachable = resourceRule({
  id: "overlay-not-attachable",
  resourceType: NETWORK_TYPE,
  description: "Overlay networks are not attachable, so only the stack's services join them, never a container started by hand on a node.",
  severity: "high",
  remediation: "Remove attachable or set it to false on the overlay network.",
  enforcementLevel: "mandatory",
  appliesTo: ({ props }) => isOverlay(props),
  notApplicableReason: "Policy only applies to overlay (Swarm) networks",
  check({ props }, _config, report) {
    if (props.attachable === undefined || props.attachable === false) return;
    report({ field: "attachable", found: `is ${show(props.attachable)} (any container on any node may join)`, fix: "remove attachable or set it to false" });
  },
});
