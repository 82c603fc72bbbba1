// A probe: named attack code with a verdict rule, run from one app (or attacker) container.
import { noRunnerReason, runnerOf } from "./runner";
import type { AppTarget, ProbeEnvironment, ProbeResult, Verdict } from "./types";

export interface Probe {
  id: string;
  category: ProbeResult["category"];
  /** one line: what the attack tries */
  title: string;
  /**
   * The probe only waits on connection attempts (no load, no process of its own that others could see),
   * so it may run alongside the other such probes: their time is spent waiting for refusals and timeouts.
   */
  waitsOnly?: boolean;
  run(target: AppTarget, env: ProbeEnvironment): Promise<{ verdict: Verdict; evidence: string }>;
}

export async function runProbe(probe: Probe, target: AppTarget, env: ProbeEnvironment): Promise<ProbeResult> {
  const started = Date.now();
  const noRunner = noRunnerReason(target);
  if (noRunner) return { probe: probe.id, category: probe.category, target: target.name, verdict: "skipped", evidence: noRunner, durationMs: 0 };
  const notRunning = await waitRunning(target);
  if (notRunning) return { probe: probe.id, category: probe.category, target: target.name, verdict: "skipped", evidence: notRunning, durationMs: Date.now() - started };
  try {
    const { verdict, evidence } = await probe.run(target, env);
    return { probe: probe.id, category: probe.category, target: target.name, verdict, evidence, durationMs: Date.now() - started };
  } catch (error) {
    // a probe that cannot complete proves nothing either way
    return { probe: probe.id, category: probe.category, target: target.name, verdict: "skipped", evidence: `probe error: ${(error as Error).message}`, durationMs: Date.now() - started };
  }
}

/** Waits (bounded) for a container its restart policy is bringing back; a reason when it stays down. */
export async function waitRunning(target: AppTarget, timeoutMs = 30_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = (await target.container.inspect()).State;
    if (state.Running && !state.Restarting) return undefined;
    if (Date.now() > deadline) return `the container is not running (${state.Status}, exit ${state.ExitCode}${state.OOMKilled ? ", OOM-killed" : ""})`;
    await sleep(500);
  }
}

/** stopped when the attack was blocked, NOT STOPPED when it succeeded, skipped when inconclusive. */
export function attackVerdict(attack: "succeeded" | "blocked" | "inconclusive" | undefined): Verdict {
  return attack === "blocked" ? "stopped" : attack === "succeeded" ? "NOT STOPPED" : "skipped";
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Another app to watch while `target` attacks (or undefined when the stack has one app). */
export function victimOf(target: AppTarget, env: ProbeEnvironment): AppTarget | undefined {
  return env.apps.find((app) => app.name !== target.name && runnerOf(app) !== undefined && !app.name.startsWith("negative-control"));
}
