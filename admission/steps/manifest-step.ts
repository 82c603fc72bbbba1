// Step 1 (paper V-A): the manifest, validated by the stack's schema and checked by the policy pack inside
// the stack it would join, exactly as `npm run policy:check -- --stack` does. A manifest the schema
// refuses is unusable input: nothing else can be run for it.
import { readFileSync } from "node:fs";
import { checkFile } from "../../checker/check";
import { InputError, parseText } from "../../checker/inputs";
import { ConfigError } from "../../config/errors";
import { parseAppManifest } from "../../config/load";
import type { AppConfig } from "../../config/schema";
import type { PackConfig } from "../../policies/evaluate";
import type { ManifestStep } from "../report/model";
import { manifestRuling, Ruling } from "../verdict";
import { UnusableAdmissionInput } from "./unusable-input";

export interface VettedManifest {
  /** the manifest as written (what joins the stack's platform:apps) */
  raw: Record<string, unknown>;
  app: AppConfig;
  step: ManifestStep;
  ruling: Ruling;
}

export function readManifest(file: string): { raw: Record<string, unknown>; app: AppConfig; text: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UnusableAdmissionInput(`manifest ${file}: cannot be read (${(error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = parseText(file, text);
  } catch (error) {
    if (error instanceof InputError) throw new UnusableAdmissionInput(`manifest ${error.message}`);
    throw error;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new UnusableAdmissionInput(`manifest ${file}: expected one app (an object with name and image), as docs/vendor-guide.md shows`);
  try {
    return { raw: raw as Record<string, unknown>, app: parseAppManifest(raw, `app manifest ${file}`), text };
  } catch (error) {
    if (error instanceof ConfigError) throw new UnusableAdmissionInput(`${error.message.replace(/nothing was created/, "nothing was run")}\n(docs/app-manifest.schema.json is the manifest's schema; editors check against it)`);
    throw error;
  }
}

/** Checks the manifest (read by readManifest) with the policy pack inside the stack. */
export async function vetManifest(file: string, manifest: ReturnType<typeof readManifest>, stackFile: string, packConfig: PackConfig | undefined): Promise<VettedManifest> {
  const { raw, app, text } = manifest;
  // the document readManifest parsed: the checker vets it as it is, without parsing the text again
  const result = await checkFile(file, packConfig, text, { stackFile, document: raw });
  if (result.error) throw new UnusableAdmissionInput(`manifest ${file} in ${stackFile}: ${result.error}`);
  const schema = result.findings.filter((f) => f.ruleId === "manifest-schema");
  if (schema.length) throw new UnusableAdmissionInput(`manifest ${file} does not fit stack ${stackFile}:\n${schema.map((f) => `  - ${f.field}: ${f.message}`).join("\n")}`);
  const stackFindings = result.stackFindings?.length ?? 0;
  const ruling = manifestRuling(result.findings, stackFindings);
  return { raw, app, ruling, step: { status: ruling.status, findings: result.findings, stackFindings, resourcesChecked: result.resources } };
}
