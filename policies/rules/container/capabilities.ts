import { z } from "zod";
import { CONTAINER_TYPE, resourceRule } from "../rule";
import { labelsOf, list, show, PACK_LABEL } from "../read";

/** Never allowed, whatever the config says: each one is a known container escape or host takeover. */
const FORBIDDEN_CAPABILITIES = [
  "ALL", "SYS_ADMIN", "NET_ADMIN", "NET_RAW", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "SYS_RAWIO",
  "SYS_BOOT", "SYS_TIME", "MAC_ADMIN", "MAC_OVERRIDE", "BPF", "PERFMON", "SYSLOG", "LINUX_IMMUTABLE", "MKNOD",
  "SETFCAP", "SETPCAP", "AUDIT_CONTROL", "SYS_RESOURCE", "WAKE_ALARM", "BLOCK_SUSPEND", "LEASE",
] as const;

/** Docker accepts `CAP_NET_RAW`, `net_raw` and `NET_RAW` alike. */
function normalizeCapability(name: string): string {
  return name.trim().toUpperCase().replace(/^CAP_/, "");
}

export const capabilities = resourceRule({
  id: "cis-5.4-capabilities",
  resourceType: CONTAINER_TYPE,
  description: "Containers drop ALL Linux capabilities and add back only allowlisted ones.",
  severity: "high",
  cis: "5.4",
  remediation: "Set capabilities.drops to [\"ALL\"] and list in capabilities.adds only what the process needs from the allowlist.",
  enforcementLevel: "mandatory",
  settings: {
    /** capabilities platform infrastructure may add back after dropping ALL */
    allowedAdds: z.array(z.string()).default(["CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"]),
    /** capabilities a third-party app (label platform.role=app) may add back */
    allowedAppAdds: z.array(z.string()).default([]),
  },
  check({ props }, config, report) {
    const caps = props.capabilities;
    const drops = list(caps?.drops).filter((d): d is string => typeof d === "string").map(normalizeCapability);
    if (!drops.includes("ALL")) {
      report({
        field: "capabilities.drops",
        found: drops.length === 0 ? "is unset (Docker's default set of 14 capabilities stays)" : `is ${show(drops)} (ALL is not dropped)`,
        fix: "set capabilities.drops to [\"ALL\"]",
      });
    }
    const isApp = labelsOf(props).get(PACK_LABEL.role) === "app";
    const allowed = new Set((isApp ? config.allowedAppAdds : config.allowedAdds).map(normalizeCapability));
    const forbidden = new Set<string>(FORBIDDEN_CAPABILITIES);
    const allowedText = allowed.size === 0 ? "none" : [...allowed].sort().join(", ");
    list(caps?.adds).forEach((add, i) => {
      if (typeof add !== "string") return;
      const cap = normalizeCapability(add);
      if (forbidden.has(cap)) {
        report({ field: `capabilities.adds[${i}]`, found: `is ${show(add)}, which is never allowed`, fix: `remove ${cap} from capabilities.adds (allowed${isApp ? " for apps" : ""}: ${allowedText})` });
      } else if (!allowed.has(cap)) {
        report({ field: `capabilities.adds[${i}]`, found: `is ${show(add)}, which is not in the allowlist`, fix: `remove ${cap} from capabilities.adds (allowed${isApp ? " for apps" : ""}: ${allowedText})` });
      }
    });
  },
});
