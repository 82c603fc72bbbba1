// Runs every bench/*.bench.ts in its own process, one after another, and prints their reports.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const only = process.argv.slice(2);
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
process.exit(failed ? 1 : 0);
