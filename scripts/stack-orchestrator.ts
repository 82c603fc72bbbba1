// Prints a stack's platform:orchestrator (engine or swarm), for deploy.sh to run the Swarm preflight first.
import { join } from "node:path";
import { loadStackFile, stackFilePath } from "../config/load";
import { runStackCommand } from "./stack-command";

runStackCommand("stack-orchestrator", "usage: tsx scripts/stack-orchestrator.ts [STACK]   prints engine or swarm for Pulumi.<STACK>.yaml (default STACK: dev)", (stack) => {
  console.log(loadStackFile(stackFilePath(stack, join(__dirname, ".."))).config.orchestrator);
  return 0;
});
