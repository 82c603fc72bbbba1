import { z } from "zod";
import { CONTAINER_TYPE, resourceRule, Violation } from "../rule";
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

/** Capability settings: the container rule's, which the Swarm service rule shares. */
export const CAPABILITY_SETTINGS = {
  /** capabilities platform infrastructure may add back after dropping ALL */
  allowedAdds: z.array(z.string()).default(["CHOWN", "NET_BIND_SERVICE", "SETGID", "SETUID"]),
  /** capabilities a third-party app (label platform.role=app) may add back */
  allowedAppAdds: z.array(z.string()).default([]),
};

interface CapabilityInputs {
  drops: unknown;
  /** read after the drops are judged: at preview the adds may be unknown, and the drops finding stands */
  adds: () => unknown;
  /** input paths of the two lists, e.g. `capabilities.drops` or `taskSpec.containerSpec.capDrops` */
  dropsField: string;
  addsField: string;
  isApp: boolean;
}

/**
 * Drops must include ALL; every add must be allowlisted (for apps or infrastructure) and never forbidden.
 * Reported as found, so a drops violation stands when the adds are unknown at preview.
 */
export function checkCapabilities(inputs: CapabilityInputs, config: { allowedAdds: string[]; allowedAppAdds: string[] }, report: (violation: Violation) => void): void {
  const drops = list(inputs.drops).filter((d): d is string => typeof d === "string").map(normalizeCapability);
  if (!drops.includes("ALL")) {
    report({
      field: inputs.dropsField,
      found: drops.length === 0 ? "is unset (Docker's default set of 14 capabilities stays)" : `is ${show(drops)} (ALL is not dropped)`,
      fix: `set ${inputs.dropsField} to ["ALL"]`,
    });
  }
  const allowed = new Set((inputs.isApp ? config.allowedAppAdds : config.allowedAdds).map(normalizeCapability));
  const forbidden = new Set<string>(FORBIDDEN_CAPABILITIES);
  const allowedText = allowed.size === 0 ? "none" : [...allowed].sort().join(", ");
  list(inputs.adds()).forEach((add, i) => {
    if (typeof add !== "string") return;
    const cap = normalizeCapability(add);
    const fix = `remove ${cap} from ${inputs.addsField} (allowed${inputs.isApp ? " for apps" : ""}: ${allowedText})`;
    if (forbidden.has(cap)) report({ field: `${inputs.addsField}[${i}]`, found: `is ${show(add)}, which is never allowed`, fix });
    else if (!allowed.has(cap)) report({ field: `${inputs.addsField}[${i}]`, found: `is ${show(add)}, which is not in the allowlist`, fix });
  });
}

export const capabilities = resourceRule({
  id: "cis-5.4-capabilities",
  resourceType: CONTAINER_TYPE,
  description: "Containers drop ALL Linux capabilities and add back only allowlisted ones.",
  severity: "high",
  cis: "5.4",
  remediation: "Set capabilities.drops to [\"ALL\"] and list in capabilities.adds only what the process needs from the allowlist.",
  enforcementLevel: "mandatory",
  settings: CAPABILITY_SETTINGS,
  check({ props }, config, report) {
    const isApp = labelsOf(props).get(PACK_LABEL.role) === "app";
    checkCapabilities({ drops: props.capabilities?.drops, adds: () => props.capabilities?.adds, dropsField: "capabilities.drops", addsField: "capabilities.adds", isApp }, config, report);
  },
});
