import type { z } from "zod";

interface ConfigProblem {
  /** e.g. `platform:apps[1].egress[0]` */
  path: string;
  message: string;
}

/** At most this many problems are spelled out in the message; `problems` keeps all of them. */
const LISTED_PROBLEMS = 50;

/** Invalid config: lists every problem with the config path it belongs to. Nothing is created. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[], readonly source = "stack config") {
    const listed = problems.slice(0, LISTED_PROBLEMS).map((p) => `  - ${p.path}: ${p.message}`);
    if (problems.length > LISTED_PROBLEMS) listed.push(`  - ... and ${problems.length - LISTED_PROBLEMS} more (fix these first)`);
    super(`invalid ${source} (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was created:\n${listed.join("\n")}`);
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

const MAX_SHOWN = 60;

/** A value as a problem message shows it: its kind, and a short excerpt of a scalar. */
export function describeValue(value: unknown): string {
  if (value === null) return "an empty value (null)";
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? "" : "s"}`;
  switch (typeof value) {
    case "string": {
      const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value;
      return `the string ${JSON.stringify(shown)}`;
    }
    case "number":
      return `the number ${value}`;
    case "boolean":
      return `${value}`;
    case "object":
      return "a mapping";
    default:
      return typeof value;
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  array: "a list",
  object: "a mapping of key: value",
  record: "a mapping of key: value",
  map: "a mapping of key: value",
};

const plural = (count: number | bigint, word: string) => `${count} ${word}${Number(count) === 1 ? "" : "s"}`;
const ORIGIN_UNITS: Record<string, string> = { array: "item", set: "item", string: "character" };

type RawIssue = z.core.$ZodRawIssue;

/**
 * The words of every problem the schema does not word itself (zod's defaults, such as "Too small:
 * expected array to have >=1 items", never reach a user). Passed to every parse (PARSE_OPTIONS).
 */
export function configErrorMap(issue: RawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case "too_small": {
      const unit = ORIGIN_UNITS[issue.origin];
      if (unit) return Number(issue.minimum) === 1 && unit === "item" ? "give at least one item, or remove the key" : `give at least ${plural(issue.minimum, unit)}`;
      return `must be ${issue.inclusive ? "at least" : "greater than"} ${issue.minimum}`;
    }
    case "too_big": {
      const unit = ORIGIN_UNITS[issue.origin];
      if (unit) return `give at most ${plural(issue.maximum, unit)}`;
      return `must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}`;
    }
    case "invalid_value":
      return `expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`}`;
    case "invalid_format":
      return "does not have the expected form";
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "invalid_key":
      return "is not a valid key";
    case "invalid_element":
      return "holds an invalid value";
    case "invalid_union":
      return "matches none of the allowed forms";
    case "unrecognized_keys":
      return `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    default:
      return "is invalid";
  }
}

/** Every parse of config goes through these: the input is kept on each issue, and the words are ours. */
export const PARSE_OPTIONS = { reportInput: true, error: configErrorMap } as const;

/** Sorts the issues so each problem appears once, in document order of its path. */
function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function problemsFromZod(error: z.ZodError, namespace = "platform", prefix: PropertyKey[] = []): ConfigProblem[] {
  return dedupe(
    error.issues.flatMap((issue) => {
      const path = [...prefix, ...issue.path];
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({
          path: formatPath([...path, key], namespace),
          message: `unknown key ${JSON.stringify(key)}: remove it or check its spelling`,
        }));
      }
      if (issue.code === "invalid_type") {
        // with reportInput, an issue carries `input` unless the key was absent altogether
        if (!("input" in issue) || issue.input === undefined) return [{ path: formatPath(path, namespace), message: `is required: ${issue.message}` }];
        return [{ path: formatPath(path, namespace), message: /\bgot\b/.test(issue.message) ? issue.message : `${issue.message}, got ${describeValue(issue.input)}` }];
      }
      return [{ path: formatPath(path, namespace), message: issue.message }];
    }),
  );
}
