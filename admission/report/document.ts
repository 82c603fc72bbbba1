// The whole admission report as the document both pages draw: verdict, summary line, reasons and notes
// grouped by step, then one section per step.
import { plural } from "../verdict";
import type { AdmissionReport } from "./model";
import { OUTCOME_TONE, Outcome, ReportDocument, Section, STATUS_TONE, STEP_ORDER, STEP_TITLES, outcomeOf } from "./document-model";
import { duration, num } from "./document-values";
import { behaviourSection } from "./sections/behaviour";
import { attackSection, dependencySection, manifestSection } from "./sections/steps";

function grouped(reasons: AdmissionReport["reasons"]) {
  return STEP_ORDER.map((step) => ({ step, title: STEP_TITLES[step], texts: reasons.filter((r) => r.step === step).map((r) => r.text) })).filter((g) => g.texts.length);
}

function summaryLine(report: AdmissionReport, outcome: Outcome): string {
  const errored = STEP_ORDER.filter((step) => report.steps[step].status === "error").map((step) => STEP_TITLES[step].toLowerCase());
  const steps = new Set(report.reasons.map((r) => r.step)).size;
  const reasons = `${plural(report.reasons.length, "reason")} from ${plural(steps, "step")}`;
  if (outcome === "ADMITTED") return `Every step passed${report.notes.length ? `; ${plural(report.notes.length, "note")}` : ""}.`;
  if (errored.length) return `Not carried out to the end: ${errored.join(", ")} could not run; ${reasons}.`;
  return `${reasons[0].toUpperCase()}${reasons.slice(1)}.`;
}

/** The report as the blocks both pages draw, in page order. */
export function reportDocument(report: AdmissionReport): ReportDocument {
  const outcome = outcomeOf(report);
  const steps: Section = {
    title: "Steps",
    blocks: [
      {
        kind: "table",
        columns: [{ title: "step" }, { title: "status" }, { title: "reasons", numeric: true }],
        rows: STEP_ORDER.map((step) => [{ text: STEP_TITLES[step] }, { text: report.steps[step].status, tone: STATUS_TONE[report.steps[step].status] }, num(report.reasons.filter((r) => r.step === step).length)]),
      },
    ],
  };
  return {
    outcome,
    tone: OUTCOME_TONE[outcome],
    app: report.app,
    summary: summaryLine(report, outcome),
    headline: [
      { label: "app", value: report.app },
      { label: "image", value: report.image },
      { label: "stack", value: report.stack },
      { label: "manifest", value: report.manifest },
      ...(report.sbom ? [{ label: "SBOM", value: report.sbom }] : []),
      { label: "duration", value: `${duration(report.durationMs)} (${report.startedAt} to ${report.finishedAt})` },
      { label: "exit code", value: String(report.exitCode) },
      ...(report.record ? [{ label: "admission record", value: report.record }] : []),
    ],
    reasons: grouped(report.reasons),
    notes: grouped(report.notes),
    sections: [steps, manifestSection(report.steps.manifest), dependencySection(report.steps.dependencies), attackSection(report.steps.attacks), behaviourSection(report.steps.behaviour)],
  };
}
