// The deploy tools that read one stack's config (`tsx scripts/<tool>.ts [STACK]`, default dev) parse
// their arguments through cli/args and end the same way: an unreadable or invalid stack file prints
// its problems once, without a stack trace, and exits 1 (deploy.sh stops on it); a bug keeps its trace.
import { exitWith, runCommand } from "../cli/args";
import { ConfigError } from "../config/errors";
import { StackFileError } from "../config/load";

export function runStackCommand(name: string, usage: string, run: (stack: string) => number): void {
  exitWith(
    runCommand({ name, usage, options: {}, positionals: { name: "STACK", max: 1 } }, process.argv.slice(2), ({ positionals }) => run(positionals[0] ?? "dev")),
    {
      onCrash: (error) => {
        console.error(error instanceof ConfigError || error instanceof StackFileError ? error.message : error);
        return 1;
      },
    },
  );
}
