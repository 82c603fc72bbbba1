// Human and machine output of the checker: violations grouped by resource, with rule id, level,
// severity, CIS id and fix. Text output is coloured when asked (a terminal, and NO_COLOR unset).
import type { Finding } from "../policies/evaluate";
import { nounOf } from "../policies/rules/rule";
import { painter, type Style } from "../cli/terminal";
import type { InputKind } from "./inputs";

export interface FileResult {
  file: string;
  kind?: InputKind;
  resources: number;
  /** what this file is charged with (decides the exit code) */
  findings: Finding[];
  /** `--stack`: findings the stack has without the manifest (reported apart, not counted) */
  stackFindings?: Finding[];
  /** set when the file could not be read or parsed */
  error?: string;
}

export interface CheckReport {
  files: FileResult[];
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


export function formatText(report: CheckReport, options: TextOptions = {}): string {
  const paint = painter(options.color);
  const levelStyle = (level: string): Style[] => (level === "mandatory" ? ["bold", "red"] : ["yellow"]);
  const lines: string[] = [];
  for (const file of report.files) {
    if (file.error !== undefined) {
      lines.push(`${paint(file.file, "bold")}: ${paint("unreadable input", "red")}`, `  ${file.error}`, "");
      continue;
    }
    lines.push(`${paint(file.file, "bold")} (${file.kind}, ${plural(file.resources, "resource")} checked)`);
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
  const verdict = report.exitCode === 2 ? paint("unreadable input", "bold", "red") : report.exitCode === 1 ? paint("REJECTED", "bold", "red") : paint("passed", "bold", "green");
  lines.push(
    `${verdict}: ${plural(summary.files, "file")}, ${plural(summary.resources, "resource")}, ${plural(summary.mandatory, "mandatory violation")}, ${plural(summary.advisory, "advisory", "advisories")}` +
      (summary.unreadable > 0 ? `, ${summary.unreadable} unreadable` : ""),
  );
  return lines.join("\n");
}
