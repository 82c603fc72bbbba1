// The whole probe suite, run one probe at a time (so one attack's load does not blur another's result),
// but for probes that only wait on connection attempts, which run together.
import { BREAKOUT_PROBES } from "./breakout";
import { DOS_PROBES } from "./dos";
import { EGRESS_PROBES } from "./egress";
import { GATEWAY_PROBES } from "./gateway";
import { gvisorKernel } from "./gvisor";
import { LATERAL_PROBES } from "./lateral";
import { Probe, runProbe } from "./probe";
import type { AppTarget, ProbeEnvironment, ProbeResult } from "./types";

const ALL_PROBES: Probe[] = [...DOS_PROBES, ...BREAKOUT_PROBES, ...LATERAL_PROBES, ...EGRESS_PROBES, ...GATEWAY_PROBES, gvisorKernel];

interface SuiteOptions {
  /** probe ids to run (default: all) */
  only?: string[];
  onResult?: (result: ProbeResult) => void;
}

/** The probes in order, consecutive ones that only wait on connection attempts grouped to run together. */
function batches(probes: Probe[]): Probe[][] {
  const grouped: Probe[][] = [];
  for (const probe of probes) {
    const last = grouped[grouped.length - 1];
    if (probe.waitsOnly && last?.[0].waitsOnly) last.push(probe);
    else grouped.push([probe]);
  }
  return grouped;
}

export async function runSuite(env: ProbeEnvironment, targets: AppTarget[] = env.apps, options: SuiteOptions = {}): Promise<ProbeResult[]> {
  const probes = options.only ? ALL_PROBES.filter((p) => options.only!.includes(p.id)) : ALL_PROBES;
  const results: ProbeResult[] = [];
  for (const target of targets) {
    // only meaningful for gVisor apps
    const applicable = probes.filter((probe) => probe.id !== gvisorKernel.id || target.runtime === "runsc");
    for (const batch of batches(applicable)) {
      for (const result of await Promise.all(batch.map((probe) => runProbe(probe, target, env)))) {
        results.push(result);
        options.onResult?.(result);
      }
    }
  }
  return results;
}
