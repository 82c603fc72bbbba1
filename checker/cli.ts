// platform-policy-check [--format text|json] [--config FILE] FILE...
// Exit codes: 0 no mandatory violation, 1 a mandatory rule failed, 2 unreadable input or bad usage.
import { readFileSync } from "node:fs";
import { CommandIo, exitWith, processIo, runCommand, UsageError } from "../cli/args";
import type { PackConfig } from "../policies/evaluate";
import { allRules } from "../policies/registry";
import { parseText } from "./inputs";
import { checkFiles } from "./check";
import { wantsColor } from "../cli/terminal";
import { formatJson, formatText } from "./report";

const USAGE = `usage: platform-policy-check [--format text|json] [--config PACK_CONFIG.json] [--stack Pulumi.<stack>.yaml] FILE...

Checks each FILE with the platform's policy pack (policies/), without the Pulumi CLI. FILE is
  - a third party's app manifest (YAML or JSON: the app entry of platform:apps),
  - a \`pulumi stack export\` file, or
  - a JSON array of { "type", "name", "props" } resources.
--config takes the same file as \`pulumi preview --policy-pack-config\` (rule id -> level or settings).
--stack vets app manifests inside that stack: the whole config is validated and the program runs
  under mocks with the app added, so every resource of the stack is checked, stack rules included.
  Problems of the manifest are reported at its own paths (app:image); findings the stack has
  without the app are listed apart and not counted.
Text output is coloured on a terminal unless NO_COLOR is set.
Exit status: 0 passed, 1 a mandatory rule failed, 2 unreadable input, bad usage or an internal error.`;

const CHECK_COMMAND = {
  name: "platform-policy-check",
  usage: USAGE,
  options: {
    format: { type: "string", default: "text", choices: ["text", "json"] },
    config: { type: "string" },
    stack: { type: "string" },
  },
  positionals: { name: "FILE", min: 1 },
} as const;

/**
 * `color`: ANSI colours in text output; by default on when writing to the process's own stdout and
 * that is a terminal without NO_COLOR.
 */
export async function main(argv: readonly string[], io: CommandIo = processIo, color = io === processIo && wantsColor(process.stdout, process.env)): Promise<number> {
  return runCommand(
    CHECK_COMMAND,
    argv,
    async ({ values, positionals }) => {
      const config = values.config === undefined ? undefined : loadPackConfig(values.config);
      const report = await checkFiles(positionals, config, { stackFile: values.stack });
      io.stdout(values.format === "json" ? formatJson(report) : formatText(report, { color }));
      return report.exitCode;
    },
    io,
  );
}

/** `--config FILE`: anything wrong with it is a usage error (exit 2). */
export function loadPackConfig(file: string): PackConfig {
  let parsed: unknown;
  try {
    parsed = parseText(file, readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UsageError(`${file}: a pack config is an object of rule id -> level or settings`);
  return validatePackConfig(file, parsed as Record<string, unknown>);
}

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

/** A typo in a rule id would silently leave the rule at its default: refuse it instead. */
function validatePackConfig(file: string, config: Record<string, unknown>): PackConfig {
  const ids = new Set(allRules.map((r) => r.id));
  for (const [id, entry] of Object.entries(config)) {
    if (!ids.has(id)) throw new UsageError(`${file}: unknown rule id ${JSON.stringify(id)} (see docs/policies.md for the rule ids)`);
    const level = typeof entry === "string" ? entry : typeof entry === "object" && entry !== null ? (entry as { enforcementLevel?: unknown }).enforcementLevel : null;
    if (level === null) throw new UsageError(`${file}: ${id}: expected a level or an object of settings`);
    if (level !== undefined && !LEVELS.includes(level as string)) throw new UsageError(`${file}: ${id}: enforcementLevel must be one of ${LEVELS.join(", ")}, not ${JSON.stringify(level)}`);
  }
  return config as PackConfig;
}

// a crash certifies nothing: exitWith exits 2, never 0 or 1
if (require.main === module) exitWith(main(process.argv.slice(2)));
