// The one argument parser of every command (sandbox, monitor, platform-policy-check, bench,
// list-images): `node:util` parseArgs in strict mode, one usage error and one way to report it.
//   - `--help` / `-h` prints the command's usage on stdout, exit 0
//   - an unknown option, a missing or unwanted value, a bad value, a missing or unexpected
//     argument: `<command>: <problem>`, a blank line and the usage on stderr, exit 2
// A tools-level module: config/, plan/, render/ and components/ never import it.
import { parseArgs } from "node:util";

/** Every command exits with this code when it was called wrongly. */
export const USAGE_EXIT_CODE = 2;

/** The command was called wrongly: reported with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  default?: string | boolean;
  /** string options only: the values it takes (anything else is a usage error) */
  choices?: readonly string[];
}

type OptionSpecs = Record<string, OptionSpec>;

interface CommandSpec<O extends OptionSpecs> {
  /** the name messages start with, e.g. `monitor` */
  name: string;
  /** printed by --help (stdout) and after a usage error (stderr) */
  usage: string;
  options: O;
  /** the command's arguments: absent when it takes none */
  positionals?: { name: string; min?: number; max?: number };
}

type StringValue<S extends OptionSpec> = S extends { choices: readonly (infer C)[] } ? C : string;

/** Booleans are always true or false; strings are undefined unless given or defaulted. */
export type Values<O extends OptionSpecs> = {
  -readonly [K in keyof O]: O[K]["type"] extends "boolean" ? boolean : O[K] extends { default: string } ? StringValue<O[K]> : StringValue<O[K]> | undefined;
};

export interface ParsedArgs<O extends OptionSpecs> {
  values: Values<O>;
  positionals: string[];
}

const HELP: OptionSpec = { type: "boolean", short: "h" };

/** A value the option does not take: `--format must be text or json, not "xml"`. */
export function badValue(option: string, value: string, must: string): UsageError {
  return new UsageError(`--${option} must be ${must}, not ${JSON.stringify(value)}`);
}

function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** Node's strict parse failed: name the first argument it stumbled over, in this module's words. */
function explain(argv: string[], options: OptionSpecs, takesPositionals: boolean, error: Error): UsageError {
  const { tokens } = parseArgs({ args: argv, options: parserOptions(options), strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === "positional" && !takesPositionals) return new UsageError(`unexpected argument ${JSON.stringify(token.value)}`);
    if (token.kind !== "option") continue;
    const spec = options[token.name];
    if (!spec) return new UsageError(`unknown option ${token.rawName}`);
    if (spec.type === "boolean" && token.inlineValue) return new UsageError(`${token.rawName} takes no value`);
    // a string option followed by nothing, or by what looks like another option (`--stack --keep`)
    if (spec.type === "string" && (token.value === undefined || (!token.inlineValue && token.value.startsWith("-") && token.value.length > 1))) {
      return new UsageError(`${token.rawName} needs a value`);
    }
  }
  return new UsageError(error.message.split("\n")[0]);
}

function parserOptions(options: OptionSpecs) {
  return Object.fromEntries(Object.entries(options).map(([name, { type, short, default: value }]) => [name, { type, ...(short ? { short } : {}), ...(value !== undefined ? { default: value } : {}) }]));
}

/**
 * Parses `argv` strictly against the command's options (plus --help). Returns undefined when --help
 * was asked for; throws a UsageError for anything the command does not take.
 */
export function parseCommandLine<const O extends OptionSpecs>(command: CommandSpec<O>, argv: readonly string[]): ParsedArgs<O> | undefined {
  const options: OptionSpecs = { ...command.options, help: HELP };
  const args = [...argv];
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: parserOptions(options), strict: true, allowPositionals: command.positionals !== undefined }) as typeof parsed;
  } catch (error) {
    if (!String((error as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS_")) throw error;
    throw explain(args, options, command.positionals !== undefined, error as Error);
  }
  if (parsed.values.help === true) return undefined;
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    const value = parsed.values[name];
    if (spec.type === "boolean") values[name] = value === true;
    else if (typeof value === "string" && spec.choices && !spec.choices.includes(value)) throw badValue(name, value, orList(spec.choices));
    else values[name] = value;
  }
  const { positionals } = parsed;
  const range = command.positionals;
  if (range && positionals.length < (range.min ?? 0)) throw new UsageError(`missing ${range.name}`);
  if (range?.max !== undefined && positionals.length > range.max) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[range.max])}`);
  return { values: values as Values<O>, positionals };
}

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: CommandIo = { stdout: (t) => process.stdout.write(`${t}\n`), stderr: (t) => process.stderr.write(`${t}\n`) };

/** The one usage-error report: `<command>: <problem>`, a blank line, the usage. */
function formatUsageError(command: { name: string; usage: string }, error: UsageError): string {
  return `${command.name}: ${error.message}\n\n${command.usage}`;
}

/**
 * Parses the command line and runs the command. --help → usage on stdout, 0. A UsageError, from the
 * parser or thrown by `run`, → reported on stderr, 2. Anything else `run` throws propagates.
 */
export async function runCommand<const O extends OptionSpecs>(
  command: CommandSpec<O>,
  argv: readonly string[],
  run: (args: ParsedArgs<O>) => number | Promise<number>,
  io: CommandIo = processIo,
): Promise<number> {
  try {
    const args = parseCommandLine(command, argv);
    if (!args) {
      io.stdout(command.usage);
      return 0;
    }
    return await run(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(formatUsageError(command, error));
    return USAGE_EXIT_CODE;
  }
}

interface ExitOptions {
  /** what a crash prints and the code it exits with; default: the error on stderr, exit 2 */
  onCrash?: (error: unknown) => number;
  /** process.exit at once (a command that may leave handles open) instead of setting process.exitCode */
  immediately?: boolean;
}

/** The end of every entry point: exits with the command's code once it is done. */
export function exitWith(done: Promise<number>, options: ExitOptions = {}): void {
  const onCrash =
    options.onCrash ??
    ((error: unknown) => {
      console.error(error);
      return 2;
    });
  const exit = (code: number) => (options.immediately ? process.exit(code) : (process.exitCode = code));
  done.then(exit, (error) => exit(onCrash(error)));
}
