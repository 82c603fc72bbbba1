// The sections of the report for the manifest, dependency and attack steps: what each step checked and found.
import { plural } from "../../verdict";
import type { AttackStep, DependencyStep, ManifestStep } from "../model";
import { Block, Cell, Section, STEP_TITLES, Tone } from "../document-model";
import { countFact, duration, entries, unknownText } from "../document-values";

const VERDICT_TONE: Record<string, Tone> = { stopped: "good", ok: "good", "NOT STOPPED": "bad", FAILED: "bad", skipped: "muted" };

/** "docker:index/container:Container" → "container": the pack's resource types end in their noun. */
const resourceNoun = (type: string) => (/^docker:index\/\w+:\w+$/.test(type) ? type.split(":").at(-1)!.toLowerCase() : type);

export function manifestSection(step: ManifestStep): Section {
  const blocks: Block[] = [
    {
      kind: "facts",
      items: [
        { label: "resources checked", value: String(step.resourcesChecked) },
        { label: "findings the manifest brings", value: String(step.findings.length) },
        { label: "findings of the stack itself (not charged)", value: String(step.stackFindings) },
      ],
    },
  ];
  if (step.findings.length === 0) blocks.push({ kind: "text", text: "The manifest brings no finding." });
  else
    blocks.push({
      kind: "table",
      columns: [{ title: "rule" }, { title: "level" }, { title: "resource" }, { title: "field" }, { title: "message" }, { title: "fix" }],
      rows: step.findings.map((f) => [
        { text: f.cis ? `${f.ruleId} (CIS ${f.cis})` : f.ruleId },
        { text: `${f.enforcementLevel}, ${f.severity}${f.unknown ? ", on a value unknown until deploy" : ""}`, tone: f.enforcementLevel === "mandatory" ? "bad" : "warn" },
        { text: `${resourceNoun(f.resourceType)} ${f.resourceName}` },
        { text: f.field },
        { text: f.message },
        { text: f.remediation },
      ]),
    });
  return { step: "manifest", title: STEP_TITLES.manifest, status: step.status, blocks };
}

export function dependencySection(step: DependencyStep): Section {
  const blocks: Block[] = [];
  if (step.error) blocks.push({ kind: "text", text: `The check could not be carried out: ${step.error}`, tone: "warn" });
  const report = step.report;
  if (!report) {
    if (!step.error) blocks.push(unknownText("the dependency check left no report"));
    return { step: "dependencies", title: STEP_TITLES.dependencies, status: step.status, blocks };
  }
  const { summary, policy } = report;
  blocks.push({
    kind: "facts",
    items: [
      { label: "SBOM", value: `${report.sbom.file} (${report.sbom.format} ${report.sbom.specVersion}, ${plural(report.sbom.components, "component")}, sha256 ${report.sbom.sha256})` },
      { label: "image", value: report.image ? `${report.image.ref} (${report.image.distribution ?? "distribution unknown"}, ${plural(report.image.components, "package")} from ${plural(report.image.filesRead, "file")})` : "not read: only the SBOM was checked" },
      { label: "advisory database", value: `${report.database.records} records${report.database.newestModified ? `, newest modified ${report.database.newestModified}` : ""}${report.database.broken ? `, ${report.database.broken} unreadable` : ""}` },
      { label: "policy", value: `reject at or above ${policy.rejectAtOrAbove}; unknown severity: ${policy.unknownSeverity}; incomplete SBOM: ${policy.incompleteSbom}; ${plural(policy.exceptions, "exception")}` },
      { label: "components checked", value: String(summary.componentsChecked) },
      countFact("components not checked", summary.componentsUnchecked, "warn"),
      { label: "vulnerabilities", value: `${summary.vulnerabilities} in ${plural(summary.vulnerableComponents, "component")}; ${summary.rejecting} rejecting, ${summary.excepted} excepted` },
    ],
  });
  blocks.push({ kind: "heading", text: "Vulnerabilities" });
  const rows: Cell[][] = report.findings.flatMap((component) =>
    component.vulnerabilities.map((v): Cell[] => [
      { text: `${component.name} (${component.ecosystem})` },
      { text: component.version },
      { text: v.aliases.length ? `${v.id} (${v.aliases.join(", ")})` : v.id },
      { text: v.severity.score !== undefined ? `${v.severity.level} ${v.severity.score}` : v.severity.level, ...(v.rejects ? { tone: "bad" as const } : {}) },
      { text: `${v.rejects ? "rejects" : "does not reject"}: ${v.ruling}`, tone: v.rejects ? "bad" : "muted" },
      { text: v.fixed.length ? v.fixed.join(", ") : "no fix known" },
    ]),
  );
  if (rows.length === 0) blocks.push({ kind: "text", text: "No checked component has a known vulnerability." });
  else blocks.push({ kind: "table", columns: [{ title: "component" }, { title: "version" }, { title: "advisory" }, { title: "severity" }, { title: "ruling" }, { title: "fixed in" }], rows });

  blocks.push({ kind: "heading", text: "SBOM against the image" });
  const diff = report.inventoryDiff;
  if (!diff) blocks.push(unknownText(report.image ? "the image's packages were not compared with the SBOM" : "no image was read, so the SBOM could not be compared with it"));
  else if (!diff.missingFromSbom.length && !diff.missingFromImage.length && !diff.versionDiffers.length) blocks.push({ kind: "text", text: "The SBOM and the image's own packages agree." });
  else
    blocks.push({
      kind: "table",
      columns: [{ title: "difference" }, { title: "component" }],
      rows: [
        ...diff.missingFromSbom.map((purl): Cell[] => [{ text: "in the image, not in the SBOM", tone: "warn" }, { text: purl }]),
        ...diff.missingFromImage.map((purl): Cell[] => [{ text: "in the SBOM, not in the image", tone: "warn" }, { text: purl }]),
        ...diff.versionDiffers.map(({ sbom, image }): Cell[] => [{ text: "version differs", tone: "warn" }, { text: `SBOM ${sbom}; image ${image}` }]),
      ],
    });

  blocks.push({ kind: "heading", text: "Components not checked" });
  if (report.unchecked.length === 0) blocks.push({ kind: "text", text: "Every component was checked." });
  else
    blocks.push({
      kind: "table",
      columns: [{ title: "component" }, { title: "found in" }, { title: "problem" }],
      rows: report.unchecked.map((u) => [{ text: u.purl }, { text: u.foundIn.join(", ") }, { text: `${u.partly ? "checked in part: " : ""}${u.problem}`, tone: "warn" }]),
    });
  if (report.inputProblems.length) {
    blocks.push({ kind: "heading", text: "Inputs that could not be read" });
    blocks.push({ kind: "list", items: report.inputProblems.map((p) => `${p.input} ${p.at}: ${p.problem}`) });
  }
  return { step: "dependencies", title: STEP_TITLES.dependencies, status: step.status, blocks };
}

