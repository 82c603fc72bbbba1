// The admission report's pages as plain blocks (facts, lists, tables) that the Markdown and HTML renderers
// draw without deciding anything themselves: both pages then always show the same facts.
// Every text in a block is raw (vendor-controlled strings included); each renderer escapes for its own syntax.
import type { AdmissionReport, StepName, StepStatus } from "./model";

/** How a value is painted: good (green), bad (red), warn (amber), muted (grey). */
export type Tone = "good" | "bad" | "warn" | "muted";

export interface Cell {
  text: string;
  tone?: Tone;
}

export interface Fact {
  label: string;
  value: string;
  tone?: Tone;
}

export interface Column {
  title: string;
  /** right-aligned */
  numeric?: boolean;
}

export type Block =
  | { kind: "heading"; text: string }
  | { kind: "facts"; items: Fact[] }
  | { kind: "list"; items: string[] }
  | { kind: "text"; text: string; tone?: Tone }
  | { kind: "table"; columns: Column[]; rows: Cell[][] };

export interface Section {
  step?: StepName;
  title: string;
  status?: StepStatus;
  blocks: Block[];
}

export type Outcome = "ADMITTED" | "REJECTED" | "COULD NOT BE CARRIED OUT";

export interface ReportDocument {
  outcome: Outcome;
  tone: Tone;
  app: string;
  /** one line under the verdict: how many reasons from which steps */
  summary: string;
  headline: { label: string; value: string }[];
  /** every reason, grouped by the step that found it, in step order */
  reasons: { step: StepName; title: string; texts: string[] }[];
  notes: { step: StepName; title: string; texts: string[] }[];
  sections: Section[];
}

export const STEP_ORDER: readonly StepName[] = ["manifest", "dependencies", "attacks", "behaviour"];
export const STEP_TITLES: Record<StepName, string> = {
  manifest: "Manifest policy check",
  dependencies: "Dependency check",
  attacks: "Attack probes in the sandbox",
  behaviour: "Observed behaviour",
};

export function outcomeOf(report: Pick<AdmissionReport, "exitCode" | "verdict">): Outcome {
  if (report.exitCode === 2) return "COULD NOT BE CARRIED OUT";
  return report.verdict === "admit" ? "ADMITTED" : "REJECTED";
}

export const OUTCOME_TONE: Record<Outcome, Tone> = { ADMITTED: "good", REJECTED: "bad", "COULD NOT BE CARRIED OUT": "warn" };
export const STATUS_TONE: Record<StepStatus, Tone> = { pass: "good", reject: "bad", error: "warn" };

