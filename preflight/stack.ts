// The one way both swarm commands get at a stack: `--stack NAME` → Pulumi.NAME.yaml in the project
// directory → validated config → plan → swarmStack. A stack that is not a Swarm stack is refused,
// naming platform:orchestrator: neither command means anything for one engine.
import { join } from "node:path";
import { UsageError } from "../cli/args";
import { stackFileOption } from "../cli/stack-option";
import { loadStackFile } from "../config/load";
import type { PlatformConfig } from "../config/schema";
import { buildPlan } from "../plan/plan";
import { swarmStack, type SwarmStack } from "../render/swarm/from-plan";

export const PROJECT_DIR = join(__dirname, "..");

export interface LoadedSwarmStack {
  stack: string;
  file: string;
  config: PlatformConfig;
  swarm: SwarmStack;
  warnings: string[];
}

/**
 * Loads `--stack` from `projectDir`. Usage errors (exit 2) for a missing or badly named stack and for an
 * engine stack; ConfigError / StackFileError propagate for an invalid stack file (the caller reports them).
 */
export function loadSwarmStack(option: string | undefined, projectDir: string, command: string): LoadedSwarmStack {
  const { stack, file } = stackFileOption(option, projectDir, "--stack is required: the Swarm stack, e.g. --stack prod for Pulumi.prod.yaml");
  const { config, warnings } = loadStackFile(file);
  if (config.orchestrator !== "swarm") {
    throw new UsageError(
      `--stack ${stack}: platform:orchestrator is ${JSON.stringify(config.orchestrator ?? "engine")}; ${command} is for Swarm stacks (set platform:orchestrator: swarm in ${file}, see docs/swarm.md)`,
    );
  }
  return { stack, file, config, swarm: swarmStack(buildPlan(config, stack)), warnings };
}
