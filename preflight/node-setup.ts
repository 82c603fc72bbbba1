// npm run swarm:node-setup -- --stack NAME [--daemon-json PATH] [--write]
// Merges the stack's node requirements (render/swarm/node-requirements.ts) into a node's daemon.json:
// the merged file on stdout, what changes and the host steps daemon.json cannot hold on stderr. Writes
// only with --write: atomically (temporary file + rename), the old file kept as PATH.bak.
// Exit code: 0 merged (and written with --write), 1 the file could not be written, 2 bad usage, an
// invalid or non-Swarm stack, an unreadable daemon.json, or a value that would weaken a requirement.
import { copyFileSync, existsSync, fsyncSync, closeSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { CommandIo, exitWith, processIo, runCommand, USAGE_EXIT_CODE } from "../cli/args";
import { ConfigError } from "../config/errors";
import { StackFileError } from "../config/load";
import { DaemonJson, formatChanges, formatConflicts, mergeDaemonJson } from "./daemon-json";
import { hostSteps } from "./host-steps";
import { loadSwarmStack, PROJECT_DIR } from "./stack";

export const DEFAULT_DAEMON_JSON = "/etc/docker/daemon.json";
const WRITE_FAILED = 1;

const NODE_SETUP_COMMAND = {
  name: "swarm:node-setup",
  usage: [
    "usage: npm run swarm:node-setup -- --stack NAME [--daemon-json PATH] [--write]",
    "  --stack NAME        the Swarm stack (Pulumi.NAME.yaml, platform:orchestrator: swarm)",
    `  --daemon-json PATH  the node's daemon.json to merge into (default ${DEFAULT_DAEMON_JSON}; absent: {})`,
    "  --write             write the merged file (atomically, the old one kept as PATH.bak); without it nothing is written",
    "prints the merged daemon.json on stdout, the changes and the host steps daemon.json cannot hold on stderr",
    "exit code: 0 merged, 1 could not write, 2 bad usage, an invalid or non-Swarm stack, an unreadable daemon.json,",
    "           or a value in it that would weaken a requirement (named, nothing written)",
  ].join("\n"),
  options: {
    stack: { type: "string" },
    "daemon-json": { type: "string", default: DEFAULT_DAEMON_JSON },
    write: { type: "boolean" },
  },
} as const;

/** The file's JSON object; {} when it does not exist. Throws a message naming the file otherwise. */
export function readDaemonJson(file: string): DaemonJson {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON (dockerd would not start with it either): ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: expected a JSON object`);
  return parsed as DaemonJson;
}

/** Temporary file beside the target, fsync, rename over it; the previous file copied to `<file>.bak` first. */
export function writeAtomically(file: string, text: string): { backup?: string } {
  const backup = existsSync(file) ? `${file}.bak` : undefined;
  if (backup) copyFileSync(file, backup);
  const temporary = `${file}.tmp-${process.pid}`;
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o644;
  try {
    const fd = openSync(temporary, "wx", mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return { backup };
}

async function setup(values: { stack: string | undefined; "daemon-json": string; write: boolean }, io: CommandIo, projectDir: string): Promise<number> {
  let loaded;
  try {
    loaded = loadSwarmStack(values.stack, projectDir, "swarm:node-setup");
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof StackFileError)) throw error;
    io.stderr(`swarm:node-setup: ${error.message}`);
    return USAGE_EXIT_CODE;
  }
  const file = values["daemon-json"];
  let existing: DaemonJson;
  try {
    existing = readDaemonJson(file);
  } catch (error) {
    io.stderr(`swarm:node-setup: ${(error as Error).message}`);
    return USAGE_EXIT_CODE;
  }
  const { merged, changes, conflicts, warnings } = mergeDaemonJson(existing, loaded.swarm.daemonJson);
  if (conflicts.length > 0) {
    for (const line of formatConflicts(file, conflicts)) io.stderr(`swarm:node-setup: ${line}`);
    io.stderr("swarm:node-setup: nothing written");
    return USAGE_EXIT_CODE;
  }
  const text = `${JSON.stringify(merged, null, 2)}\n`;
  io.stdout(text.trimEnd());
  io.stderr(`# ${file} for stack ${loaded.stack} (${existsSync(file) ? "merged into the existing file" : "the file does not exist yet"}):`);
  for (const line of formatChanges(changes)) io.stderr(line);
  for (const warning of warnings) io.stderr(`! ${warning}`);
  io.stderr("# host steps daemon.json cannot hold (on every node):");
  for (const step of hostSteps(loaded.swarm.nodeRequirements)) io.stderr(`- ${step}`);
  if (changes.length === 0) {
    io.stderr(`# ${file} already holds every requirement: nothing to write`);
    return 0;
  }
  if (!values.write) {
    io.stderr(`# dry run: nothing written; add --write to write ${file}`);
    return 0;
  }
  try {
    const { backup } = writeAtomically(file, text);
    io.stderr(`# written ${file}${backup ? ` (previous file: ${backup})` : ""}; restart dockerd (systemctl restart docker) to apply it,`);
    io.stderr("# and make sure none of these keys is also given as a dockerd flag (dockerd refuses to start then); then run npm run swarm:preflight");
  } catch (error) {
    io.stderr(`swarm:node-setup: cannot write ${file}: ${(error as Error).message}`);
    return WRITE_FAILED;
  }
  return 0;
}

/** The command, callable in-process: `argv` without the node and script names. */
export function main(argv: readonly string[], io: CommandIo = processIo, projectDir = PROJECT_DIR): Promise<number> {
  return runCommand(NODE_SETUP_COMMAND, argv, ({ values }) => setup(values, io, projectDir), io);
}

if (require.main === module) exitWith(main(process.argv.slice(2)));
