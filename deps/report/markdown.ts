// The dependency check as a person reads it: verdict and reasons first, then findings per component.
import type { DependencyReport } from "../check";
import type { RecheckReport } from "../recheck";

/** `1 component`, `2 components`. */
function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** A table cell: no line breaks, pipes escaped. */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

function list<T>(items: readonly T[], show: (item: T) => string, limit = 50): string[] {
  const lines = items.slice(0, limit).map((item) => `- ${show(item)}`);
  if (items.length > limit) lines.push(`- ... and ${items.length - limit} more (see the JSON report)`);
  return lines;
}

export function formatDependencyMarkdown(report: DependencyReport): string {
  const out: string[] = [];
  out.push(`# Dependency check${report.app ? ` of ${report.app}` : ""}: ${report.verdict === "pass" ? "PASS" : "REJECT"}`, "");
  const { sbom, image, database, policy, summary } = report;
  out.push(`- SBOM: ${sbom.file} (${sbom.format} ${sbom.specVersion}, ${count(sbom.components, "component")}${sbom.subject?.name ? `, describes ${sbom.subject.name}${sbom.subject.version ? ` ${sbom.subject.version}` : ""}` : ""})`);
  if (image) out.push(`- Image: ${image.ref} (${image.id.slice(0, 19)}${image.distribution ? `, ${image.distribution}` : ""}, ${count(image.components, "package")} read from ${count(image.filesRead, "file")})`);
  out.push(
    `- Vulnerability database: ${database.dir} (${count(database.records, "advisory", "advisories")}${database.newestModified ? `, newest modified ${database.newestModified}` : ""}${database.withdrawn ? `, ${database.withdrawn} withdrawn ignored` : ""}${database.broken ? `, ${count(database.broken, "broken record")} skipped` : ""})`,
  );
  out.push(`- Policy: reject at or above ${policy.rejectAtOrAbove}; unknown severity: ${policy.unknownSeverity}; incomplete SBOM: ${policy.incompleteSbom}; ${count(policy.exceptions, "exception")}`);
  out.push(
    `- Checked ${count(summary.componentsChecked, "component")} (${summary.componentsUnchecked} could not be checked): ${count(summary.vulnerabilities, "vulnerability", "vulnerabilities")} in ${count(summary.vulnerableComponents, "component")}, ${summary.rejecting} rejecting, ${summary.excepted} excepted`,
    "",
  );

  if (report.reasons.length) out.push("## Why it is rejected", "", ...list(report.reasons, (r) => r), "");

  out.push(`## Findings (${count(summary.vulnerableComponents, "component")})`, "");
  if (report.findings.length === 0) out.push("No checked component is affected by any advisory in the database.", "");
  else {
    out.push("| Component | Found in | Advisory | Also known as | Severity | Fixed in | Ruling |", "|---|---|---|---|---|---|---|");
    for (const finding of report.findings) {
      const component = `${finding.name} ${finding.version}${finding.source && finding.source.name !== finding.name ? ` (source ${finding.source.name} ${finding.source.version})` : ""} · ${finding.ecosystem}`;
      for (const v of finding.vulnerabilities) {
        const severity = v.severity.score !== undefined ? `${v.severity.level} ${v.severity.score.toFixed(1)}` : v.severity.level;
        out.push(
          `| ${cell(component)} | ${finding.foundIn.join(", ")} | ${cell(v.id)} | ${cell(v.aliases.join(", ") || "-")} | ${severity} | ${cell(v.fixed.join(", ") || "none known")} | ${v.rejects ? "**rejects**: " : ""}${cell(v.ruling)} |`,
        );
      }
    }
    out.push("");
  }

  const whole = report.unchecked.filter((u) => !u.partly);
  const partly = report.unchecked.filter((u) => u.partly);
  if (whole.length) out.push(`## Not checked (${whole.length})`, "", ...list(whole, (u) => `${u.purl} (${u.foundIn.join(", ")}): ${u.problem}`), "");
  if (partly.length) out.push(`## Checked, but some advisories could not be decided (${partly.length})`, "", ...list(partly, (u) => `${u.purl} (${u.foundIn.join(", ")}): ${u.problem}`), "");
  const diff = report.inventoryDiff;
  if (diff) {
    out.push("## SBOM against the image", "");
    if (!diff.missingFromSbom.length && !diff.missingFromImage.length && !diff.versionDiffers.length) out.push("The SBOM lists exactly the packages found in the image.", "");
    if (diff.missingFromSbom.length) out.push(`In the image but not in the SBOM (${diff.missingFromSbom.length}):`, "", ...list(diff.missingFromSbom, (p) => p), "");
    if (diff.missingFromImage.length) out.push(`In the SBOM but not found in the image (${diff.missingFromImage.length}):`, "", ...list(diff.missingFromImage, (p) => p), "");
    if (diff.versionDiffers.length) out.push(`At another version in the image (${diff.versionDiffers.length}):`, "", ...list(diff.versionDiffers, (d) => `SBOM ${d.sbom}, image ${d.image}`), "");
  }
  if (report.inputProblems.length) out.push(`## Input problems (${report.inputProblems.length}; the rest was checked)`, "", ...list(report.inputProblems, (p) => `${p.input} ${p.at}: ${p.problem}`), "");
  return out.join("\n");
}

