// Turns raw config (Pulumi stack config, a stack YAML file, or an app manifest) into a validated spec.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, formatPath, problemsFromZod } from "./errors";
import { appSpec, AppSpec, imagePaths, platformConfig, PlatformSpec } from "./schema";
import { isPinnedImage } from "./primitives";

export interface LoadedSpec {
  spec: PlatformSpec;
  /** things the operator explicitly allowed but should know about (e.g. unpinned images) */
  warnings: string[];
}

export const CONFIG_NAMESPACE = "platform";

export function parsePlatformConfig(raw: unknown, source = "stack config"): LoadedSpec {
  const result = platformConfig.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(problemsFromZod(result.error, CONFIG_NAMESPACE), source);
  const spec = result.data;
  const warnings = spec.allowUnpinnedImages
    ? imagePaths(spec)
        .filter(([, image]) => !isPinnedImage(image))
        .map(([path, image]) => `${formatPath(path, CONFIG_NAMESPACE)}: image ${image} is not pinned by digest (allowed by platform:allowUnpinnedImages); pin it before production`)
    : [];
  return { spec, warnings };
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

/** Reads the `config:` block of a `Pulumi.<stack>.yaml` file. */
export function loadStackFile(file: string): LoadedSpec {
  const document = parseYaml(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return parsePlatformConfig(rawConfigFromFlatMap(document?.config ?? {}), file);
}

/** Validates a third party's app manifest: the app entry of the stack config schema. */
export function parseAppManifest(raw: unknown, source = "app manifest"): AppSpec {
  const result = appSpec.safeParse(raw);
  if (!result.success) throw new ConfigError(problemsFromZod(result.error, "app"), source);
  return result.data;
}
