// The probe report: a terminal table, JSON and Markdown.
import { painter, type Style } from "../cli/terminal";
import { isFailure, ProbeResult } from "./probes/types";

export interface SandboxReport {
  runId: string;
  stack: string;
  startedAt: string;
  /** components that could not start, with the reason */
  notStarted: { resource: string; reason: string }[];
  /** declared values the engine did not honour; any makes the run fail */
  discrepancies: { resource: string; field: string; declared: string; actual: string }[];
  results: ProbeResult[];
  summary: Record<string, number>;
  passed: boolean;
  /** set when the run itself failed (e.g. an input the sandbox cannot reproduce) */
  error?: string;
}

function summarize(results: ProbeResult[]): Record<string, number> {
  const summary: Record<string, number> = { stopped: 0, "NOT STOPPED": 0, ok: 0, FAILED: 0, skipped: 0 };
  for (const r of results) summary[r.verdict] += 1;
  return summary;
}

/** Attack probes that ran to an outcome (stopped or NOT STOPPED); control checks and skipped probes do not count. */
export function attacksRun(results: readonly ProbeResult[]): number {
  return results.filter((r) => r.verdict === "stopped" || r.verdict === "NOT STOPPED").length;
}

/**
 * Why a run in which no attack ran proves nothing, or undefined when some ran: a sandbox run never
 * passes on probes that were all skipped (e.g. images without the tools a probe needed).
 */
export function noAttackRan(results: readonly ProbeResult[]): string | undefined {
  if (attacksRun(results) > 0) return undefined;
  if (results.length === 0) return "no attack ran: no probe was selected for any app (check --only and that the stack has apps)";
  const reasons = new Map<string, number>();
  for (const r of results.filter((r) => r.verdict === "skipped")) reasons.set(r.evidence, (reasons.get(r.evidence) ?? 0) + 1);
  const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([reason, n]) => `${n}× ${reason}`);
  return `no attack ran: all ${results.length} probes ended without an attack outcome${top.length ? ` (skipped: ${top.join("; ")})` : ""}; the run proves nothing`;
}

export function buildReport(runId: string, stack: string, startedAt: Date, notStarted: SandboxReport["notStarted"], discrepancies: SandboxReport["discrepancies"], results: ProbeResult[]): SandboxReport {
  const nothingRan = noAttackRan(results);
  return {
    runId,
    stack,
    startedAt: startedAt.toISOString(),
    notStarted,
    discrepancies,
    results,
    summary: summarize(results),
    passed: !results.some(isFailure) && discrepancies.length === 0 && nothingRan === undefined,
    ...(nothingRan ? { error: nothingRan } : {}),
  };
}

const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

const VERDICT_STYLE: Record<ProbeResult["verdict"], Style[]> = { stopped: ["green"], ok: ["green"], "NOT STOPPED": ["bold", "red"], FAILED: ["bold", "red"], skipped: ["yellow"] };

/** The results as a table; `color` paints each verdict (the CLI turns it on for a terminal without NO_COLOR). */
export function formatTable(results: ProbeResult[], evidenceWidth = 110, color = false): string {
  const paint = painter(color);
  const rows = results.map((r) => [r.target, r.probe, r.verdict, clip(r.evidence.replace(/\s+/g, " "), evidenceWidth)]);
  const header = ["target", "probe", "verdict", "evidence"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[], verdict?: ProbeResult["verdict"]) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i]);
        return i === 2 && verdict ? paint(padded, ...VERDICT_STYLE[verdict]) : padded;
      })
      .join("  ");
  const summary = summarize(results);
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map((row, i) => line(row, results[i].verdict)), "", Object.entries(summary).map(([k, v]) => `${k}: ${v}`).join("  ")].join("\n");
}

const md = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function formatMarkdown(report: SandboxReport): string {
  const lines = [
    `# Sandbox probe report: stack ${report.stack}`,
    "",
    `Run ${report.runId}, started ${report.startedAt}. Result: **${report.passed ? "every runnable probe stopped" : "NOT everything was stopped or in force"}**.`,
    "",
    Object.entries(report.summary).map(([k, v]) => `${k}: ${v}`).join(" · "),
    "",
    ...(report.error ? [`**The run failed:** ${md(report.error)}`, ""] : []),
  ];
  if (report.notStarted.length) {
    lines.push("## Not started", "", ...report.notStarted.map((n) => `- ${n.resource}: ${n.reason}`), "");
  }
  if (report.discrepancies.length) {
    lines.push("## Declared but not in force", "", ...report.discrepancies.map((d) => `- ${d.resource} ${d.field}: declared ${d.declared}, actual ${d.actual}`), "");
  }
  lines.push("## Probes", "", "| target | probe | verdict | evidence |", "| --- | --- | --- | --- |");
  for (const r of report.results) lines.push(`| ${md(r.target)} | ${md(r.probe)} | ${r.verdict === "NOT STOPPED" || r.verdict === "FAILED" ? `**${r.verdict}**` : r.verdict} | ${md(r.evidence)} |`);
  return lines.join("\n") + "\n";
}