export function formatRecheckMarkdown(report: RecheckReport): string {
  const out: string[] = [];
  const title = { ok: "nothing changed that needs action", notice: "changes to look at", attention: "ACTION NEEDED" }[report.verdict];
  out.push(`# Dependency re-check of stack ${report.stack}: ${title}`, "");
  const db = report.database;
  out.push(`- Vulnerability database: ${db.dir} (${count(db.records, "advisory", "advisories")}${db.newestModified ? `, newest modified ${db.newestModified}` : ""}${db.broken ? `, ${count(db.broken, "broken record")} skipped` : ""})`);
  out.push(`- ${count(report.apps.length, "admitted app")} re-checked at ${report.checkedAt}`, "");
  if (report.notAdmitted.length) out.push(`## In the stack but never admitted (${report.notAdmitted.length})`, "", ...list(report.notAdmitted, (a) => `${a}: no admission record; run the admission for it`), "");
  if (report.unreadableRecords.length) out.push(`## Unreadable admission records (${report.unreadableRecords.length})`, "", ...list(report.unreadableRecords, (r) => `${r.file}: ${r.problem}`), "");
  for (const app of report.apps) {
    out.push(`## ${app.app}: ${app.status === "rejects" ? "would be REJECTED today" : "still passes"}`, "");
    out.push(`Admitted ${app.admittedAt}; compared with the ${app.comparedWith.kind} of ${app.comparedWith.at}.${app.unchecked ? ` ${app.unchecked} component(s) could not be checked.` : ""}`, "");
    if (app.reasons.length) out.push("Why:", "", ...list(app.reasons, (r) => r), "");
    if (app.newFindings.length) {
      out.push(`New since then (${app.newFindings.length}):`, "", "| Component | Advisory | Also known as | Severity | Fixed in | Ruling |", "|---|---|---|---|---|---|");
      for (const f of app.newFindings) out.push(`| ${cell(f.purl)} | ${cell(f.id)} | ${cell(f.aliases.join(", ") || "-")} | ${f.severity} | ${cell(f.fixed.join(", ") || "none known")} | ${f.rejects ? "**rejects**: " : ""}${cell(f.ruling)} |`);
      out.push("");
    }
    if (app.deadlines.length) out.push("Deadlines:", "", ...list(app.deadlines, (d) => `${d.vulnerability}${d.id !== d.vulnerability ? ` (excepted as ${d.id})` : ""} in ${d.purl}: ${d.expired ? `the exception EXPIRED on ${d.expires}` : `the exception expires ${d.expires} (${d.daysLeft} day(s) left)`}: ${d.reason}`), "");
    if (app.resolved.length) out.push(`No longer matching (${app.resolved.length}):`, "", ...list(app.resolved, (r) => r), "");
  }
  if (report.orphanRecords.length) out.push(`## Records of apps no longer in the stack (${report.orphanRecords.length})`, "", ...list(report.orphanRecords, (a) => a), "");
  return out.join("\n");
}
