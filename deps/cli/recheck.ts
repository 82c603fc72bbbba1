// npm run deps:recheck -- --stack NAME --vuln-db DIR [--format json|md] [--output FILE] [--no-remember]
// The standing re-check for a daily cron or CI job: every app admitted to the stack against a newer
// database; what changed since the last run, and exception deadlines.
// Exit code: 0 nothing needs action (deadline notices only), 1 an app would be rejected today, an app
// was never admitted or a record is unreadable, 2 unusable input.
import { exitWith, ParsedArgs, runCommand, UsageError } from "../../cli/args";
import { recheckStack } from "../recheck";
import { formatRecheckMarkdown } from "../report/markdown";
import { emitReport, exitingOnUnusableInput, loadDatabase, log, resolveFromProject, stackPolicy, vulnDbDir } from "./inputs";

const RECHECK_COMMAND = {
  name: "deps:recheck",
  usage: [
    "usage: npm run deps:recheck -- --stack NAME --vuln-db DIR [--format json|md] [--output FILE] [--no-remember]",
    "  --stack NAME     the stack whose admitted apps are re-checked (records under platform:admission.recordsDir)",
    "  --vuln-db DIR    a fresh copy of the osv.dev exports; default platform:admission.vulnDb",
    "  --no-remember    do not keep this run's findings (the next run then compares with the same baseline)",
    "exit code: 0 nothing needs action, 1 action needed, 2 unusable input",
  ].join("\n"),
  options: {
    stack: { type: "string" },
    "vuln-db": { type: "string" },
    format: { type: "string", choices: ["md", "json"], default: "md" },
    output: { type: "string" },
    "no-remember": { type: "boolean" },
  },
} as const;

async function recheck({ values }: ParsedArgs<typeof RECHECK_COMMAND.options>): Promise<number> {
  const stack = values.stack;
  if (!stack) throw new UsageError("--stack is required: the stack whose admitted apps are re-checked");
  return exitingOnUnusableInput(RECHECK_COMMAND.name, () => {
    const { policy, apps } = stackPolicy(stack);
    const database = loadDatabase(vulnDbDir(values["vuln-db"], policy));
    const report = recheckStack({ stack, recordsDir: resolveFromProject(policy.recordsDir), database, policy, stackApps: apps, remember: !values["no-remember"] });
    emitReport(values.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : `${formatRecheckMarkdown(report)}\n`, values.output);
    log(`re-check of ${report.apps.length} admitted app${report.apps.length === 1 ? "" : "s"}: ${report.verdict}`);
    return report.verdict === "attention" ? 1 : 0;
  });
}

if (require.main === module) exitWith(runCommand(RECHECK_COMMAND, process.argv.slice(2), recheck));
