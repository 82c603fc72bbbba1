// platform-policy-check [--format text|json] [--config FILE] FILE...
// Exit codes: 0 no mandatory violation, 1 a mandatory rule failed, 2 unreadable input or bad usage.
import { readFileSync } from "node:fs";
import type { PackConfig } from "../engine";
import { allRules } from "../registry";
import { parseText } from "./inputs";
import { checkFiles } from "./check";
import { formatJson, formatText } from "./report";

export const USAGE = `usage: platform-policy-check [--format text|json] [--config PACK_CONFIG.json] [--stack Pulumi.<stack>.yaml] FILE...

Checks each FILE with the platform's policy pack (policies/), without the Pulumi CLI. FILE is
  - a third party's app manifest (YAML or JSON: the app entry of platform:apps),
  - a \`pulumi stack export\` file, or
  - a JSON array of { "type", "name", "props" } resources.
--config takes the same file as \`pulumi preview --policy-pack-config\` (rule id -> level or settings).
--stack vets app manifests inside that stack: the whole config is validated and the program runs
  under mocks with the app added, so every resource of the stack is checked, stack rules included.
Exit status: 0 passed, 1 a mandatory rule failed, 2 unreadable input, bad usage or an internal error.`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = { stdout: (t) => process.stdout.write(`${t}\n`), stderr: (t) => process.stderr.write(`${t}\n`) };

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<0 | 1 | 2> {
  let format: "text" | "json" = "text";
  let config: PackConfig | undefined;
  let stackFile: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (name: string) => {
      const inline = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : undefined;
      const next = inline ?? argv[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    try {
      if (arg === "--help" || arg === "-h") {
        io.stdout(USAGE);
        return 0;
      } else if (arg === "--format" || arg.startsWith("--format=")) {
        const chosen = value("--format");
        if (chosen !== "text" && chosen !== "json") throw new UsageError(`--format must be "text" or "json", not ${JSON.stringify(chosen)}`);
        format = chosen;
      } else if (arg === "--config" || arg.startsWith("--config=")) {
        const file = value("--config");
        const parsed = parseText(file, readFileSync(file, "utf8"));
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UsageError(`${file}: a pack config is an object of rule id -> level or settings`);
        config = validatePackConfig(file, parsed as Record<string, unknown>);
      } else if (arg === "--stack" || arg.startsWith("--stack=")) {
        stackFile = value("--stack");
      } else if (arg.startsWith("-") && arg !== "-") {
        throw new UsageError(`unknown option ${arg}`);
      } else {
        files.push(arg);
      }
    } catch (error) {
      io.stderr(`platform-policy-check: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
  }
  if (files.length === 0) {
    io.stderr(`platform-policy-check: no input files\n\n${USAGE}`);
    return 2;
  }
  const report = await checkFiles(files, config, { stackFile });
  io.stdout(format === "json" ? formatJson(report) : formatText(report));
  return report.exitCode;
}

class UsageError extends Error {}

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

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      // a crash certifies nothing: never exit 0 or 1
      console.error(error);
      process.exitCode = 2;
    },
  );
}
