// The security monitor's ban rules applied to an app's observed traffic in report mode: the bans the
// monitor would have decided are findings, and nothing acts on them (no Docker client is in reach).
// Like `monitor run --dry-run`, an app that would be banned is held for one window, then judged afresh,
// so a long observation can report the same app more than once.
import type { RuleName, RuleSettings } from "../config/monitor";
import type { AccessEvent } from "../monitor/events/types";
import { RULE_DESCRIPTIONS, RuleEngine } from "../monitor/rules";

/** A ban the monitor would have decided; the fields of the monitor's ban evidence (monitor/bans.ts). */
export interface WouldBan {
  rule: RuleName;
  /** e.g. "more than 20 401/403 responses at the gateway within 10s" */
  description: string;
  count: number;
  threshold: number;
  windowSeconds: number;
  /** the oldest counted event and the one that crossed the threshold */
  firstTime: string;
  lastTime: string;
}

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
    wouldBan.push({
      rule: decision.rule,
      description: `more than ${decision.threshold} ${RULE_DESCRIPTIONS[decision.rule]} within ${decision.windowSeconds}s`,
      count: decision.count,
      threshold: decision.threshold,
      windowSeconds: decision.windowSeconds,
      firstTime: new Date(decision.firstTimeMs).toISOString(),
      lastTime: new Date(decision.lastTimeMs).toISOString(),
    });
  }
  return { wouldBan, omitted };
}
