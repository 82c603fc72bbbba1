// npm run admit -- MANIFEST.yaml [--sbom FILE] [--vuln-db DIR] [--stack NAME] [--observe DURATION] [--report FILE.json]
// Vets a vendor's app before it joins a stack: its manifest against the policy pack, its SBOM and image
// against the advisory database, and the app itself, with its own image, in the sandbox: watched for
// the observation window, then attacked from inside. Progress goes to stderr; the verdict and its
// reasons to stdout. Exit code: 0 admitted, 1 rejected, 2 unusable input or an admission that could
// not be carried out (never admitted).
import { exitWith, ParsedArgs, runCommand, UsageError } from "../cli/args";
import { parseDurationOption } from "../cli/duration";
import { loadPackConfig } from "../checker/cli";
import type { SandboxSession } from "../sandbox/session";
import { runAdmission } from "./admit";
import { MAX_DURATION_MS, MIN_DURATION_MS } from "./observe";
import type { AdmissionReport } from "./report/model";
import { prepareReportDir, reportFiles, ReportFiles, writeReportFiles } from "./report/write";
import { UnusableAdmissionInput } from "./steps/unusable-input";

const DEFAULT_OBSERVE = "60s";

const ADMIT_COMMAND = {
  name: "admit",
  usage: [
    "usage: npm run admit -- MANIFEST.yaml [--sbom FILE] [--vuln-db DIR] [--stack NAME] [--observe DURATION] [--report FILE.json]",
    "  MANIFEST.yaml       the vendor's app manifest (docs/vendor-guide.md; schema docs/app-manifest.schema.json)",
    "  --sbom FILE         the vendor's SBOM (CycloneDX JSON 1.4-1.6 or SPDX JSON 2.3); without one the app is rejected",
    "  --vuln-db DIR       osv.dev exports (docs/dependency-checks.md); default platform:admission.vulnDb of the stack",
    "  --stack NAME        the stack the app would join: Pulumi.NAME.yaml (default dev)",
    `  --observe DURATION  how long the app is watched from its start, e.g. 60s, 2m (default ${DEFAULT_OBSERVE})`,
    "  --report FILE.json  write the report as FILE.json, FILE.md and FILE.html (self-contained, with the app's topology)",
    "  --policy-config F   the policy pack's config (as `pulumi preview --policy-pack-config`), e.g. policies/config/dev.json",
    "  --keep              leave the sandbox run in place afterwards (the next run removes it)",
    "The app's image must be in the local Docker engine (docker build or docker load); nothing is pulled.",
    "exit code: 0 admitted, 1 rejected, 2 unusable input or an admission that could not be carried out",
  ].join("\n"),
  options: {
    sbom: { type: "string" },
    "vuln-db": { type: "string" },
    stack: { type: "string", default: "dev" },
    observe: { type: "string", default: DEFAULT_OBSERVE },
    report: { type: "string" },
    "policy-config": { type: "string" },
    keep: { type: "boolean" },
  },
  positionals: { name: "MANIFEST.yaml", min: 1, max: 1 },
} as const;

const log = (line: string) => process.stderr.write(`${line}\n`);
const say = (line: string) => process.stdout.write(`${line}\n`);

function minutes(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

function printVerdict(report: AdmissionReport): void {
  const head = report.exitCode === 0 ? "ADMITTED" : report.exitCode === 1 ? "REJECTED" : "NOT ADMITTED: the admission could not be carried out";
  say(`\n${head}: app ${report.app} (${report.image}) for stack ${report.stack}, in ${minutes(report.durationMs)}`);
  if (report.reasons.length) {
    say(report.exitCode === 1 ? "reasons:" : "why:");
    for (const reason of report.reasons) say(`  [${reason.step}] ${reason.text}`);
  }
  if (report.notes.length) {
    say("notes:");
    for (const note of report.notes) say(`  [${note.step}] ${note.text}`);
  }
  const attacks = report.steps.attacks;
  say(`attacks: ${attacks.attacksRun} ran (${attacks.summary.stopped ?? 0} stopped, ${attacks.summary["NOT STOPPED"] ?? 0} NOT STOPPED), ${attacks.summary.skipped ?? 0} skipped; probes ran with ${attacks.probeRuntime ?? "nothing"}`);
  if (report.record) say(`admission record: ${report.record}`);
}

async function admit({ values, positionals }: ParsedArgs<typeof ADMIT_COMMAND.options>): Promise<number> {
  const observeMs = parseDurationOption("observe", values.observe, { minMs: MIN_DURATION_MS, maxMs: MAX_DURATION_MS });
  let files: ReportFiles | undefined;
  try {
    if (values.report !== undefined) {
      files = reportFiles(values.report);
      prepareReportDir(files);
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const packConfig = values["policy-config"] === undefined ? undefined : loadPackConfig(values["policy-config"]);

  let session: SandboxSession | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    log(`\n${signal}: tearing the sandbox down`);
    (session ? session.teardown(values.keep) : Promise.resolve([])).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const { report, topology } = await runAdmission({
      manifestFile: positionals[0],
      sbomFile: values.sbom,
      vulnDb: values["vuln-db"],
      stack: values.stack,
      observeMs,
      packConfig,
      keep: values.keep,
      log,
      onSession: (s) => (session = s),
    });
    printVerdict(report);
    if (files) say(`report: ${writeReportFiles(files, report, topology).join(", ")}`);
    else say("no report written: --report FILE.json writes it as JSON, Markdown and HTML");
    return report.exitCode;
  } catch (error) {
    if (!(error instanceof UnusableAdmissionInput)) throw error;
    log(`admit: ${error.message}`);
    say("NOT ADMITTED: unusable input (see above); nothing was stood up");
    return 2;
  }
}

if (require.main === module) exitWith(runCommand(ADMIT_COMMAND, process.argv.slice(2), admit), { immediately: true });
