// Runs every bench/*.bench.ts in its own process, one after another, and prints their reports.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { exitWith, runCommand } from "../cli/args";

const BENCH_COMMAND = {
  name: "bench",
  usage: "usage: npm run bench -- [NAME...]   runs every bench/*.bench.ts, or only those whose file name contains a NAME",
  options: {},
  positionals: { name: "NAME" },
} as const;

function bench(only: string[]): number {
  const benches = readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  let failed = 0;
  for (const file of benches) {
    console.log(`\n=== ${file}`);
    const started = Date.now();
    const result = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, file)], { stdio: "inherit", timeout: 10 * 60_000 });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.status !== 0) {
      failed++;
      console.log(`=== ${file} FAILED (exit ${result.status ?? result.signal}) after ${seconds}s`);
    } else {
      console.log(`=== ${file} done in ${seconds}s`);
    }
  }
  return failed ? 1 : 0;
}

exitWith(runCommand(BENCH_COMMAND, process.argv.slice(2), ({ positionals }) => bench(positionals)), { immediately: true });
