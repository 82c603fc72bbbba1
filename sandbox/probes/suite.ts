// The whole probe suite, run one probe at a time (so one attack's load does not blur another's result).
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

export async function runSuite(env: ProbeEnvironment, targets: AppTarget[] = env.apps, options: SuiteOptions = {}): Promise<ProbeResult[]> {
  const probes = options.only ? ALL_PROBES.filter((p) => options.only!.includes(p.id)) : ALL_PROBES;
  const results: ProbeResult[] = [];
  for (const target of targets) {
    for (const probe of probes) {
      if (probe.id === gvisorKernel.id && target.runtime !== "runsc") continue; // only meaningful for gVisor apps
      const result = await runProbe(probe, target, env);
      results.push(result);
      options.onResult?.(result);
    }
  }
  return results;
}
