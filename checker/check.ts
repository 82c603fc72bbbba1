// Checks files with the pack's rules: the checker's whole job, without argument parsing or printing.
// One file's failure, whatever it is, is that file's result: the other files are still checked.
import { evaluate, Finding, PackConfig } from "../policies/evaluate";
import { InputError, loadInput, LoadOptions } from "./inputs";
import { buildReport, CheckReport, FileResult } from "./report";

const SCHEMA_RULE_ID = "manifest-schema";

function schemaFindings(file: string, problems: { path: string; message: string }[]): Finding[] {
  return problems.map((problem) => ({
    ruleId: SCHEMA_RULE_ID,
    severity: "high",
    enforcementLevel: "mandatory",
    resourceType: "app manifest",
    resourceName: file,
    urn: "",
    field: problem.path,
    message: `app manifest "${file}": ${problem.path}: ${problem.message}`,
    remediation: "Fix the manifest so it matches the platform's app schema (docs/policies.md).",
    unknown: false,
  }));
}

const findingKey = (f: Finding) => [f.ruleId, f.resourceType, f.resourceName, f.field, f.message].join("\u0000");

/** Splits findings into those the manifest brings and those the stack has without it. */
function apart(findings: Finding[], baseline: Finding[]): { own: Finding[]; stack: Finding[] } {
  const before = new Set(baseline.map(findingKey));
  return { own: findings.filter((f) => !before.has(findingKey(f))), stack: findings.filter((f) => before.has(findingKey(f))) };
}

/** What a file that broke the checker itself reports: the reason in a sentence, never a stack trace. */
function internalError(error: unknown): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return "the input is nested too deeply to check";
  return `the checker failed on this input (${error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error)}); nothing in it was checked`;
}

export async function checkFile(file: string, config?: PackConfig, text?: string, options: LoadOptions = {}): Promise<FileResult> {
  try {
    const input = await loadInput(file, text, options);
    const evaluated = [...schemaFindings(file, input.problems), ...evaluate(input.resources, { config, stackRules: input.stackRules })];
    if (input.baseline === undefined) return { file, kind: input.kind, resources: input.resources.length, findings: evaluated };
    const { own, stack } = apart(evaluated, evaluate(input.baseline, { config, stackRules: true }));
    return { file, kind: input.kind, resources: input.resources.length, findings: own, stackFindings: stack };
  } catch (error) {
    if (error instanceof InputError) return { file, resources: 0, findings: [], error: error.file === file ? error.detail : `${error.file}: ${error.detail}` };
    return { file, resources: 0, findings: [], error: internalError(error) };
  }
}

export async function checkFiles(files: readonly string[], config?: PackConfig, options: LoadOptions = {}): Promise<CheckReport> {
  const results: FileResult[] = [];
  for (const file of files) results.push(await checkFile(file, config, undefined, options));
  return buildReport(results);
}
