// Step 2 (paper V-B): the vendor's SBOM and the packages its image really holds, against the offline
// advisory database, ruled on by the stack's platform:admission policy (deps/check.ts). A broken SBOM is
// unusable input; a missing one rejects, because no admission is complete without it.
import type Docker from "dockerode";
import type { AdmissionConfig } from "../../config/admission";
import { checkDependencies, DependencyReport } from "../../deps/check";
import { UnusableInputError } from "../../deps/model";
import type { AdvisoryDatabase } from "../../deps/osv/load";
import type { DependencyStep } from "../report/model";
import { plural, type Ruling } from "../verdict";
import { UnusableAdmissionInput } from "./unusable-input";

export interface DependencyOutcome {
  step: DependencyStep;
  ruling: Ruling;
  /** the full report (with its component list) for the admission record */
  report?: DependencyReport;
}

export const NO_SBOM = "no SBOM was submitted (--sbom FILE): the dependency check needs the vendor's SBOM, CycloneDX JSON 1.4-1.6 or SPDX JSON 2.3 (docs/vendor-guide.md, section SBOM)";

export async function checkAppDependencies(input: { sbomFile?: string; image: string; app: string; database: AdvisoryDatabase; policy: AdmissionConfig; docker: Docker }): Promise<DependencyOutcome> {
  if (!input.sbomFile) return { step: { status: "reject" }, ruling: { status: "reject", reasons: [NO_SBOM], notes: [] } };
  let report: DependencyReport;
  try {
    report = await checkDependencies({ sbomFile: input.sbomFile, image: input.image, database: input.database, policy: input.policy, app: input.app, docker: input.docker });
  } catch (error) {
    if (error instanceof UnusableInputError) throw new UnusableAdmissionInput(`dependency check: ${error.message}`);
    throw error;
  }
  const { components: _components, ...withoutComponents } = report;
  const notes: string[] = [];
  const { summary } = report;
  notes.push(`${plural(summary.componentsChecked, "component")} checked against ${plural(report.database.records, "advisory", "advisories")}: ${plural(summary.vulnerabilities, "vulnerability", "vulnerabilities")}, ${summary.rejecting} rejecting, ${summary.excepted} excepted`);
  if (summary.componentsUnchecked) notes.push(`${plural(summary.componentsUnchecked, "component")} could not be checked (listed in the report)`);
  for (const problem of report.inputProblems) notes.push(`${problem.input} ${problem.at}: ${problem.problem}`);
  const missing = report.inventoryDiff?.missingFromSbom.length ?? 0;
  if (missing && input.policy.incompleteSbom !== "reject") notes.push(`the image holds ${plural(missing, "package")} its SBOM leaves out (platform:admission.incompleteSbom: report)`);
  const status = report.verdict === "pass" ? "pass" : "reject";
  return { step: { status, report: withoutComponents }, ruling: { status, reasons: report.reasons, notes }, report };
}
