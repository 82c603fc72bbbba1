// What both dependency commands need from the command line: the stack's admission policy (or the
// defaults), the database directory, and one way to say that an input is unusable (exit 2).
import { writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { admissionConfig, AdmissionConfig } from "../../config/admission";
import { ConfigError } from "../../config/errors";
import { isStackName, loadStackFile, STACK_NAME_RULE, StackFileError, stackFilePath } from "../../config/load";
import { badValue, UsageError } from "../../cli/args";
import { UnusableInputError } from "../model";
import { AdvisoryDatabase, loadAdvisoryDatabase } from "../osv/load";

export const PROJECT_DIR = join(__dirname, "..", "..");

/** Progress and verdict lines go to stderr: stdout carries the report alone. */
export const log = (line: string) => process.stderr.write(`${line}\n`);

/** Exit code of a command whose input is unusable (a broken SBOM, stack file or database). */
const UNUSABLE_INPUT = 2;

export interface StackPolicy {
  policy: AdmissionConfig;
  /** the apps the stack declares (empty without --stack) */
  apps: string[];
  source: string;
}

export function stackPolicy(stack: string | undefined): StackPolicy {
  if (stack === undefined) return { policy: admissionConfig.parse(undefined), apps: [], source: "the default policy (no --stack given)" };
  if (!isStackName(stack)) throw badValue("stack", stack, STACK_NAME_RULE);
  const file = stackFilePath(stack, PROJECT_DIR);
  const { config } = loadStackFile(file);
  return { policy: config.admission, apps: config.apps.map((app) => app.name), source: `${file} (platform:admission)` };
}

/** A path from stack config is relative to the project directory, one from the command line to the working directory. */
export function resolveFromProject(path: string): string {
  return isAbsolute(path) ? path : join(PROJECT_DIR, path);
}

export function vulnDbDir(option: string | undefined, policy: AdmissionConfig): string {
  if (option) return option;
  if (policy.vulnDb) return resolveFromProject(policy.vulnDb);
  throw new UsageError("--vuln-db is required (or set platform:admission.vulnDb in the stack): a directory of osv.dev exports, see docs/dependency-checks.md");
}

export function loadDatabase(dir: string): AdvisoryDatabase {
  const started = process.hrtime.bigint();
  const database = loadAdvisoryDatabase(dir);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { stats } = database;
  log(`vulnerability database ${dir}: ${stats.records} ${stats.records === 1 ? "advisory" : "advisories"} loaded in ${seconds.toFixed(1)} s${stats.withdrawn ? `, ${stats.withdrawn} withdrawn ignored` : ""}`);
  if (stats.broken.length) {
    const named = stats.broken.slice(0, 5).map((b) => `  ${b.at}: ${b.problem.replace(/\s+/g, " ")}`);
    log(`  ${stats.broken.length} broken record${stats.broken.length === 1 ? "" : "s"} skipped, the rest used:\n${named.join("\n")}${stats.broken.length > 5 ? `\n  ... and ${stats.broken.length - 5} more` : ""}`);
  }
  return database;
}

/** The report on standard output, or in --output FILE. */
export function emitReport(text: string, output: string | undefined): void {
  if (!output) return void process.stdout.write(text);
  writeFileSync(output, text);
  log(`report written to ${output}`);
}

/** Runs a command's work; an unusable input ends it with its message on stderr and exit 2, never a stack trace. */
export async function exitingOnUnusableInput(command: string, work: () => number | Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    const message = unusableInputMessage(error);
    if (message === undefined) throw error;
    log(`${command}: ${message}`);
    return UNUSABLE_INPUT;
  }
}

/** The message an unusable input ends the command with, or undefined for an error that is a bug. */
function unusableInputMessage(error: unknown): string | undefined {
  if (error instanceof UnusableInputError || error instanceof StackFileError || error instanceof ConfigError) return error.message;
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") return (error as Error).message;
  return undefined;
}
