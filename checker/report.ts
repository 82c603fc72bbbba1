// Human and machine output of the checker: violations grouped by resource, with rule id, level,
// severity, CIS id and fix. Text output is coloured when asked (a terminal, and NO_COLOR unset).
import type { Finding } from "../policies/evaluate";
import { ruleById } from "../policies/registry";
import { nounOf } from "../policies/rules/rule";
import { painter, type Style } from "../cli/terminal";
import type { InputKind } from "./inputs";

/** What the rules had to check: a pass over zero resources is no pass. */
export interface Coverage {
  /** resources of each type some rule checks, by noun: `{ container: 0, service: 7, network: 5, ... }` */
  resources: Record<string, number>;
  /** rule id → resources it checked (enabled rules only) */
  rules: Record<string, number>;
}

export interface FileResult {
  file: string;
  kind?: InputKind;
  resources: number;
  /** what this file is charged with (decides the exit code) */
  findings: Finding[];
  /** `--stack`: findings the stack has without the manifest (reported apart, not counted) */
  stackFindings?: Finding[];
  /** set when the file could not be read or parsed, or nothing in it could be checked */
  error?: string;
  coverage?: Coverage;
}

export interface CheckReport {
  files: FileResult[];
  /** `unreadable`: files that could not be read, or in which no rule found anything to check (exit 2 either way) */
  summary: { files: number; resources: number; mandatory: number; advisory: number; unreadable: number };
  exitCode: 0 | 1 | 2;
}

export function buildReport(files: FileResult[]): CheckReport {
  const all = files.flatMap((f) => f.findings);
  const summary = {
    files: files.length,
    resources: files.reduce((sum, f) => sum + f.resources, 0),
    mandatory: all.filter((f) => f.enforcementLevel === "mandatory").length,
    advisory: all.filter((f) => f.enforcementLevel === "advisory").length,
    unreadable: files.filter((f) => f.error !== undefined).length,
  };
  const exitCode = summary.unreadable > 0 ? 2 : summary.mandatory > 0 ? 1 : 0;
  return { files, summary, exitCode };
}

export function formatJson(report: CheckReport): string {
  return JSON.stringify(report, null, 2);
}

function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

export interface TextOptions {
  /** ANSI colours (the CLI turns them on for a terminal without NO_COLOR) */
  color?: boolean;
}


/** `  checked: 7 services, 5 networks, 0 containers; 38 rules checked at least one, 39 had nothing to check (28 container rules, ...)` */
export function coverageLine(coverage: Coverage): string {
  const types = Object.entries(coverage.resources)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([noun, count]) => plural(count, noun));
  const rules = Object.entries(coverage.rules);
  const idle = rules.filter(([, count]) => count === 0);
  const groups = new Map<string, number>();
  for (const [id] of idle) {
    const rule = ruleById(id);
    const group = rule === undefined ? "other" : rule.kind === "resource" ? `${nounOf(rule.resourceType)} rule` : `stack rule over ${rule.subjectTypes.map((t) => `${nounOf(t)}s`).join(" and ")}`;
    groups.set(group, (groups.get(group) ?? 0) + 1);
  }
  const idleText = idle.length === 0 ? "" : ` (${[...groups].map(([group, count]) => (count === 1 ? `1 ${group}` : `${count} ${group.replace(/ rule/, " rules")}`)).join(", ")})`;
  return `  checked: ${types.join(", ")}; ${plural(rules.length - idle.length, "rule")} checked at least one, ${idle.length} had nothing to check${idleText}`;
}

export function formatText(report: CheckReport, options: TextOptions = {}): string {
  const paint = painter(options.color);
  const levelStyle = (level: string): Style[] => (level === "mandatory" ? ["bold", "red"] : ["yellow"]);
  const lines: string[] = [];
  for (const file of report.files) {
    if (file.error !== undefined) {
      lines.push(`${paint(file.file, "bold")}: ${paint(file.coverage ? "nothing checked" : "unreadable input", "red")}`, `  ${file.error}`, "");
      continue;
    }
    lines.push(`${paint(file.file, "bold")} (${file.kind}, ${plural(file.resources, "resource")} checked)`);
    if (file.coverage) lines.push(paint(coverageLine(file.coverage), "dim"));
    const groups = new Map<string, Finding[]>();
    for (const finding of file.findings) {
      const key = `${finding.resourceType}\u0000${finding.resourceName}`;
      groups.set(key, [...(groups.get(key) ?? []), finding]);
    }
    if (groups.size === 0) lines.push(`  ${paint("no violations", "green")}`);
    for (const findings of groups.values()) {
      const { resourceType, resourceName } = findings[0];
      lines.push(`  ${paint(`${nounOf(resourceType)} "${resourceName}"`, "bold")}${nounOf(resourceType) === resourceType ? "" : ` (${resourceType})`}`);
      const prefix = `${nounOf(resourceType)} "${resourceName}": `;
      for (const f of findings) {
        const cis = f.cis ? ` [CIS ${f.cis}]` : "";
        const detail = f.message.startsWith(prefix) ? f.message.slice(prefix.length) : f.message;
        lines.push(`    ${paint(f.enforcementLevel.toUpperCase(), ...levelStyle(f.enforcementLevel))} ${f.severity} ${f.ruleId}${cis}`, `      ${detail}`);
      }
    }
    if (file.stackFindings && file.stackFindings.length > 0) {
      const mandatory = file.stackFindings.filter((f) => f.enforcementLevel === "mandatory").length;
      const advisory = file.stackFindings.length - mandatory;
      lines.push(
        paint(
          `  the stack itself has ${plural(mandatory, "mandatory violation")} and ${plural(advisory, "advisory", "advisories")} without this manifest: not counted here (check the stack's own export for them)`,
          "dim",
        ),
      );
    }
    lines.push("");
  }
  const { summary } = report;
  // summary.unreadable counts both; the text tells a file nothing could be checked in from an unreadable one
  const empty = report.files.filter((f) => f.error !== undefined && f.coverage !== undefined).length;
  const unreadable = summary.unreadable - empty;
  const failed = unreadable > 0 ? "unreadable input" : "nothing checked";
  const verdict = report.exitCode === 2 ? paint(failed, "bold", "red") : report.exitCode === 1 ? paint("REJECTED", "bold", "red") : paint("passed", "bold", "green");
  lines.push(
    `${verdict}: ${plural(summary.files, "file")}, ${plural(summary.resources, "resource")}, ${plural(summary.mandatory, "mandatory violation")}, ${plural(summary.advisory, "advisory", "advisories")}` +
      (unreadable > 0 ? `, ${unreadable} unreadable` : "") +
      (empty > 0 ? `, ${empty} with nothing checked` : ""),
  );
  return lines.join("\n");
}
