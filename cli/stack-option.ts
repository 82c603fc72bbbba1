// `--stack NAME` of the commands that read one of the project's stacks: the name checked, the file
// found, and a usage error that lists the stacks there are when it is not.
import { existsSync, readdirSync } from "node:fs";
import { isStackName, STACK_NAME_RULE, stackFilePath } from "../config/load";
import { badValue, UsageError } from "./args";

/** The project's stacks, by the Pulumi.<stack>.yaml files in `dir`. */
export function stacksIn(dir: string): string[] {
  return readdirSync(dir)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** Pulumi.<stack>.yaml in `projectDir`; `whenMissing` is the usage error for no --stack at all. */
export function stackFileOption(stack: string | undefined, projectDir: string, whenMissing: string): { stack: string; file: string } {
  if (stack === undefined) throw new UsageError(whenMissing);
  if (!isStackName(stack)) throw badValue("stack", stack, STACK_NAME_RULE);
  const file = stackFilePath(stack, projectDir);
  if (!existsSync(file)) {
    const stacks = stacksIn(projectDir);
    throw new UsageError(`--stack ${stack}: there is no ${file}; ${stacks.length ? `the stacks here are ${stacks.join(", ")}` : "no stack file is here"}`);
  }
  return { stack, file };
}
