// Turns raw config (Pulumi stack config, a stack YAML file, or an app manifest) into a validated config.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { ConfigError, formatPath, PARSE_OPTIONS, problemsFromZod } from "./errors";
import { appConfigSchema, AppConfig, imagePaths, platformConfigSchema, PlatformConfig } from "./schema";
import { isPinnedImage } from "./primitives";

export interface LoadedConfig {
  config: PlatformConfig;
  /** things the operator explicitly allowed but should know about (e.g. unpinned images) */
  warnings: string[];
}

const CONFIG_NAMESPACE = "platform";

export function parsePlatformConfig(raw: unknown, source = "stack config"): LoadedConfig {
  const result = platformConfigSchema.safeParse(raw ?? {}, PARSE_OPTIONS);
  if (!result.success) throw new ConfigError(problemsFromZod(result.error, CONFIG_NAMESPACE), source);
  const config = result.data;
  const warnings = config.allowUnpinnedImages
    ? imagePaths(config)
        .filter(([, image]) => !isPinnedImage(image))
        .map(([path, image]) => `${formatPath(path, CONFIG_NAMESPACE)}: image ${image} is not pinned by digest (allowed by platform:allowUnpinnedImages); pin it before production`)
    : [];
  if (config.swarm?.encryptOverlays === false) {
    warnings.push(`${formatPath(["swarm", "encryptOverlays"], CONFIG_NAMESPACE)}: overlay traffic between nodes is not encrypted (explicit opt-out); encrypt it before production`);
  }
  return { config, warnings };
}

/**
 * Collects `platform:*` keys from a flat config map as Pulumi stores it (`platform:apps` → JSON text
 * or plain string). Keys of other namespaces are ignored.
 */
export function rawConfigFromFlatMap(flat: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const [namespace, ...rest] = key.split(":");
    if (namespace !== CONFIG_NAMESPACE || rest.length !== 1) continue;
    raw[rest[0]] = typeof value === "string" ? parseConfigText(value) : value;
  }
  return raw;
}

function parseConfigText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** What a stack name may be, in the words of every command's usage error. */
export const STACK_NAME_RULE = "a stack name of letters, digits, _ . and - (as `pulumi stack ls` shows it)";

/** Whether `stack` is a Pulumi stack name that is safe in a file or directory name (`Pulumi.<stack>.yaml`, state and record directories). */
export function isStackName(stack: string): boolean {
  return /^[A-Za-z0-9_.-]+$/.test(stack) && stack !== "." && stack !== "..";
}

/** `Pulumi.<stack>.yaml` in `dir`: where Pulumi keeps a stack's config. */
export function stackFilePath(stack: string, dir: string): string {
  return join(dir, `Pulumi.${stack}.yaml`);
}

/** A stack file that is not valid YAML, or whose `config:` is not a mapping: names the file and, for YAML, the line and column. */
export class StackFileError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${file}: ${detail}`);
    this.name = "StackFileError";
  }
}

/**
 * The one reader of `Pulumi.<stack>.yaml`: its `config:` map exactly as written (flat keys of every
 * namespace, e.g. `{"platform:apps": [...], "aws:region": "..."}`; `{}` when there is none).
 */
export function readStackFile(file: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(file, "utf8"), { lineCounter, prettyErrors: false });
  const error = document.errors[0];
  if (error) {
    const at = lineCounter.linePos(error.pos[0]);
    throw new StackFileError(file, `invalid YAML${at ? ` at line ${at.line}, column ${at.col}` : ""}: ${error.message.split("\n")[0]}`, at?.line, at?.col);
  }
  const config = (document.toJS() as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) throw new StackFileError(file, "config: expected a mapping of key: value");
  return config as Record<string, unknown>;
}

/** Reads and validates the platform's part of a `Pulumi.<stack>.yaml` file. */
export function loadStackFile(file: string): LoadedConfig {
  return parsePlatformConfig(rawConfigFromFlatMap(readStackFile(file)), file);
}

/** Validates a third party's app manifest: the app entry of the stack config schema. */
export function parseAppManifest(raw: unknown, source = "app manifest"): AppConfig {
  const result = appConfigSchema.safeParse(raw, PARSE_OPTIONS);
  if (!result.success) throw new ConfigError(problemsFromZod(result.error, "app"), source);
  return result.data;
}
