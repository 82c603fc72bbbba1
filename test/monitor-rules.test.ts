import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { AccessEvent } from "../monitor/events/types";
import { DEFAULT_RULES, RULE_NAMES, RuleName, RuleSettings } from "../config/monitor";
import { RuleEngine, ruleMatches } from "../monitor/rules";
import { BucketedCounts, DistinctInWindow, SlidingCounter } from "../monitor/windows";

function gateway(app: string, timeMs: number, status: number, flags = "-"): AccessEvent {
  return { source: "gateway", app, timeMs, status, flags, client: "10.208.4.20", method: "GET", peer: "-", path: "/", service: "weather", durationMs: 1 };
}
function egress(app: string, timeMs: number, denied: boolean): AccessEvent {
  return { source: "egress", app, timeMs, status: denied ? 403 : 200, host: "evil.example", port: "443", url: "evil.example:443", result: denied ? "TCP_DENIED" : "TCP_TUNNEL", denied, client: "10.208.4.20", method: "CONNECT", durationMs: 1 };
}

test("sliding counter: events expire exactly windowMs after they happened", () => {
  const counter = new SlidingCounter(1000, 10);
  assert.equal(counter.add(0), 1);
  assert.equal(counter.add(999), 2);
  assert.equal(counter.add(1000), 2, "the event at 0 is 1000 ms old at 1000: out");
  assert.equal(counter.count(1998), 2);
  assert.equal(counter.count(1999), 1);
  assert.equal(counter.count(5000), 0);
});

test("sliding counter: capacity caps the count (a rule only needs threshold + 1)", () => {
  const counter = new SlidingCounter(1000, 3);
  for (let i = 0; i < 10; i++) counter.add(i);
  assert.equal(counter.count(9), 3);
  assert.equal(counter.oldest(), 7);
  assert.throws(() => new SlidingCounter(0, 1), /windowMs must be positive/);
});

test("bucketed statistics count per second over the window", () => {
  const buckets = new BucketedCounts(10);
  buckets.add(500, [0]);
  buckets.add(9_999, [0, 1]);
  buckets.add(10_000, [0]);
  assert.deepEqual([buckets.snapshot(10_000).requests, buckets.snapshot(10_000).status2xx], [2, 1], "second 0 fell out of (0, 10]");
  assert.equal(buckets.snapshot(30_000).requests, 0);
});

test("distinct keys expire and stay bounded", () => {
  const distinct = new DistinctInWindow(1000, 3);
  distinct.add("a:443", 0);
  distinct.add("b:443", 100);
  distinct.add("a:443", 900);
  assert.equal(distinct.count(900), 2);
  assert.equal(distinct.count(1099), 2);
  assert.equal(distinct.count(1100), 1, "b was last seen at 100");
  for (const key of ["c", "d", "e", "f"]) distinct.add(key, 1100);
  assert.equal(distinct.count(1100), 3);
});

test("the paper's example: 1001 calls within five seconds bans, 1000 do not", () => {
  const engine = new RuleEngine();
  for (let i = 0; i < 1000; i++) assert.equal(engine.observe(gateway("a", i * 4, 200)), undefined);
  const decision = engine.observe(gateway("a", 4000, 200));
  assert.equal(decision?.rule, "requestRate");
  assert.equal(decision?.count, 1001);
  const slow = new RuleEngine();
  for (let i = 0; i < 3000; i++) assert.equal(slow.observe(gateway("b", i * 5, 200)), undefined, "1000 per 5 s exactly is allowed");
});

test("egress denials, auth failures and 429s each trigger their rule; unattributed traffic is never banned", () => {
  const engine = new RuleEngine();
  let decision;
  for (let i = 0; i <= DEFAULT_RULES.egressDenials.threshold && !decision; i++) decision = engine.observe(egress("e", i, true));
  assert.equal(decision?.rule, "egressDenials");
  decision = undefined;
  for (let i = 0; i <= DEFAULT_RULES.authFailures.threshold && !decision; i++) decision = engine.observe(gateway("g", i, i % 2 ? 401 : 403));
  assert.equal(decision?.rule, "authFailures");
  decision = undefined;
  for (let i = 0; i <= DEFAULT_RULES.rateLimited.threshold && !decision; i++) decision = engine.observe(gateway("r", i * 10, 200, "RL"));
  assert.equal(decision?.rule, "rateLimited");
  for (let i = 0; i < 5000; i++) assert.equal(engine.observe(egress("-", i, true)), undefined);
  assert.equal(engine.observe(egress("e", 100, true)), undefined, "already banned");
});

