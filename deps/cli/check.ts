// npm run deps:check -- --sbom FILE [--image REF] --vuln-db DIR [--format json|md] [--stack NAME] [--app NAME] [--record] [--output FILE]
// A vendor app's SBOM (and, with --image, the packages its image really holds) against an offline OSV
// database, ruled on by the stack's platform:admission policy.
// Exit code: 0 pass, 1 reject, 2 unusable input (the problem and its position on stderr).
import Docker from "dockerode";
import { exitWith, ParsedArgs, runCommand, UsageError } from "../../cli/args";
import { checkDependencies } from "../check";
import { buildAdmissionRecord, writeAdmissionRecord } from "../records";
import { formatDependencyMarkdown } from "../report/markdown";
import { emitReport, exitingOnUnusableInput, loadDatabase, log, resolveFromProject, stackPolicy, vulnDbDir } from "./inputs";

const CHECK_COMMAND = {
  name: "deps:check",
  usage: [
    "usage: npm run deps:check -- --sbom FILE [--image REF] --vuln-db DIR [--format json|md] [--stack NAME] [--app NAME] [--record] [--output FILE]",
    "  --sbom FILE     the vendor's SBOM: CycloneDX JSON 1.4-1.6 or SPDX JSON 2.3",
    "  --image REF     also read the packages the image really holds (without running it) and compare them with the SBOM",
    "  --vuln-db DIR   osv.dev exports (<Ecosystem>/all.zip, unpacked or not); default platform:admission.vulnDb of --stack",
    "  --format        md (default) or json, on standard output (or --output FILE)",
    "  --stack NAME    apply platform:admission of Pulumi.NAME.yaml (default: reject at or above high, unknown severity rejects)",
    "  --app NAME      the app's name: exceptions scoped to apps apply to it",
    "  --record        when it passes, keep an admission record for the standing re-check (needs --stack and --app)",
    "exit code: 0 pass, 1 reject, 2 unusable input",
  ].join("\n"),
  options: {
    sbom: { type: "string" },
    image: { type: "string" },
    "vuln-db": { type: "string" },
    format: { type: "string", choices: ["md", "json"], default: "md" },
    stack: { type: "string" },
    app: { type: "string" },
    record: { type: "boolean" },
    output: { type: "string" },
  },
} as const;

async function check({ values }: ParsedArgs<typeof CHECK_COMMAND.options>): Promise<number> {
  if (!values.sbom) throw new UsageError("--sbom is required: the vendor's SBOM (CycloneDX JSON 1.4-1.6 or SPDX JSON 2.3)");
  if (values.record && (!values.stack || !values.app)) throw new UsageError("--record needs --stack and --app: the record is kept per stack and app");
  const sbomFile = values.sbom;
  return exitingOnUnusableInput(CHECK_COMMAND.name, async () => {
    const { policy, source } = stackPolicy(values.stack);
    const database = loadDatabase(vulnDbDir(values["vuln-db"], policy));
    log(`policy: ${source}`);
    const report = await checkDependencies({
      sbomFile,
      ...(values.image ? { image: values.image, docker: new Docker() } : {}),
      database,
      policy,
      ...(values.app ? { app: values.app } : {}),
    });
    emitReport(values.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : `${formatDependencyMarkdown(report)}\n`, values.output);
    const { componentsChecked, vulnerabilities, rejecting } = report.summary;
    log(`verdict: ${report.verdict.toUpperCase()} (${componentsChecked} component${componentsChecked === 1 ? "" : "s"} checked, ${vulnerabilities} vulnerabilit${vulnerabilities === 1 ? "y" : "ies"}, ${rejecting} rejecting)`);
    if (values.record) {
      if (report.verdict === "pass") log(`admission record: ${writeAdmissionRecord(resolveFromProject(policy.recordsDir), buildAdmissionRecord(report, values.stack!, values.app!))}`);
      else log("no admission record kept: the app was rejected");
    }
    return report.verdict === "pass" ? 0 : 1;
  });
}

if (require.main === module) exitWith(runCommand(CHECK_COMMAND, process.argv.slice(2), check));
