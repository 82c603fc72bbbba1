// Latency summaries and the side-by-side comparison lines the live benchmarks print. Figures only:
// nothing here asserts on timing.
import { loadavg } from "node:os";

/** Nearest-rank percentile of an ascending list (the same rule as bench/egress.bench.ts). */
export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  if (latenciesMs.length === 0) throw new Error("no latencies to summarize");
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((n, x) => n + x, 0) / sorted.length, max: sorted[sorted.length - 1] };
}

const ms = (n: number) => `${n.toFixed(2).padStart(7)} ms`;

/** `label   N req  p50 … ms  p99 … ms  mean … ms  max … ms` */
export function latencyLine(label: string, s: LatencySummary, width = 34): string {
  return `  ${label.padEnd(width)} ${String(s.count).padStart(5)} req  p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  mean ${ms(s.mean)}  max ${ms(s.max)}`;
}

/** `→ <what> vs <base>: p50 ×r (+d ms), p99 ×r (+d ms)[, goal …]` */
export function comparisonLine(what: string, base: string, measured: LatencySummary, baseline: LatencySummary, goalRatio?: number): string {
  const ratio = (a: number, b: number) => `×${(a / b).toFixed(2)}`;
  const added = (a: number, b: number) => `${a - b >= 0 ? "+" : "−"}${Math.abs(a - b).toFixed(2)} ms`;
  const p50 = measured.p50 / baseline.p50;
  const goal = goalRatio === undefined ? "" : `; ${p50 <= goalRatio ? "meets" : "misses"} the ≤ ${goalRatio}× p50 goal`;
  return `    → ${what} vs ${base}: p50 ${ratio(measured.p50, baseline.p50)} (${added(measured.p50, baseline.p50)}), p99 ${ratio(measured.p99, baseline.p99)} (${added(measured.p99, baseline.p99)})${goal}`;
}

/** The host's 1/5/15-minute load averages, printed with every live figure (they were taken on a shared machine). */
export function loadLine(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(" / ");
}
