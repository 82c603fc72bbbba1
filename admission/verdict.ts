// The admission's rulings, as pure functions of what each step found: which findings reject the app,
// which are only noted, and which mean the step could not be carried out (an error, exit 2). The
// command (admission/admit.ts) runs the steps; everything it decides is decided here.
import { attacksRun, noAttackRan } from "../sandbox/report";
import type { ProbeResult } from "../sandbox/probes/types";
import type { Finding } from "../policies/evaluate";
import type { Observation } from "./observe";
import type { AdmissionReport, NetworkCounters, Reason, StepName, StepStatus } from "./report/model";

/** What one step says: its status, the reasons that reject (or why it could not run) and notes. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface Ruling {
  status: StepStatus;
  reasons: string[];
  notes: string[];
}

const MIB = 1024 * 1024;

function ruling(reasons: string[], notes: string[], errors: string[] = []): Ruling {
  if (errors.length) return { status: "error", reasons: [...errors, ...reasons], notes };
  return { status: reasons.length ? "reject" : "pass", reasons, notes };
}

/** The policy pack on the manifest in the stack: mandatory findings reject, advisories are noted. */
export function manifestRuling(findings: readonly Finding[], stackFindings: number): Ruling {
  // the pack's messages already name the resource and what is wrong with it
  const describe = (f: Finding) => `${f.ruleId}${f.cis ? ` [CIS ${f.cis}]` : ""}: ${f.message}`;
  const notes = findings.filter((f) => f.enforcementLevel !== "mandatory").map((f) => `advisory ${describe(f)}`);
  if (stackFindings > 0) notes.push(`the stack itself has ${plural(stackFindings, "finding")} without this app: not charged to it`);
  return ruling(findings.filter((f) => f.enforcementLevel === "mandatory").map(describe), notes);
}

/**
 * The attack probes run inside the app. An attack that was not stopped rejects; a control check that
 * failed (the platform did not work as declared), a declared value the engine did not honour, or a run in
 * which no attack ran means the attacks proved nothing about this app: the step could not be carried out.
 */
export function attackRuling(results: readonly ProbeResult[], discrepancies: readonly { resource: string; field: string; declared: string; actual: string }[]): Ruling {
  const reasons = results.filter((r) => r.verdict === "NOT STOPPED").map((r) => `attack ${r.probe} (${r.category}) was NOT STOPPED: ${r.evidence}`);
  const errors = results.filter((r) => r.verdict === "FAILED").map((r) => `control check ${r.probe} FAILED, so the platform did not work as declared and the attacks prove nothing: ${r.evidence}`);
  errors.push(...discrepancies.map((d) => `${d.resource} ${d.field}: declared ${d.declared}, but the engine has ${d.actual}: what was attacked is not what was declared`));
  const nothing = noAttackRan(results);
  if (nothing) errors.push(nothing);
  const skipped = new Map<string, string[]>();
  for (const r of results.filter((r) => r.verdict === "skipped")) skipped.set(r.evidence, [...(skipped.get(r.evidence) ?? []), r.probe]);
  const notes = [...skipped].map(([why, probes]) => `${plural(probes.length, "probe")} skipped (${probes.join(", ")}): ${why}`);
  if (!nothing) notes.unshift(`${plural(attacksRun(results), "attack")} ran inside the app, ${results.filter((r) => r.verdict === "stopped").length} stopped`);
  return ruling(reasons, notes, errors);
}

/** The app's declared limits, to say how close to them it came. */
export interface AppLimits {
  memoryMb: number;
  maxProcesses: number;
}

function countsText(counts: Record<string, number>, shown = 5): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const text = entries.slice(0, shown).map(([key, n]) => `${key} (${n})`).join(", ");
  return entries.length > shown ? `${text}, ... ${entries.length - shown} more` : text;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

function gatewayReasons(gateway: NonNullable<Observation["gateway"]>): string[] {
  const reasons: string[] = [];
  if (gateway.unauthorized) reasons.push(`${plural(gateway.unauthorized, "gateway call")} without a valid token (401): an app gets a token from the identity provider before it calls a service`);
  if (gateway.forbidden) reasons.push(`${plural(gateway.forbidden, "gateway call")} to a service, method or path it was not granted (403)`);
  if (gateway.rateLimited) reasons.push(`${plural(gateway.rateLimited, "gateway call")} over its rate limit (429)`);
  return reasons;
}

