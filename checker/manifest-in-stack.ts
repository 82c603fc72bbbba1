// Vets a manifest in context: the app is added to a real stack config (`Pulumi.<stack>.yaml`), the
// whole config is validated, and the real program (index.ts) runs under Pulumi's mocks, so every
// resource the platform would create with this app admitted is checked, stack rules included.
// What is the vendor's and what is the stack's own are kept apart: schema problems of the app are
// reported at the manifest's own paths (`app:image`), and the program also runs without the app, so
// findings the stack has anyway (the baseline) are not charged to the manifest.
import { basename, join } from "node:path";
import { ConfigError } from "../config/errors";
import { parsePlatformConfig, rawConfigFromFlatMap, readStackFile, StackFileError } from "../config/load";
import type { CheckedResource } from "../policies/evaluate";
import { InputError } from "./inputs";
import type { ManifestResult } from "./manifest";

const PROGRAM = join(__dirname, "..", "index.ts");

function stackName(stackFile: string): string {
  const match = /^Pulumi\.(.+)\.ya?ml$/.exec(basename(stackFile));
  return match ? match[1] : "vetting";
}

export interface InStackResult extends ManifestResult {
  /** every resource of the stack without this app: its findings are the stack's own */
  baseline: CheckedResource[];
}

/** `platform:apps[<index>].image` → `app:image`; any other path stays a path in the stack. */
export function manifestPath(path: string, index: number): string {
  const own = `platform:apps[${index}]`;
  if (path === own) return "app:";
  if (path.startsWith(`${own}.`)) return `app:${path.slice(own.length + 1)}`;
  if (path.startsWith(`${own}[`)) return `app:${path.slice(own.length)}`;
  return path;
}

function configApps(config: Record<string, unknown>, stackFile: string): Record<string, unknown>[] {
  const current = config["platform:apps"];
  let apps: unknown = current ?? [];
  if (typeof current === "string") {
    try {
      apps = JSON.parse(current);
    } catch {
      throw new InputError(stackFile, "platform:apps: expected a list of apps");
    }
  }
  if (!Array.isArray(apps)) throw new InputError(stackFile, "platform:apps: expected a list of apps");
  return apps as Record<string, unknown>[];
}

async function resourcesOf(config: Record<string, unknown>, stackFile: string): Promise<CheckedResource[]> {
  // Loaded only here: it brings the Pulumi SDK runtime and its mocks.
  const { runProgram } = require("../mock-runner/run-program") as typeof import("../mock-runner/run-program");
  // The program's own warnings are about the stack (e.g. its unpinned images, which the rules report
  // anyway): printed for every run, they would bury the vendor's report.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => (typeof args[0] === "string" && args[0].startsWith("warning: [runtime] ") ? undefined : warn(...args));
  let run: Awaited<ReturnType<typeof runProgram>>;
  try {
    run = await runProgram(PROGRAM, { config, stack: stackName(stackFile), material: "fast" });
  } finally {
    console.warn = warn;
  }
  return run.resources
    .filter((r) => r.custom)
    .map((r) => ({ type: r.type, name: r.name, ...(r.urn ? { urn: r.urn } : {}), ...(r.id ? { id: r.id } : {}), props: r.inputs, secretInputs: r.secretInputs }));
}

export async function manifestInStack(manifest: Record<string, unknown>, source: string, stackFile: string): Promise<InStackResult> {
  let stack: Record<string, unknown>;
  try {
    stack = { ...readStackFile(stackFile) };
  } catch (error) {
    throw new InputError(stackFile, `cannot read the stack config: ${error instanceof StackFileError ? error.detail : (error as Error).message}`);
  }
  // A new version of an admitted app replaces it; a new app is appended. The baseline has neither.
  const others = configApps(stack, stackFile).filter((app) => app?.name !== manifest.name);
  const baselineConfig = { ...stack, "platform:apps": others };
  try {
    parsePlatformConfig(rawConfigFromFlatMap(baselineConfig), stackFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const first = error.problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join("; ");
    throw new InputError(stackFile, `the stack config itself is invalid, so no manifest can be vetted in it (${error.problems.length} problem${error.problems.length === 1 ? "" : "s"}: ${first})`);
  }
  const config = { ...stack, "platform:apps": [...others, manifest] };
  try {
    parsePlatformConfig(rawConfigFromFlatMap(config), `${source} in ${stackFile}`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { resources: [], baseline: [], problems: error.problems.map((p) => ({ ...p, path: manifestPath(p.path, others.length) })) };
  }
  const resources = await resourcesOf(config, stackFile);
  const baseline = await resourcesOf(baselineConfig, stackFile);
  return { resources, baseline, problems: [] };
}
