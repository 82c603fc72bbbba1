import { z } from "zod";
import { resourceRule, SERVICE_TYPE } from "../rule";
import { show } from "../read";
import { DEFAULT_SENSITIVE_PATHS } from "../container/sensitive-host-paths";
import { isWithin, normalizeHostPath, serviceBindMounts } from "../swarm-read";

export const serviceSensitiveHostPaths = resourceRule({
  id: "cis-5.6-service-sensitive-host-paths",
  resourceType: SERVICE_TYPE,
  description: "Swarm services bind-mount no sensitive host directory (mounts of type bind), on whichever node their tasks land.",
  severity: "critical",
  cis: "5.6",
  remediation: "Remove the bind mount; use a tmpfs mount, a Swarm secret or config, or a named volume on a pinned node.",
  enforcementLevel: "mandatory",
  settings: {
    /** host directories that may not be bind-mounted, nor anything below them; "/" is always sensitive */
    sensitivePaths: z.array(z.string()).default(DEFAULT_SENSITIVE_PATHS),
  },
  check({ props }, config, report) {
    const sensitive = config.sensitivePaths.map(normalizeHostPath);
    for (const mount of serviceBindMounts(props)) {
      const hit = mount.normalized === "/" ? "/" : sensitive.find((dir) => isWithin(mount.normalized, dir));
      if (!hit) continue;
      const what = hit === "/" ? "the host's root directory" : hit === mount.normalized ? "a sensitive host directory" : `inside the sensitive host directory ${hit}`;
      report({ field: mount.field, found: `is ${show(mount.hostPath)} (${what})`, fix: "remove the bind mount; use a tmpfs mount, a secret or config for data the task needs" });
    }
  },
});