function networkReasons(network: NetworkCounters): { reasons: string[]; notes: string[] } {
  const reasons: string[] = [];
  const notes: string[] = [];
  const around = "services are reached only through the gateway and the internet only through the egress proxy";
  if (network.offNetwork.length) {
    const shown = network.offNetwork.slice(0, 5).map((s) => `${s.protocol} ${s.remote} (${s.states.join(", ")})`);
    reasons.push(`connections straight to addresses outside its network: ${shown.join(", ")}${network.offNetwork.length > 5 ? `, ... ${network.offNetwork.length - 5} more` : ""}; ${around}`);
  }
  if (network.noRoute) reasons.push(`${plural(network.noRoute, "packet")} to addresses its network has no route to: ${around}`);
  if (network.failedConnects) notes.push(`${plural(network.failedConnects, "TCP connection attempt")} on its own network failed (refused or unanswered)`);
  return { reasons, notes };
}

/**
 * The observed behaviour. Anything the monitor would have banned it for rejects, and so do calls the
 * gateway refused, hosts the egress proxy denied, direct connections, OOM kills, restarts, exits,
 * an unhealthy end and reaching the process limit. A source that could not be read leaves its part
 * unknown: that is an error (the app was not shown to behave), never a pass.
 */
export function behaviourRuling(observation: Observation, limits: AppLimits): Ruling {
  const reasons: string[] = [];
  const notes: string[] = [];
  const errors: string[] = [];
  const unknown = (part: string) => errors.push(`its ${part} could not be observed, so it is unknown: ${observation.problems.join("; ") || "no reason was recorded"}`);

  for (const ban of observation.wouldBan ?? []) reasons.push(`the security monitor would have banned it: ${ban.description} (${ban.count} from ${ban.firstTime} to ${ban.lastTime})`);
  if (observation.gateway) reasons.push(...gatewayReasons(observation.gateway));
  else unknown("gateway calls");
  if (observation.egress) {
    const denied = sum(observation.egress.denied);
    if (denied) reasons.push(`${plural(denied, "request")} to hosts outside its egress whitelist, denied by the egress proxy: ${countsText(observation.egress.denied)}`);
  } else unknown("egress requests");
  if (observation.network) {
    const network = networkReasons(observation.network);
    reasons.push(...network.reasons);
    notes.push(...network.notes);
  } else unknown("direct connection attempts");
  const lifecycle = observation.lifecycle;
  if (lifecycle) {
    if (lifecycle.oomKilled) reasons.push(`killed ${plural(lifecycle.oomKilled, "time")} for running out of memory (its limit is ${limits.memoryMb} MiB)`);
    if (lifecycle.restarts) reasons.push(`restarted ${plural(lifecycle.restarts, "time")}`);
    for (const exit of lifecycle.exits) reasons.push(`exited with code ${exit.code} at ${exit.at}`);
    if (lifecycle.health.final === "unhealthy") reasons.push("its healthcheck said unhealthy at the end of the observation");
  } else unknown("restarts, exits and health");
  const resources = observation.resources;
  if (resources) {
    if (resources.pidsPeak >= limits.maxProcesses) reasons.push(`reached its process limit of ${limits.maxProcesses} (it peaked at ${resources.pidsPeak} processes and threads): a fork bomb or a runaway pool`);
    const limitBytes = resources.memoryLimitBytes ?? limits.memoryMb * MIB;
    if (!lifecycle?.oomKilled && resources.memoryPeakBytes >= 0.9 * limitBytes) notes.push(`its memory peaked at ${(resources.memoryPeakBytes / MIB).toFixed(0)} MiB of its ${(limitBytes / MIB).toFixed(0)} MiB limit`);
    if (resources.samples === 0) unknown("resource use");
  } else unknown("resource use");
  const refused = observation.gateway ? sum(observation.gateway.refused) : 0;
  if (refused) notes.push(`the gateway refused or cut ${plural(refused, "call")} itself: ${countsText(observation.gateway!.refused)}`);
  if (!errors.length) notes.push(...observation.problems.map((p) => `observation: ${p}`));
  return ruling(reasons, notes, errors);
}

/**
 * The verdict over every step: admitted only when every step ran and passed. One finding that rejects is
 * enough to reject (exit 1) even when another step could not be carried out; without one, a step that
 * could not be carried out leaves the app unadmitted with exit 2.
 */
export function overallVerdict(steps: Record<StepName, Ruling>): Pick<AdmissionReport, "verdict" | "exitCode" | "reasons" | "notes"> {
  const order: StepName[] = ["manifest", "dependencies", "attacks", "behaviour"];
  const reasons: Reason[] = order.flatMap((step) => steps[step].reasons.map((text) => ({ step, text })));
  const notes: Reason[] = order.flatMap((step) => steps[step].notes.map((text) => ({ step, text })));
  const statuses = order.map((step) => steps[step].status);
  const exitCode = statuses.includes("reject") ? 1 : statuses.includes("error") ? 2 : 0;
  return { verdict: exitCode === 0 ? "admit" : "reject", exitCode, reasons, notes };
}
