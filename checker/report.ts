// Human and machine output of the checker: violations grouped by resource, with rule id, level,
// severity, CIS id and fix.
import type { Finding } from "../policies/evaluate";
import { nounOf } from "../policies/rules/rule";
import type { InputKind } from "./inputs";

export interface FileResult {
  file: string;
  kind?: InputKind;
  resources: number;
  findings: Finding[];
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

export function formatText(report: CheckReport): string {
  const lines: string[] = [];
  for (const file of report.files) {
    if (file.error !== undefined) {
      lines.push(`${file.file}: unreadable input`, `  ${file.error}`, "");
      continue;
    }
    lines.push(`${file.file} (${file.kind}, ${plural(file.resources, "resource")} checked)`);
    const groups = new Map<string, Finding[]>();
    for (const finding of file.findings) {
      const key = `${finding.resourceType}\u0000${finding.resourceName}`;
      groups.set(key, [...(groups.get(key) ?? []), finding]);
    }
    if (groups.size === 0) lines.push("  no violations");
    for (const findings of groups.values()) {
      const { resourceType, resourceName } = findings[0];
      lines.push(`  ${nounOf(resourceType)} "${resourceName}"${nounOf(resourceType) === resourceType ? "" : ` (${resourceType})`}`);
      const prefix = `${nounOf(resourceType)} "${resourceName}": `;
      for (const f of findings) {
        const cis = f.cis ? ` [CIS ${f.cis}]` : "";
        const detail = f.message.startsWith(prefix) ? f.message.slice(prefix.length) : f.message;
        lines.push(`    ${f.enforcementLevel.toUpperCase()} ${f.severity} ${f.ruleId}${cis}`, `      ${detail}`);
      }
    }
    lines.push("");
  }
  const { summary } = report;
  const verdict = report.exitCode === 2 ? "unreadable input" : report.exitCode === 1 ? "REJECTED" : "passed";
  lines.push(
    `${verdict}: ${plural(summary.files, "file")}, ${plural(summary.resources, "resource")}, ${plural(summary.mandatory, "mandatory violation")}, ${plural(summary.advisory, "advisory", "advisories")}` +
      (summary.unreadable > 0 ? `, ${summary.unreadable} unreadable` : ""),
  );
  return lines.join("\n");
}
