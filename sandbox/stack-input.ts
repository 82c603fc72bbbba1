// The stack config a sandbox run evaluates: Pulumi.<stack>.yaml, then an optional sandbox overlay
// (image replacements, config overrides, a different stack name).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { readStackFile, stackFilePath } from "../config/load";

export const REPO_ROOT = join(__dirname, "..");

const overlaySchema = z.strictObject({
  /** which Pulumi.<stack>.yaml to start from */
  stack: z.string().min(1).optional(),
  /** the stack name the program sees (part of every Docker name); defaults to `stack` */
  stackName: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and dashes").optional(),
  /** declared image → local image, replaced anywhere in the config */
  images: z.record(z.string(), z.string()).default({}),
  /** config keys (e.g. platform:network) that replace the stack's */
  config: z.record(z.string(), z.unknown()).default({}),
});
type SandboxOverlay = z.output<typeof overlaySchema>;

export interface StackInput {
  stack: string;
  stackName: string;
  config: Record<string, unknown>;
  overlayFile?: string;
}

export function readOverlay(file: string): SandboxOverlay {
  const parsed = overlaySchema.safeParse(parse(readFileSync(file, "utf8")) ?? {});
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`).join("; ")}`);
  }
  return parsed.data;
}

function replaceImages(value: unknown, images: Record<string, string>): unknown {
  if (typeof value === "string") return images[value] ?? value;
  if (Array.isArray(value)) return value.map((item) => replaceImages(item, images));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceImages(v, images)]));
  return value;
}

export function stackInput(options: { stack?: string; overlayFile?: string }): StackInput {
  const overlay = options.overlayFile ? readOverlay(options.overlayFile) : undefined;
  const stack = options.stack ?? overlay?.stack ?? "dev";
  const base = readStackFile(stackFilePath(stack, REPO_ROOT));
  const config = replaceImages({ ...base, ...(overlay?.config ?? {}) }, overlay?.images ?? {}) as Record<string, unknown>;
  return { stack, stackName: overlay?.stackName ?? stack, config, overlayFile: options.overlayFile };
}
