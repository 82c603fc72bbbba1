// npm run topology -- --stack NAME [--format svg|dot|mermaid] [--app NAME] [--output FILE]
// Draws the stack's topology from its plan: app networks, the gateway and egress proxy, the services each
// app may call and the hosts it may reach. Exit code: 0 drawn, 2 bad usage, an invalid stack or unwritable output.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CommandIo, exitWith, ParsedArgs, processIo, runCommand, UsageError } from "../cli/args";
import { stackFileOption } from "../cli/stack-option";
import { ConfigError } from "../config/errors";
import { loadStackFile, StackFileError } from "../config/load";
import type { PlatformConfig } from "../config/schema";
import { buildPlan } from "../plan/plan";
import { topologyDot } from "./dot";
import { topologyMermaid } from "./mermaid";
import { TopologyModel, topologyModel, UnknownAppError } from "./model";
import { dotToSvg } from "./svg";

export const PROJECT_DIR = join(__dirname, "..");
/** Exit code of a stack that cannot be drawn (not YAML, or refused by the config schema). */
const INVALID_STACK = 2;
const UNWRITABLE_OUTPUT = 2;

const TOPOLOGY_COMMAND = {
  name: "topology",
  usage: [
    "usage: npm run topology -- --stack NAME [--format svg|dot|mermaid] [--app NAME] [--output FILE]",
    "  --stack NAME    the stack to draw: Pulumi.NAME.yaml",
    "  --format        svg (default: Graphviz layout, no browser needed), dot (Graphviz source) or mermaid (a flowchart for Markdown)",
    "  --app NAME      only this app: its network, the gateway and the services it may call, the egress proxy and its hosts",
    "  --output FILE   write the drawing to FILE instead of standard output",
    "exit code: 0 drawn, 2 bad usage, an invalid stack or an --output that cannot be written",
  ].join("\n"),
  options: {
    stack: { type: "string" },
    format: { type: "string", choices: ["svg", "dot", "mermaid"], default: "svg" },
    app: { type: "string" },
    output: { type: "string" },
  },
} as const;

async function draw({ values }: ParsedArgs<typeof TOPOLOGY_COMMAND.options>, io: CommandIo, projectDir: string): Promise<number> {
  const { app, format, output } = values;
  const { stack, file } = stackFileOption(values.stack, projectDir, "--stack is required: the stack to draw, e.g. --stack dev for Pulumi.dev.yaml");
  let config: PlatformConfig;
  try {
    config = loadStackFile(file).config;
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof StackFileError)) throw error;
    io.stderr(`topology: ${error.message}`);
    return INVALID_STACK;
  }
  let model: TopologyModel;
  try {
    model = topologyModel(buildPlan(config, stack), { app });
  } catch (error) {
    if (error instanceof UnknownAppError) throw new UsageError(`--app: ${error.message}`);
    throw error;
  }
  const text = format === "dot" ? topologyDot(model) : format === "mermaid" ? topologyMermaid(model) : await dotToSvg(topologyDot(model));
  if (output === undefined) {
    io.stdout(text.replace(/\n$/, ""));
    return 0;
  }
  try {
    writeFileSync(output, text.endsWith("\n") ? text : `${text}\n`);
  } catch (error) {
    io.stderr(`topology: cannot write --output ${output}: ${(error as Error).message}`);
    return UNWRITABLE_OUTPUT;
  }
  io.stderr(`topology: ${model.title} written to ${output} (${format})`);
  return 0;
}

/** The command, callable in-process: `argv` without the node and script names. */
export function main(argv: readonly string[], io: CommandIo = processIo, projectDir = PROJECT_DIR): Promise<number> {
  return runCommand(TOPOLOGY_COMMAND, argv, (args) => draw(args, io, projectDir), io);
}

if (require.main === module) exitWith(main(process.argv.slice(2)));
