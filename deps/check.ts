// The dependency check of one app: its SBOM and (optionally) its image's own packages, matched against
// the OSV database and ruled on by `platform:admission`. The admission command and `deps:check` call it.
import type Docker from "dockerode";
import type { AdmissionConfig } from "../config/admission";
import { CheckedComponent, FoundIn, mergeComponents } from "./components";
import { compareInventories, InventoryDiff } from "./inventory/compare";
import { ImageInventory, inventoryImage } from "./inventory/image";
import { componentFromPurl, DistributionHint } from "./ecosystems";
import { Component, InputProblem, UnusableInputError } from "./model";
import { AdvisoryDatabase } from "./osv/load";
import { matchComponents } from "./osv/match";
import { AssessedVulnerability, assessVulnerability } from "./policy";
import { readSbom, Sbom } from "./sbom/read";

export interface CheckInput {
  sbomFile: string;
  /** an image reference whose own packages are read (without running it) and compared with the SBOM */
  image?: string;
  database: AdvisoryDatabase;
  policy: AdmissionConfig;
  /** the app's name: exceptions scoped to apps apply only with it */
  app?: string;
  docker?: Docker;
  now?: Date;
}

export interface ComponentFindings {
  purl: string;
  ecosystem: string;
  name: string;
  version: string;
  source?: { name: string; version: string };
  foundIn: FoundIn[];
  vulnerabilities: AssessedVulnerability[];
}

export interface UncheckedComponent {
  purl: string;
  foundIn: FoundIn[];
  problem: string;
  /** checked, but some advisory's range could not be decided for it */
  partly: boolean;
}

export interface DatabaseSummary {
  dir: string;
  records: number;
  withdrawn: number;
  broken: number;
  /** the newest `modified` date of any record: how fresh the database is */
  newestModified?: string;
}

export interface DependencyReport {
  checkedAt: string;
  app?: string;
  verdict: "pass" | "reject";
  /** every reason for a rejection, one line each (empty when it passes) */
  reasons: string[];
  sbom: { file: string; sha256: string; format: string; specVersion: string; components: number; subject?: { name?: string; version?: string } };
  image?: { ref: string; id: string; distribution?: string; components: number; filesRead: number };
  database: DatabaseSummary;
  policy: { rejectAtOrAbove: string; unknownSeverity: string; incompleteSbom: string; exceptions: number };
  summary: {
    componentsChecked: number;
    componentsUnchecked: number;
    vulnerableComponents: number;
    vulnerabilities: number;
    rejecting: number;
    excepted: number;
    bySeverity: Record<string, number>;
  };
  /** components with at least one vulnerability, most severe first */
  findings: ComponentFindings[];
  unchecked: UncheckedComponent[];
  /** parts of the inputs that could not be read (the rest was checked) */
  inputProblems: { input: "sbom" | "image"; at: string; problem: string }[];
  /** the SBOM against the image: a lying or incomplete SBOM shows here */
  inventoryDiff?: { missingFromSbom: string[]; missingFromImage: string[]; versionDiffers: { sbom: string; image: string }[] };
  /** what the checked components were, for the admission record and the standing re-check */
  components: CheckedComponent[];
}

const SEVERITY_RANK: Record<string, number> = { critical: 5, high: 4, medium: 3, low: 2, none: 1, unknown: 4.5 };

function describe(component: { name: string; version: string; ecosystem?: string }): string {
  return `${component.name} ${component.version}${component.ecosystem ? ` (${component.ecosystem})` : ""}`;
}

function rejectionReason(finding: ComponentFindings, vulnerability: AssessedVulnerability): string {
  const aka = vulnerability.aliases.length ? ` (${vulnerability.aliases.slice(0, 3).join(", ")}${vulnerability.aliases.length > 3 ? ", ..." : ""})` : "";
  const fix = vulnerability.fixed.length ? `; fixed in ${vulnerability.fixed.join(", ")}` : "; no fixed version is known";
  return `${describe(finding)}: ${vulnerability.id}${aka}: ${vulnerability.ruling}${fix}`;
}

function summariseDiff(diff: InventoryDiff) {
  return {
    missingFromSbom: diff.missingFromSbom.map((c) => c.purl),
    missingFromImage: diff.missingFromImage.map((c) => c.purl),
    versionDiffers: diff.versionDiffers.map(({ sbom, image }) => ({ sbom: sbom.purl, image: image.purl })),
  };
}

export function summariseDatabase(database: AdvisoryDatabase): DatabaseSummary {
  const stats = database.stats;
  return { dir: stats.dir, records: stats.records, withdrawn: stats.withdrawn, broken: stats.broken.length, ...(stats.newestModified ? { newestModified: stats.newestModified } : {}) };
}

