import type { z } from "zod";

interface ConfigProblem {
  /** e.g. `platform:apps[1].egress[0]` */
  path: string;
  message: string;
}

/** Invalid config: lists every problem with the config path it belongs to. Nothing is created. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[], readonly source = "stack config") {
    super(`invalid ${source} (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was created:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function formatPath(path: readonly PropertyKey[], namespace = "platform"): string {
  if (path.length === 0) return `${namespace}:`;
  const [head, ...rest] = path;
  return rest.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(key)) ? `${text}.${String(key)}` : `${text}[${JSON.stringify(String(key))}]`),
    `${namespace}:${String(head)}`,
  );
}

export function problemsFromZod(error: z.ZodError, namespace = "platform", prefix: PropertyKey[] = []): ConfigProblem[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: formatPath([...path, key], namespace),
        message: `unknown key ${JSON.stringify(key)}: remove it or check its spelling`,
      }));
    }
    if (issue.code === "invalid_type" && issue.input === undefined) {
      return [{ path: formatPath(path, namespace), message: `is required: ${issue.message.replace(/^Invalid input: /, "")}` }];
    }
    return [{ path: formatPath(path, namespace), message: issue.message }];
  });
}
