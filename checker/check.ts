// Checks files with the pack's rules: the checker's whole job, without argument parsing or printing.
// One file's failure, whatever it is, is that file's result: the other files are still checked.
import { CheckedResource, evaluate, evaluateWithCoverage, Finding, PackConfig } from "../policies/evaluate";
import { allRules } from "../policies/registry";
import { nounOf } from "../policies/rules/rule";
import { InputError, loadInput, LoadOptions } from "./inputs";
import { buildReport, CheckReport, Coverage, FileResult } from "./report";

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

/** The resource types some rule of the pack checks. */
const CHECKABLE_TYPES = new Set(allRules.flatMap((rule) => (rule.kind === "resource" ? [rule.resourceType] : rule.subjectTypes)));

function coverageOf(resources: readonly CheckedResource[], checked: Record<string, number>): Coverage {
  const counts: Record<string, number> = Object.fromEntries([...CHECKABLE_TYPES].map((type) => [nounOf(type), 0]));
  for (const resource of resources) if (CHECKABLE_TYPES.has(resource.type)) counts[nounOf(resource.type)]++;
  return { resources: counts, rules: checked };
}

/** A file in which no rule found anything to check passes nothing: it is reported like unreadable input. */
function nothingChecked(resources: readonly CheckedResource[]): string {
  const nouns = [...new Set([...CHECKABLE_TYPES].map(nounOf))].join(", ");
  return `nothing was checked: none of its ${resources.length} resource${resources.length === 1 ? "" : "s"} is one the pack's rules check (${nouns}), so no rule could pass or fail`;
}

export async function checkFile(file: string, config?: PackConfig, text?: string, options: LoadOptions = {}): Promise<FileResult> {
  try {
    const input = await loadInput(file, text, options);
    const run = evaluateWithCoverage(input.resources, { config, stackRules: input.stackRules });
    const coverage = coverageOf(input.resources, run.checked);
    const total = Object.values(run.checked).reduce((sum, n) => sum + n, 0);
    if (input.problems.length === 0 && total === 0) return { file, kind: input.kind, resources: input.resources.length, findings: [], coverage, error: nothingChecked(input.resources) };
    const evaluated = [...schemaFindings(file, input.problems), ...run.findings];
    if (input.baseline === undefined) return { file, kind: input.kind, resources: input.resources.length, findings: evaluated, coverage };
    const { own, stack } = apart(evaluated, evaluate(input.baseline, { config, stackRules: true }));
    return { file, kind: input.kind, resources: input.resources.length, findings: own, stackFindings: stack, coverage };
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
