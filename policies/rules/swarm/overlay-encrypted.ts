import { z } from "zod";
import { NETWORK_TYPE, resourceRule } from "../rule";
import { isOverlay } from "./overlay-attachable";

/** render/swarm/networks.ts ENCRYPTED_OPTION: Docker turns on IPsec (ESP) when the key is present, whatever its value. */
const ENCRYPTED_OPTION = "encrypted";

export const overlayEncrypted = resourceRule({
  id: "overlay-encrypted",
  resourceType: NETWORK_TYPE,
  description: "Overlay networks encrypt traffic between nodes (driver option encrypted), unless the pack config allows unencrypted overlays.",
  severity: "high",
  remediation: "Set options[\"encrypted\"] (platform:swarm.encryptOverlays: true); a stack on kernels without gcm(aes) that opted out sets allowUnencryptedOverlays in its pack config.",
  enforcementLevel: "mandatory",
  settings: {
    /**
     * The pack's side of platform:swarm.encryptOverlays: false. The rule cannot read the stack config,
     * so a stack that opted out says so here too (and the choice shows in its pack config).
     */
    allowUnencryptedOverlays: z.boolean().default(false),
  },
  appliesTo: ({ props }) => isOverlay(props),
  notApplicableReason: "Policy only applies to overlay (Swarm) networks",
  check({ props }, config, report) {
    if (config.allowUnencryptedOverlays) return;
    const options = props.options;
    if (typeof options === "object" && options !== null && Object.prototype.hasOwnProperty.call(options, ENCRYPTED_OPTION)) return;
    report({
      field: `options["${ENCRYPTED_OPTION}"]`,
      found: "is unset (traffic between nodes crosses the wire in plain text)",
      fix: "set it (to \"\"), or allow unencrypted overlays in the pack config (allowUnencryptedOverlays) when the stack set platform:swarm.encryptOverlays: false",
    });
  },
});
