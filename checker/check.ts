// Checks files with the pack's rules: the checker's whole job, without argument parsing or printing.
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

export async function checkFile(file: string, config?: PackConfig, text?: string, options: LoadOptions = {}): Promise<FileResult> {
  try {
    const input = await loadInput(file, text, options);
    const findings = [...schemaFindings(file, input.problems), ...evaluate(input.resources, { config, stackRules: input.stackRules })];
    return { file, kind: input.kind, resources: input.resources.length, findings };
  } catch (error) {
    if (error instanceof InputError) return { file, resources: 0, findings: [], error: error.detail };
    throw error;
  }
}

export async function checkFiles(files: readonly string[], config?: PackConfig, options: LoadOptions = {}): Promise<CheckReport> {
  const results: FileResult[] = [];
  for (const file of files) results.push(await checkFile(file, config, undefined, options));
  return buildReport(results);
}
