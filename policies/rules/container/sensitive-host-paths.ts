import { z } from "zod";
import { CONTAINER_TYPE, resourceRule } from "../rule";
import { hostMounts, isWithin, normalizeHostPath, show } from "../read";

export const DEFAULT_SENSITIVE_PATHS = ["/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sys", "/usr", "/var", "/root", "/home", "/run", "/bin", "/sbin"];

export const sensitiveHostPaths = resourceRule({
  id: "cis-5.6-sensitive-host-paths",
  resourceType: CONTAINER_TYPE,
  description: "Sensitive host directories are not bind-mounted into containers (volumes or mounts).",
  severity: "critical",
  cis: "5.6",
  remediation: "Use a named Docker volume or a tmpfs instead of a bind mount of a host system directory.",
  enforcementLevel: "mandatory",
  settings: {
    /** host directories that may not be bind-mounted, nor anything below them; "/" is always sensitive */
    sensitivePaths: z.array(z.string()).default(DEFAULT_SENSITIVE_PATHS),
  },
  check({ props }, config, report) {
    const sensitive = config.sensitivePaths.map(normalizeHostPath);
    for (const mount of hostMounts(props)) {
      const hit = mount.normalized === "/" ? "/" : sensitive.find((dir) => isWithin(mount.normalized, dir));
      if (hit) {
        const what = hit === "/" ? "the host's root directory" : hit === mount.normalized ? "a sensitive host directory" : `inside the sensitive host directory ${hit}`;
        report({ field: mount.field, found: `is ${show(mount.hostPath)} (${what})`, fix: "remove the bind mount; use a named volume or tmpfs for data the container needs" });
      }
    }
  },
});
