// Admission records: what was admitted to a stack (its SBOM and image inventory, and the advisories
// known at the time), kept as one JSON file per app so the standing re-check can re-evaluate it
// against a newer database. `<recordsDir>/<stack>/<app>.json`; the re-check's own state beside it.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { isStackName } from "../config/load";
import { DNS_LABEL } from "../config/primitives";
import type { DependencyReport, DatabaseSummary } from "./check";
import type { CheckedComponent } from "./components";

export const RECORD_FORMAT = "platform-admission-record/1";

export interface AdmissionRecord {
  format: typeof RECORD_FORMAT;
  stack: string;
  app: string;
  admittedAt: string;
  sbom: DependencyReport["sbom"];
  image?: DependencyReport["image"];
  database: DatabaseSummary;
  components: CheckedComponent[];
  /** `<purl> <advisory id>` of every vulnerability known at admission (below the line or excepted) */
  knownVulnerabilities: string[];
}

/** The re-check's memory of its last run, so each run reports what changed since the one before. */
export interface RecheckState {
  checkedAt: string;
  database: DatabaseSummary;
  knownVulnerabilities: string[];
}

const componentShape = z.looseObject({ purl: z.string(), type: z.string(), name: z.string(), version: z.string(), foundIn: z.array(z.enum(["sbom", "image"])), origin: z.looseObject({ kind: z.string() }) });
const recordShape = z.looseObject({
  format: z.literal(RECORD_FORMAT),
  stack: z.string(),
  app: z.string().regex(DNS_LABEL),
  admittedAt: z.string(),
  sbom: z.looseObject({ file: z.string(), sha256: z.string() }),
  database: z.looseObject({ dir: z.string(), records: z.number() }),
  components: z.array(componentShape),
  knownVulnerabilities: z.array(z.string()),
});
const stateShape = z.looseObject({ checkedAt: z.string(), database: z.looseObject({}), knownVulnerabilities: z.array(z.string()) });

export function vulnerabilityKeys(report: Pick<DependencyReport, "findings">): string[] {
  return report.findings.flatMap((f) => f.vulnerabilities.map((v) => `${f.purl} ${v.id}`)).sort();
}

export function stackRecordsDir(recordsDir: string, stack: string): string {
  if (!isStackName(stack)) throw new Error(`stack name ${JSON.stringify(stack)}: use letters, digits, _ . and - (as \`pulumi stack ls\` shows it)`);
  return join(recordsDir, stack);
}

function recordFile(recordsDir: string, stack: string, app: string, suffix = ""): string {
  if (!DNS_LABEL.test(app)) throw new Error(`app name ${JSON.stringify(app)}: an app name is a DNS label (a-z, 0-9, '-', starting with a letter)`);
  return join(stackRecordsDir(recordsDir, stack), `${app}${suffix}.json`);
}

/** Written whole or not at all: a temporary file renamed over the old one. */
function writeJsonAtomically(file: string, value: unknown): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o640 });
  renameSync(temporary, file);
}

export function buildAdmissionRecord(report: DependencyReport, stack: string, app: string): AdmissionRecord {
  return {
    format: RECORD_FORMAT,
    stack,
    app,
    admittedAt: report.checkedAt,
    sbom: report.sbom,
    ...(report.image ? { image: report.image } : {}),
    database: report.database,
    components: report.components,
    knownVulnerabilities: vulnerabilityKeys(report),
  };
}

export function writeAdmissionRecord(recordsDir: string, record: AdmissionRecord): string {
  const file = recordFile(recordsDir, record.stack, record.app);
  mkdirSync(stackRecordsDir(recordsDir, record.stack), { recursive: true, mode: 0o750 });
  writeJsonAtomically(file, record);
  return file;
}

export interface StackRecords {
  records: AdmissionRecord[];
  /** files that are not readable records, and why: reported, never silently skipped */
  unreadable: { file: string; problem: string }[];
}

export function readAdmissionRecords(recordsDir: string, stack: string): StackRecords {
  const dir = stackRecordsDir(recordsDir, stack);
  if (!existsSync(dir)) return { records: [], unreadable: [] };
  const result: StackRecords = { records: [], unreadable: [] };
  for (const entry of readdirSync(dir).filter((name) => name.endsWith(".json") && !name.endsWith(".recheck.json")).sort()) {
    const file = join(dir, entry);
    try {
      const parsed = recordShape.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        result.unreadable.push({ file, problem: `not an admission record (${RECORD_FORMAT}): ${issue.path.join(".") || "(top)"}: ${issue.message}` });
      } else if (parsed.data.stack !== stack || `${parsed.data.app}.json` !== entry) {
        result.unreadable.push({ file, problem: `the record is for app ${parsed.data.app} of stack ${parsed.data.stack}: it does not belong at this path` });
      } else result.records.push(parsed.data as unknown as AdmissionRecord);
    } catch (error) {
      result.unreadable.push({ file, problem: `not JSON: ${(error as Error).message}` });
    }
  }
  return result;
}

export function readRecheckState(recordsDir: string, stack: string, app: string): RecheckState | undefined {
  const file = recordFile(recordsDir, stack, app, ".recheck");
  if (!existsSync(file)) return undefined;
  try {
    const parsed = stateShape.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? (parsed.data as unknown as RecheckState) : undefined;
  } catch {
    // a damaged state file only costs the comparison: the re-check then compares with the admission
    return undefined;
  }
}

export function writeRecheckState(recordsDir: string, stack: string, app: string, state: RecheckState): void {
  writeJsonAtomically(recordFile(recordsDir, stack, app, ".recheck"), state);
}
