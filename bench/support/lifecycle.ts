// How a live benchmark runs: its cleanups always run (normal end, error, SIGINT, or the SIGTERM that
// bench/run.ts sends when a bench outlives its time limit), in reverse order of registration (twice
// after a signal, for the Docker call that was in flight); they must be idempotent;
// and a phase clock that prints where the wall time went.
import { performance } from "node:perf_hooks";

type Cleanup = () => Promise<unknown>;

export interface BenchContext {
  /** runs at the end whatever happens, last registered first */
  onCleanup(task: Cleanup): void;
  /** prints `[+12.3 s] what` (seconds since the bench started) */
  phase(what: string): void;
}

export function runBench(main: (context: BenchContext) => Promise<void>): void {
  const started = performance.now();
  const tasks: Cleanup[] = [];
  let cleaning: Promise<void> | undefined;
  const phase = (what: string) => console.log(`[+${((performance.now() - started) / 1000).toFixed(1)} s] ${what}`);
  const runTasks = async () => {
    for (const task of [...tasks].reverse()) {
      try {
        await task();
      } catch (error) {
        console.error(`cleanup failed: ${(error as Error).message}`);
      }
    }
  };
  const cleanup = () => (cleaning ??= runTasks());
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    console.error(`${signal}: cleaning up before exit`);
    // a Docker call the run had in flight may land after the first pass: a second pass a moment later
    void cleanup()
      .then(() => new Promise((resolve) => setTimeout(resolve, 1000)))
      .then(runTasks)
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  main({ onCleanup: (task) => tasks.push(task), phase })
    .catch((error) => {
      // once stopped by a signal, what fails next is the cleanup pulling containers from under the run
      if (!stoppedBy) console.error(error);
      process.exitCode = 1;
    })
    .finally(async () => {
      await cleanup();
      phase("cleaned up");
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    });
}

/** A positive number from the environment (a quick run: e.g. BENCH_GATEWAY_REQUESTS=200), or the default. */
export function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${process.env[name]}`);
  return value;
}
