// Per-app statistics over a sliding window, plus totals since the monitor started.
import { AccessEvent, destinationOf } from "./events/types";
import { BucketedCounts, DistinctInWindow, STAT_COUNTERS, StatCounter, StatCounts, zeroCounts } from "./windows";

const INDEX = Object.fromEntries(STAT_COUNTERS.map((name, i) => [name, i])) as Record<StatCounter, number>;

/** Which counters an event increments. */
function countersOf(event: AccessEvent): number[] {
  const indexes = [INDEX.requests];
  const status = event.status;
  if (status >= 200 && status < 300) indexes.push(INDEX.status2xx);
  else if (status >= 400 && status < 500) {
    indexes.push(INDEX.status4xx);
    if (status === 400) indexes.push(INDEX.status400);
    else if (status === 401) indexes.push(INDEX.status401);
    else if (status === 403) indexes.push(INDEX.status403);
    else if (status === 429) indexes.push(INDEX.status429);
  } else if (status >= 500 && status < 600) indexes.push(INDEX.status5xx);
  if (event.source === "egress" && event.denied) indexes.push(INDEX.egressDenials);
  return indexes;
}

interface AppStatistics {
  window: BucketedCounts;
  deniedDestinations: DistinctInWindow;
  totals: StatCounts;
  lastSeenMs: number;
}

interface AppStatsRow {
  app: string;
  window: StatCounts & { distinctDeniedDestinations: number };
  totals: StatCounts;
  deniedDestinations: string[];
  lastSeen: string;
  banned: boolean;
}

export interface StatsSnapshot {
  stack: string;
  generatedAt: string;
  windowSeconds: number;
  dryRun: boolean;
  lines: { total: number; parsed: number; malformed: number; malformedByOrigin: Record<string, number> };
  apps: AppStatsRow[];
}

export class StatsBook {
  private readonly apps = new Map<string, AppStatistics>();

  constructor(readonly windowSeconds: number) {}

  add(event: AccessEvent, timeMs: number): void {
    let stats = this.apps.get(event.app);
    if (!stats) {
      stats = { window: new BucketedCounts(this.windowSeconds), deniedDestinations: new DistinctInWindow(this.windowSeconds * 1000), totals: zeroCounts(), lastSeenMs: timeMs };
      this.apps.set(event.app, stats);
    }
    const indexes = countersOf(event);
    stats.window.add(timeMs, indexes);
    for (const index of indexes) stats.totals[STAT_COUNTERS[index]]++;
    if (event.source === "egress" && event.denied) stats.deniedDestinations.add(destinationOf(event), timeMs);
    if (timeMs > stats.lastSeenMs) stats.lastSeenMs = timeMs;
  }

  /** Rows sorted by app name; the window ends at each app's latest event time or `nowMs`, whichever is later. */
  rows(nowMs: number, isBanned: (app: string) => boolean): AppStatsRow[] {
    return [...this.apps.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([app, stats]) => {
        const end = Math.max(nowMs, stats.lastSeenMs);
        return {
          app,
          window: { ...stats.window.snapshot(end), distinctDeniedDestinations: stats.deniedDestinations.count(end) },
          totals: { ...stats.totals },
          deniedDestinations: stats.deniedDestinations.keys(end),
          lastSeen: new Date(stats.lastSeenMs).toISOString(),
          banned: isBanned(app),
        };
      });
  }
}

const COLUMNS: [string, (row: AppStatsRow) => string | number][] = [
  ["APP", (r) => r.app + (r.banned ? " (banned)" : "")],
  ["REQ", (r) => r.window.requests],
  ["2XX", (r) => r.window.status2xx],
  ["4XX", (r) => r.window.status4xx],
  ["5XX", (r) => r.window.status5xx],
  ["400", (r) => r.window.status400],
  ["401", (r) => r.window.status401],
  ["403", (r) => r.window.status403],
  ["429", (r) => r.window.status429],
  ["EGRESS-DENIED", (r) => r.window.egressDenials],
  ["DENIED-DESTS", (r) => r.window.distinctDeniedDestinations],
  ["TOTAL-REQ", (r) => r.totals.requests],
];

export function formatStatsTable(snapshot: StatsSnapshot): string {
  const header = `stack ${snapshot.stack} at ${snapshot.generatedAt}, window ${snapshot.windowSeconds}s${snapshot.dryRun ? " (dry run)" : ""}; lines ${snapshot.lines.total} (malformed ${snapshot.lines.malformed})`;
  if (snapshot.apps.length === 0) return `${header}\nno traffic seen yet`;
  const cells = [COLUMNS.map(([title]) => title), ...snapshot.apps.map((row) => COLUMNS.map(([, cell]) => String(cell(row))))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  const lines = cells.map((line) => line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  "));
  return [header, ...lines].join("\n");
}