/** Rules on matched components: the findings, the unchecked, and the reasons they give to reject. */
export function assessComponents(components: readonly CheckedComponent[], database: AdvisoryDatabase, policy: AdmissionConfig, app: string | undefined, now: Date) {
  const findings: ComponentFindings[] = [];
  const unchecked: UncheckedComponent[] = [];
  for (const match of matchComponents(database, components)) {
    const component = match.component as CheckedComponent;
    if (match.unchecked) {
      unchecked.push({ purl: component.purl, foundIn: component.foundIn, problem: match.problems.join("; "), partly: false });
      continue;
    }
    if (match.problems.length) unchecked.push({ purl: component.purl, foundIn: component.foundIn, problem: match.problems.join("; "), partly: true });
    if (match.vulnerabilities.length === 0) continue;
    findings.push({
      purl: component.purl,
      ecosystem: component.ecosystem!,
      name: component.name,
      version: component.version,
      ...(component.source ? { source: component.source } : {}),
      foundIn: component.foundIn,
      vulnerabilities: match.vulnerabilities
        .map((v) => assessVulnerability(v, policy, app, now))
        .sort((a, b) => SEVERITY_RANK[b.severity.level] - SEVERITY_RANK[a.severity.level] || a.id.localeCompare(b.id)),
    });
  }
  const worst = (f: ComponentFindings) => Math.max(...f.vulnerabilities.map((v) => SEVERITY_RANK[v.severity.level]));
  findings.sort((a, b) => worst(b) - worst(a) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const reasons = findings.flatMap((finding) => finding.vulnerabilities.filter((v) => v.rejects).map((v) => rejectionReason(finding, v)));
  return { findings, unchecked, reasons };
}

/** A deb/apk component resolved again with the image's distribution (its purl parsed before, so it parses again). */
function withRelease(component: Component, distribution: DistributionHint): Component {
  const resolved = componentFromPurl(component.purl, component.origin, distribution);
  return typeof resolved === "string" ? component : resolved;
}

function problemsOf(input: "sbom" | "image", problems: readonly InputProblem[]) {
  return problems.map((p) => ({ input, at: p.at, problem: p.problem }));
}

export async function checkDependencies(input: CheckInput): Promise<DependencyReport> {
  const now = input.now ?? new Date();
  // the SBOM first: a broken one is reported before the slow read of an image
  let sbom: Sbom = readSbom(input.sbomFile);
  let inventory: ImageInventory | undefined;
  if (input.image) {
    if (!input.docker) throw new Error("checkDependencies: an image check needs a Docker client");
    inventory = await inventoryImage(input.docker, input.image);
    const distribution = inventory.distribution;
    // deb/apk purls without a distro qualifier take the release the image's os-release names (the SBOM
    // was read and validated once; only these components are resolved again)
    if (distribution) sbom = { ...sbom, components: sbom.components.map((c) => (!c.ecosystem && (c.type === "deb" || c.type === "apk") ? withRelease(c, distribution) : c)) };
  }
  const components = mergeComponents(sbom.components, inventory?.components ?? []);
  const { findings, unchecked, reasons } = assessComponents(components, input.database, input.policy, input.app, now);
  const checked = components.length - unchecked.filter((u) => !u.partly).length;
  if (checked === 0) {
    const why = unchecked.slice(0, 3).map((u) => `${u.purl}: ${u.problem}`);
    throw new UnusableInputError(input.sbomFile, components.length === 0 ? `no component to check: the SBOM lists none${input.image ? " and the image holds no package database this check reads" : ""}` : `none of its ${components.length} components could be checked:\n  ${why.join("\n  ")}`);
  }

  let diff: InventoryDiff | undefined;
  if (inventory) {
    diff = compareInventories(sbom.components, inventory.components);
    if (diff.missingFromSbom.length && input.policy.incompleteSbom === "reject") {
      const shown = diff.missingFromSbom.slice(0, 10).map((c) => c.purl);
      reasons.push(`the image holds ${diff.missingFromSbom.length} package${diff.missingFromSbom.length === 1 ? "" : "s"} its SBOM leaves out (platform:admission.incompleteSbom: reject): ${shown.join(", ")}${diff.missingFromSbom.length > 10 ? ", ..." : ""}`);
    }
  }

  const vulnerabilities = findings.flatMap((f) => f.vulnerabilities);
  const bySeverity: Record<string, number> = {};
  for (const v of vulnerabilities) bySeverity[v.severity.level] = (bySeverity[v.severity.level] ?? 0) + 1;
  return {
    checkedAt: now.toISOString(),
    ...(input.app ? { app: input.app } : {}),
    verdict: reasons.length ? "reject" : "pass",
    reasons,
    sbom: {
      file: input.sbomFile,
      sha256: sbom.sha256!,
      format: sbom.format,
      specVersion: sbom.specVersion,
      components: sbom.components.length,
      ...(sbom.subject ? { subject: sbom.subject } : {}),
    },
    ...(inventory
      ? {
          image: {
            ref: inventory.image,
            id: inventory.imageId,
            ...(inventory.distribution ? { distribution: `${inventory.distribution.id} ${inventory.distribution.version}` } : {}),
            components: inventory.components.length,
            filesRead: inventory.filesRead,
          },
        }
      : {}),
    database: summariseDatabase(input.database),
    policy: { rejectAtOrAbove: input.policy.rejectAtOrAbove, unknownSeverity: input.policy.unknownSeverity, incompleteSbom: input.policy.incompleteSbom, exceptions: input.policy.exceptions.length },
    summary: {
      componentsChecked: checked,
      componentsUnchecked: components.length - checked,
      vulnerableComponents: findings.length,
      vulnerabilities: vulnerabilities.length,
      rejecting: vulnerabilities.filter((v) => v.rejects).length,
      excepted: vulnerabilities.filter((v) => v.exception && !v.exception.expired && !v.rejects).length,
      bySeverity,
    },
    findings,
    unchecked,
    inputProblems: [...problemsOf("sbom", sbom.problems), ...problemsOf("image", inventory?.problems ?? [])],
    ...(diff ? { inventoryDiff: summariseDiff(diff) } : {}),
    components,
  };
}
