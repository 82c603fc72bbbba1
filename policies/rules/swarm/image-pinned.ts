import { z } from "zod";
import { resourceRule, SERVICE_TYPE } from "../rule";
import { imageViolations } from "../container/image-pinned";
import { containerSpecOf, SPEC } from "../swarm-read";

export const serviceImagePinned = resourceRule({
  id: "cis-5.28-service-image-pinned",
  resourceType: SERVICE_TYPE,
  description: "Swarm service images are pinned by digest (name@sha256:…) and come from an allowed registry, as for containers.",
  severity: "high",
  cis: "5.28",
  remediation: "Reference the image as name@sha256:<digest> in taskSpec.containerSpec.image, from an allowed registry.",
  enforcementLevel: "mandatory",
  settings: {
    /** registries images may come from, e.g. ["registry.example.com"]; empty: any registry */
    allowedRegistries: z.array(z.string()).default([]),
  },
  check({ props }, config, report) {
    imageViolations(`${SPEC}.image`, containerSpecOf(props).image, config.allowedRegistries).forEach(report);
  },
});
