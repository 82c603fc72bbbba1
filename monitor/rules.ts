// Ban rules: "more than `threshold` matching events from one app within `windowSeconds`".
import { AccessEvent, isRateLimited, UNKNOWN_APP } from "./events/types";
import { DEFAULT_RULES, RULE_NAMES, type RuleName, type RuleSetting, type RuleSettings } from "../config/monitor";
import { SlidingCounter } from "./windows";

export const RULE_DESCRIPTIONS: Record<RuleName, string> = {
  authFailures: "401/403 responses at the gateway",
  requestRate: "requests (gateway and egress)",
  egressDenials: "egress requests denied by the whitelist",
  rateLimited: "gateway responses 429 / rate-limited",
};

export function ruleMatches(rule: RuleName, event: AccessEvent): boolean {
  switch (rule) {
    case "authFailures":
      return event.source === "gateway" && (event.status === 401 || event.status === 403);
    case "requestRate":
      return true;
    case "egressDenials":
      return event.source === "egress" && event.denied;
    case "rateLimited":
      return isRateLimited(event);
  }
}

export interface BanDecision {
  app: string;
  rule: RuleName;
  count: number;
  threshold: number;
  windowSeconds: number;
  /** time of the oldest counted event and of the event that crossed the threshold (ms) */
  firstTimeMs: number;
  lastTimeMs: number;
}

/** What a ban decision says of itself (a ban's evidence without the log samples, a dry run's finding). */
export interface DecisionSummary {
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

export function summariseDecision(decision: BanDecision): DecisionSummary {
  return {
    rule: decision.rule,
    description: `more than ${decision.threshold} ${RULE_DESCRIPTIONS[decision.rule]} within ${decision.windowSeconds}s`,
    count: decision.count,
    threshold: decision.threshold,
    windowSeconds: decision.windowSeconds,
    firstTime: new Date(decision.firstTimeMs).toISOString(),
    lastTime: new Date(decision.lastTimeMs).toISOString(),
  };
}

interface AppWindows {
  lastTimeMs: number;
  counters: Map<RuleName, SlidingCounter>;
}

/** Per-app sliding counters for every enabled rule; decides bans, remembers who is banned. */
export class RuleEngine {
  private readonly apps = new Map<string, AppWindows>();
  private readonly banned = new Set<string>();
  private readonly enabledRules: [RuleName, RuleSetting][];

  constructor(readonly settings: RuleSettings = DEFAULT_RULES) {
    this.enabledRules = RULE_NAMES.filter((name) => settings[name].enabled).map((name) => [name, settings[name]]);
  }

  /** The event time clamped to be non-decreasing per app (see windows.ts). */
  clampTime(app: string, timeMs: number): number {
    const windows = this.windowsOf(app);
    if (timeMs > windows.lastTimeMs) windows.lastTimeMs = timeMs;
    return windows.lastTimeMs;
  }

  /**
   * Counts the event and returns a ban when it pushes one rule over its threshold (the first rule in
   * RULE_NAMES order wins). Banned apps and unattributed traffic (`-`) are never banned again.
   */
  observe(event: AccessEvent): BanDecision | undefined {
    const { app } = event;
    if (app === UNKNOWN_APP) return undefined;
    const timeMs = this.clampTime(app, event.timeMs);
    if (this.banned.has(app)) return undefined;
    const windows = this.windowsOf(app);
    let decision: BanDecision | undefined;
    for (const [rule, setting] of this.enabledRules) {
      if (!ruleMatches(rule, event)) continue;
      let counter = windows.counters.get(rule);
      if (!counter) {
        counter = new SlidingCounter(setting.windowSeconds * 1000, setting.threshold + 1);
        windows.counters.set(rule, counter);
      }
      const count = counter.add(timeMs);
      if (!decision && count > setting.threshold) {
        decision = { app, rule, count, threshold: setting.threshold, windowSeconds: setting.windowSeconds, firstTimeMs: counter.oldest() ?? timeMs, lastTimeMs: timeMs };
      }
    }
    if (decision) this.markBanned(app);
    return decision;
  }

  isBanned(app: string): boolean {
    return this.banned.has(app);
  }

  /** For bans loaded from disk: no new decision for this app until it is unbanned. */
  markBanned(app: string): void {
    this.banned.add(app);
  }

  /** Lifts the ban and starts the app's windows afresh, so old evidence cannot re-ban it at once. */
  unban(app: string): void {
    this.banned.delete(app);
    const windows = this.apps.get(app);
    if (windows) for (const counter of windows.counters.values()) counter.clear();
  }

  private windowsOf(app: string): AppWindows {
    let windows = this.apps.get(app);
    if (!windows) {
      windows = { lastTimeMs: -Infinity, counters: new Map() };
      this.apps.set(app, windows);
    }
    return windows;
  }
}
