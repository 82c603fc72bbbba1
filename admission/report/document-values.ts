// Small number, time and "unknown" formats the document's sections share.
// A part of the observation that is absent is "unknown" with the problem that says why, never a zero.
import type { BehaviourStep } from "./model";
import type { Block, Cell, Fact, Tone } from "./document-model";

const MIB = 1024 * 1024;

export function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

/** 850 ms, 12.3 s, 4 min 05 s, 1 h 02 min */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "unknown";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

export const num = (n: number): Cell => ({ text: String(n) });
/** A count as a fact, painted `tone` when it is not zero (zero is the usual, unremarkable case). */
export const countFact = (label: string, n: number, tone: Tone): Fact => ({ label, value: String(n), ...(n ? { tone } : {}) });
export const entries = <T>(record: Record<string, T> | undefined): [string, T][] => Object.entries(record ?? {});

/**
 * Why a part of the observation is unknown: the problems that name it (those that say "unknown" first),
 * else the step's error, else a plain statement that no reason was recorded.
 */
export function unknownBecause(step: BehaviourStep, mentions: RegExp): string {
  const problems = step.observation?.problems ?? [];
  const naming = problems.filter((p) => mentions.test(p));
  const saying = naming.filter((p) => /unknown|not read|could not|does not exist|no .* was given/i.test(p));
  const why = (saying.length ? saying : naming).join("; ");
  if (why) return why;
  if (step.error) return step.error;
  if (!step.observation) return "the app was not observed";
  return "no reason was recorded";
}

export const unknownText = (why: string): Block => ({ kind: "text", text: `unknown: ${why}`, tone: "warn" });
