// The one way both swarm commands get at a stack: `--stack NAME` → Pulumi.NAME.yaml in the project
// directory → validated config → plan → swarmStack. A stack that is not a Swarm stack is refused,
// naming platform:orchestrator: neither command means anything for one engine.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { badValue, UsageError } from "../cli/args";
import { isStackName, loadStackFile, STACK_NAME_RULE, stackFilePath } from "../config/load";
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

function stacksIn(dir: string): string[] {
  return readdirSync(dir)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/**
 * Loads `--stack` from `projectDir`. Usage errors (exit 2) for a missing or badly named stack and for an
 * engine stack; ConfigError / StackFileError propagate for an invalid stack file (the caller reports them).
 */
export function loadSwarmStack(stack: string | undefined, projectDir: string, command: string): LoadedSwarmStack {
  if (stack === undefined) throw new UsageError("--stack is required: the Swarm stack, e.g. --stack prod for Pulumi.prod.yaml");
  if (!isStackName(stack)) throw badValue("stack", stack, STACK_NAME_RULE);
  const file = stackFilePath(stack, projectDir);
  if (!existsSync(file)) {
    const stacks = stacksIn(projectDir);
    throw new UsageError(`--stack ${stack}: there is no ${file}; ${stacks.length ? `the stacks here are ${stacks.join(", ")}` : "no stack file is here"}`);
  }
  const { config, warnings } = loadStackFile(file);
  if (config.orchestrator !== "swarm") {
    throw new UsageError(
      `--stack ${stack}: platform:orchestrator is ${JSON.stringify(config.orchestrator ?? "engine")}; ${command} is for Swarm stacks (set platform:orchestrator: swarm in ${file}, see docs/swarm.md)`,
    );
  }
  return { stack, file, config, swarm: swarmStack(buildPlan(config, stack)), warnings };
}