test("an unbanned app starts with empty windows", () => {
  const engine = new RuleEngine({ ...DEFAULT_RULES, egressDenials: { enabled: true, threshold: 2, windowSeconds: 60 } });
  engine.observe(egress("a", 0, true));
  engine.observe(egress("a", 1, true));
  assert.ok(engine.observe(egress("a", 2, true)));
  engine.unban("a");
  assert.equal(engine.observe(egress("a", 3, true)), undefined);
  assert.equal(engine.observe(egress("a", 4, true)), undefined);
  assert.ok(engine.observe(egress("a", 5, true)));
});

// ---- reference model: the definition, written the slow obvious way ----

type Step = { kind: "event"; event: AccessEvent } | { kind: "unban"; app: string };

/** For each step, the ban the definition demands: after clamping each app's times to be non-decreasing, an
 *  event bans its app when, for the first enabled rule (in RULE_NAMES order), the matching events of that app
 *  since its last unban and younger than the window number more than the threshold. */
function referenceDecisions(steps: Step[], rules: RuleSettings): (RuleName | undefined)[] {
  const banned = new Set<string>();
  const clamp = new Map<string, number>();
  const history: { app: string; time: number; event: AccessEvent; epoch: number }[] = [];
  const epoch = new Map<string, number>();
  return steps.map((step) => {
    if (step.kind === "unban") {
      banned.delete(step.app);
      epoch.set(step.app, (epoch.get(step.app) ?? 0) + 1);
      return undefined;
    }
    const { event } = step;
    if (event.app === "-") return undefined;
    const time = Math.max(clamp.get(event.app) ?? -Infinity, event.timeMs);
    clamp.set(event.app, time);
    if (banned.has(event.app)) return undefined;
    history.push({ app: event.app, time, event, epoch: epoch.get(event.app) ?? 0 });
    for (const rule of RULE_NAMES) {
      const setting = rules[rule];
      if (!setting.enabled || !ruleMatches(rule, event)) continue;
      const count = history.filter((h) => h.app === event.app && h.epoch === (epoch.get(event.app) ?? 0) && ruleMatches(rule, h.event) && time - h.time < setting.windowSeconds * 1000).length;
      if (count > setting.threshold) {
        banned.add(event.app);
        return rule;
      }
    }
    return undefined;
  });
}

const ruleSetting = fc.record({ enabled: fc.boolean(), threshold: fc.integer({ min: 0, max: 6 }), windowSeconds: fc.integer({ min: 1, max: 4 }) });
const rulesArbitrary = fc.record({ authFailures: ruleSetting, requestRate: ruleSetting, egressDenials: ruleSetting, rateLimited: ruleSetting }) as fc.Arbitrary<RuleSettings>;
const appName = fc.constantFrom("a", "b", "c", "-");
const eventArbitrary = fc.oneof(
  fc.record({ app: appName, t: fc.integer({ min: 0, max: 12_000 }), status: fc.constantFrom(200, 204, 400, 401, 403, 404, 429, 500, 503), rl: fc.boolean() }).map(({ app, t, status, rl }) => gateway(app, t, status, rl ? "RL" : "-")),
  fc.record({ app: appName, t: fc.integer({ min: 0, max: 12_000 }), denied: fc.boolean() }).map(({ app, t, denied }) => egress(app, t, denied)),
);
// times mostly move forward, sometimes jump back (lines from two proxies interleave)
const stepsArbitrary = fc
  .array(fc.oneof({ weight: 12, arbitrary: eventArbitrary.map((event): Step => ({ kind: "event", event })) }, { weight: 1, arbitrary: fc.constantFrom("a", "b", "c").map((app): Step => ({ kind: "unban", app })) }), { maxLength: 150 })
  .map((steps) => {
    let base = 0;
    return steps.map((step) => {
      if (step.kind !== "event") return step;
      // quarter-second steps, so events often land exactly on a window's edge
      base += (step.event.timeMs % 3) * 250;
      return { kind: "event" as const, event: { ...step.event, timeMs: base - (step.event.timeMs % 7 === 0 ? 500 : 0) } };
    });
  });

test("property: the rule engine's ban decisions equal the reference model's", { timeout: 120_000 }, () => {
  fc.assert(
    fc.property(rulesArbitrary, stepsArbitrary, (rules, steps) => {
      const engine = new RuleEngine(rules);
      const actual = steps.map((step) => {
        if (step.kind === "unban") {
          engine.unban(step.app);
          return undefined;
        }
        return engine.observe(step.event)?.rule;
      });
      assert.deepEqual(actual, referenceDecisions(steps, rules));
    }),
    { numRuns: 1500 },
  );
});
