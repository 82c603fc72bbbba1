// Vets a manifest in context: the app is added to a real stack config (`Pulumi.<stack>.yaml`), the
// whole config is validated, and the real program (index.ts) runs under Pulumi's mocks, so every
// resource the platform would create with this app admitted is checked, stack rules included.
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

export async function manifestInStack(manifest: Record<string, unknown>, source: string, stackFile: string): Promise<ManifestResult> {
  let config: Record<string, unknown>;
  try {
    config = { ...readStackFile(stackFile) };
  } catch (error) {
    throw new InputError(stackFile, `cannot read the stack config: ${error instanceof StackFileError ? error.detail : (error as Error).message}`);
  }
  const current = config["platform:apps"];
  const apps = (typeof current === "string" ? JSON.parse(current) : current ?? []) as Record<string, unknown>[];
  if (!Array.isArray(apps)) throw new InputError(stackFile, "platform:apps: expected a list of apps");
  // A new version of an admitted app replaces it; a new app is appended.
  config["platform:apps"] = [...apps.filter((app) => app?.name !== manifest.name), manifest];
  try {
    parsePlatformConfig(rawConfigFromFlatMap(config), `${source} in ${stackFile}`);
  } catch (error) {
    if (error instanceof ConfigError) return { resources: [], problems: error.problems };
    throw error;
  }
  // Loaded only here: it brings the Pulumi SDK runtime and its mocks.
  const { runProgram } = require("../mock-runner/run-program") as typeof import("../mock-runner/run-program");
  const run = await runProgram(PROGRAM, { config, stack: stackName(stackFile), material: "fast" });
  const resources: CheckedResource[] = run.resources
    .filter((r) => r.custom)
    .map((r) => ({ type: r.type, name: r.name, ...(r.urn ? { urn: r.urn } : {}), props: r.inputs, secretInputs: r.secretInputs }));
  return { resources, problems: [] };
}
