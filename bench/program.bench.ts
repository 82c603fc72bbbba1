// Issue 3: cost of evaluating the platform program under mocks, per app, against the SDK's own floor.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Sample { mode: string; apps: number; resources: number; ms: number; rssMb: number }

function measure(args: string[]): Sample {
  const out = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, "program-eval.worker.ts"), ...args], { encoding: "utf8", timeout: 240_000 });
  if (out.status !== 0) throw new Error(`worker ${args.join(" ")} failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split("\n").pop()!);
}

const sizes = [10, 100, 1000];
const rows: string[] = [];
const perApp: number[] = [];
for (const apps of sizes) {
  const scratch = mkdtempSync(join(tmpdir(), "bench-program-"));
  const leaves = join(scratch, "leaves.json");
  const platform = measure(["platform", String(apps), leaves]);
  const flat = measure(["flat", String(apps), leaves]);
  const floorPerApp = measure(["floor", String(apps)]);
  rmSync(scratch, { recursive: true, force: true });
  perApp.push(platform.ms / apps);
  rows.push(
    [
      String(apps).padStart(5),
      `${platform.resources}`.padStart(6),
      `${platform.ms.toFixed(0)} ms`.padStart(10),
      `${(platform.ms / apps).toFixed(2)} ms`.padStart(10),
      `${(platform.ms / flat.ms).toFixed(2)}x`.padStart(8),
      `${(platform.ms / floorPerApp.ms).toFixed(2)}x`.padStart(8),
      `${platform.rssMb.toFixed(0)} MB`.padStart(8),
    ].join("  "),
  );
}
console.log("Program evaluation under Pulumi mocks (fast key material; each figure one fresh process)");
console.log(" apps  resources   total     per app  vs flat  vs 2/app     rss");
for (const row of rows) console.log(row);
console.log(`growth: per-app time at 1000 apps is ${(perApp[2] / perApp[1]).toFixed(2)}x the per-app time at 100 apps (1.00 = linear)`);
console.log("'vs flat': the platform's own leaf resources, same inputs, declared directly without components: the platform's overhead (target <= 1.3x).");
console.log("'vs 2/app': one raw docker.Network + docker.Container per app (the issue's floor); the platform also declares a key, CSR, certificate, TLS volume and upload seed per app.");