export function attackSection(step: AttackStep): Section {
  const blocks: Block[] = [];
  if (step.error) blocks.push({ kind: "text", text: `The sandbox run failed: ${step.error}`, tone: "warn" });
  blocks.push({
    kind: "facts",
    items: [
      { label: "sandbox run", value: step.runId },
      { label: "probes ran as", value: step.probeRuntime ?? "unknown" },
      { label: "added for the run only", value: step.sandboxOnly.length ? step.sandboxOnly.join("; ") : "nothing" },
      { label: "attacks run to an outcome", value: String(step.attacksRun) },
      { label: "verdicts", value: entries(step.summary).map(([verdict, n]) => `${verdict}: ${n}`).join(", ") || "none" },
    ],
  });
  if (step.results.length === 0) blocks.push({ kind: "text", text: "No probe ran.", tone: "warn" });
  else
    blocks.push({
      kind: "table",
      columns: [{ title: "probe" }, { title: "category" }, { title: "target" }, { title: "verdict" }, { title: "evidence" }, { title: "time", numeric: true }],
      rows: step.results.map((r): Cell[] => [{ text: r.probe }, { text: r.category }, { text: r.target }, { text: r.verdict, tone: VERDICT_TONE[r.verdict] ?? "warn" }, { text: r.evidence }, { text: duration(r.durationMs) }]),
    });
  if (step.discrepancies.length) {
    blocks.push({ kind: "heading", text: "Declared but not in force" });
    blocks.push({
      kind: "table",
      columns: [{ title: "resource" }, { title: "field" }, { title: "declared" }, { title: "actual" }],
      rows: step.discrepancies.map((d) => [{ text: d.resource }, { text: d.field }, { text: d.declared }, { text: d.actual, tone: "bad" }]),
    });
  }
  if (step.notStarted.length) {
    blocks.push({ kind: "heading", text: "Not started" });
    blocks.push({ kind: "list", items: step.notStarted.map((n) => `${n.resource}: ${n.reason}`) });
  }
  return { step: "attacks", title: STEP_TITLES.attacks, status: step.status, blocks };
}
