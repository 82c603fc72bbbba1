// The security monitor's ban rules applied to an app's observed traffic in report mode: the bans the
// monitor would have decided are findings, and nothing acts on them (no Docker client is in reach).
// Like `monitor run --dry-run`, an app that would be banned is held for one window, then judged afresh,
// so a long observation can report the same app more than once.
import type { RuleSettings } from "../config/monitor";
import type { AccessEvent } from "../monitor/events/types";
import { DecisionSummary, RuleEngine, summariseDecision } from "../monitor/rules";

/** A ban the monitor would have decided: the monitor's own summary of a decision (monitor/rules.ts). */
export type WouldBan = DecisionSummary;

/** Events by time (the two proxies' logs interleaved); a stable sort keeps each log's own order for equal times. */
function byTime(events: readonly AccessEvent[]): AccessEvent[] {
  return [...events].sort((a, b) => a.timeMs - b.timeMs);
}

/** The would-be bans of `app`, in order; at most `maxListed` (the rest are counted in `omitted`). */
export function dryRunRules(events: readonly AccessEvent[], app: string, rules: RuleSettings, maxListed = 100): { wouldBan: WouldBan[]; omitted: number } {
  const engine = new RuleEngine(rules);
  const wouldBan: WouldBan[] = [];
  let omitted = 0;
  let holdUntilMs: number | undefined;
  for (const event of byTime(events)) {
    if (event.app !== app) continue;
    if (holdUntilMs !== undefined && event.timeMs >= holdUntilMs) {
      holdUntilMs = undefined;
      engine.unban(app);
    }
    const decision = engine.observe(event);
    if (!decision) continue;
    holdUntilMs = decision.lastTimeMs + decision.windowSeconds * 1000;
    if (wouldBan.length >= maxListed) {
      omitted++;
      continue;
    }
    wouldBan.push(summariseDecision(decision));
  }
  return { wouldBan, omitted };
}
