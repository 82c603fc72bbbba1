// Issue 3: cost of evaluating the platform program under mocks, per app, against the SDK's own floor;
// and the Swarm wiring's cost against the engine wiring's for the same apps.
//
// Every figure is one fresh process (program-eval.worker.ts): time from the config to the last resource
// registered (module loading excluded), RSS when it is done. The stacks are benchConfig's: copies of one
// app on /27 app networks in 10.208.0.0/16, the smallest base CIDR in which a Swarm stack of 1,000 apps
// validates (the worker says why). The engine rows ("platform") are the engine stack of the comparison.
//
// "Swarm vs engine": the same config with platform:orchestrator: swarm, evaluated by the same program.
// Each ratio is swarm / engine: above 1.00x the Swarm wiring costs more to evaluate (wall time, CPU time)
// or holds more memory (RSS) than the engine wiring for the same apps; below 1.00x less. CPU time is the
// worker's own (all its threads), so its ratio holds when other work shares the host and the wall-time
// ratio does not. It compares what `pulumi up` evaluates before any provider call, not deploy time: Swarm
// declares a service, an overlay network and secrets and configs per app where the engine declares a
// container, a network, a TLS volume and an upload seed, so the resource counts are printed beside it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Sample { mode: string; apps: number; resources: number; ms: number; cpuMs: number; rssMb: number }

function measure(args: string[]): Sample {
  const out = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, "program-eval.worker.ts"), ...args], { encoding: "utf8", timeout: 240_000 });
  if (out.status !== 0) throw new Error(`worker ${args.join(" ")} failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split("\n").pop()!);
}

const sizes = [10, 100, 1000];
/** the sizes of the Swarm comparison (10 apps says little: the platform's own services dominate) */
const swarmSizes = new Set([100, 1000]);
const rows: string[] = [];
const swarmRows: string[] = [];
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
  if (!swarmSizes.has(apps)) continue;
  const swarm = measure(["swarm", String(apps)]);
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`.padStart(7);
  swarmRows.push(
    [
      String(apps).padStart(5),
      `${platform.resources} / ${swarm.resources}`.padStart(15),
      `${platform.ms.toFixed(0)} / ${swarm.ms.toFixed(0)} ms`.padStart(19),
      ratio(swarm.ms, platform.ms),
      `${platform.cpuMs.toFixed(0)} / ${swarm.cpuMs.toFixed(0)} ms`.padStart(19),
      ratio(swarm.cpuMs, platform.cpuMs),
      `${platform.rssMb.toFixed(0)} / ${swarm.rssMb.toFixed(0)} MB`.padStart(15),
      ratio(swarm.rssMb, platform.rssMb),
    ].join("  "),
  );
}
console.log("Program evaluation under Pulumi mocks (fast key material; each figure one fresh process)");
console.log(" apps  resources   total     per app  vs flat  vs 2/app     rss");
for (const row of rows) console.log(row);
console.log(`growth: per-app time at 1000 apps is ${(perApp[2] / perApp[1]).toFixed(2)}x the per-app time at 100 apps (1.00 = linear)`);
console.log("'vs flat': the platform's own leaf resources, same inputs, declared directly without components: the platform's overhead (target <= 1.3x).");
console.log("'vs 2/app': one raw docker.Network + docker.Container per app (the issue's floor); the platform also declares a key, CSR, certificate, TLS volume and upload seed per app.");
console.log("");
console.log("Swarm vs engine: the same apps and config, platform:orchestrator: swarm against engine (the engine figures are the rows above)");
console.log([" apps", "resources e / s".padStart(15), "wall time e / s".padStart(19), "ratio".padStart(7), "cpu time e / s".padStart(19), "ratio".padStart(7), "rss e / s".padStart(15), "ratio".padStart(7)].join("  "));
for (const row of swarmRows) console.log(row);
console.log("e / s: engine / swarm; ratio: swarm / engine (above 1.00x the Swarm wiring costs more, below less); cpu time: the worker's own, steady when the host is busy.");
