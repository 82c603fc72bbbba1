import { resourceRule, SERVICE_TYPE } from "../rule";
import { CAPABILITY_SETTINGS, checkCapabilities } from "../container/capabilities";
import { containerSpecOf, isAppService, SPEC } from "../swarm-read";

export const serviceCapabilities = resourceRule({
  id: "cis-5.4-service-capabilities",
  resourceType: SERVICE_TYPE,
  description: "Swarm services drop ALL Linux capabilities and add back only allowlisted ones (the container rule's allowlists).",
  severity: "high",
  cis: "5.4",
  remediation: "Set taskSpec.containerSpec.capDrops to [\"ALL\"] and list in capAdds only what the process needs from the allowlist.",
  enforcementLevel: "mandatory",
  settings: CAPABILITY_SETTINGS,
  check({ props }, config, report) {
    const spec = containerSpecOf(props);
    checkCapabilities({ drops: spec.capDrops, adds: () => spec.capAdds, dropsField: `${SPEC}.capDrops`, addsField: `${SPEC}.capAdds`, isApp: isAppService(props) }, config, report);
  },
});
