// The admission's rulings (admission/verdict.ts), as pure functions.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { Observation } from "../admission/observe";
import { attackRuling, behaviourRuling, manifestRuling, overallVerdict, Ruling } from "../admission/verdict";
import type { Finding } from "../policies/evaluate";
import type { ProbeResult } from "../sandbox/probes/types";

const LIMITS = { memoryMb: 64, maxProcesses: 32 };
const MIB = 1024 * 1024;

function quietObservation(): Observation {
  return {
    app: "shop",
    container: "plat-admit-app-shop",
    from: "2026-11-30T06:00:00.000Z",
    to: "2026-11-30T06:01:00.000Z",
    durationMs: 60_000,
    gateway: { byService: { weather: { "200": 12 } }, total: 12, unauthorized: 0, forbidden: 0, rateLimited: 0, refused: {}, log: { container: "gw", lines: 12, malformed: 0, complete: true } },
    egress: { allowed: { "example.com:80": 3 }, denied: {}, total: 3, refused: { "TCP_MISS/502": 3 }, log: { container: "eg", lines: 3, malformed: 0, complete: true } },
    network: { noRoute: 0, failedConnects: 0, connectsOpened: 15, offNetwork: [] },
    resources: { memoryPeakBytes: 8 * MIB, memoryLimitBytes: 64 * MIB, cpuPeakCores: 0.05, pidsPeak: 3, samples: 60 },
    lifecycle: { restarts: 0, oomKilled: 0, exits: [], health: { final: "healthy", transitions: [] } },
    wouldBan: [],
    problems: [],
  };
}

const probe = (probe: string, verdict: ProbeResult["verdict"], evidence = "evidence"): ProbeResult => ({ probe, category: "breakout", target: "shop", verdict, evidence, durationMs: 5 });

describe("behaviour ruling", () => {
  it("a quiet app that called only its grant and its whitelist passes, with what it did as notes only", () => {
    const ruling = behaviourRuling(quietObservation(), LIMITS);
    assert.equal(ruling.status, "pass", ruling.reasons.join("; "));
    assert.deepEqual(ruling.reasons, []);
  });

  const cases: [string, (o: Observation) => void, RegExp][] = [
    ["a token-less flood", (o) => (o.gateway!.unauthorized = 300), /300 gateway calls without a valid token \(401\)/],
    ["calls outside its grant", (o) => (o.gateway!.forbidden = 2), /2 gateway calls to a service, method or path it was not granted \(403\)/],
    ["a non-whitelisted domain", (o) => (o.egress!.denied = { "not-whitelisted.example:80": 5 }), /5 requests to hosts outside its egress whitelist.*not-whitelisted\.example:80 \(5\)/],
    ["a direct connection", (o) => o.network!.offNetwork.push({ protocol: "tcp", remote: "10.208.1.10:8080", states: ["SYN_SENT"] }), /connections straight to addresses outside its network: tcp 10\.208\.1\.10:8080 \(SYN_SENT\)/],
    ["an unroutable packet", (o) => (o.network!.noRoute = 5), /5 packets to addresses its network has no route to/],
    ["a memory balloon", (o) => (o.lifecycle!.oomKilled = 1), /killed 1 time for running out of memory \(its limit is 64 MiB\)/],
    ["a fork bomb", (o) => (o.resources!.pidsPeak = 32), /reached its process limit of 32 \(it peaked at \d+ processes and threads\)/],
    ["restarts", (o) => (o.lifecycle!.restarts = 2), /restarted 2 times/],
    ["an exit", (o) => o.lifecycle!.exits.push({ at: "2026-11-30T06:00:10.000Z", code: 137 }), /exited with code 137/],
    ["an unhealthy end", (o) => (o.lifecycle!.health.final = "unhealthy"), /unhealthy/],
    [
      "a would-be ban",
      (o) => o.wouldBan!.push({ rule: "authFailures", description: "more than 20 401/403 responses at the gateway within 10s", count: 21, threshold: 20, windowSeconds: 10, firstTime: "a", lastTime: "b" }),
      /security monitor would have banned it: more than 20 401\/403/,
    ],
  ];
  for (const [name, mutate, reason] of cases) {
    it(`rejects ${name}`, () => {
      const observation = quietObservation();
      mutate(observation);
      const ruling = behaviourRuling(observation, LIMITS);
      assert.equal(ruling.status, "reject");
      assert.ok(ruling.reasons.some((r) => reason.test(r)), `${reason} not in ${JSON.stringify(ruling.reasons)}`);
    });
  }

  for (const part of ["gateway", "egress", "network", "resources", "lifecycle"] as const) {
    it(`an unreadable ${part} is an error naming the problem, never a pass on zeros`, () => {
      const observation = quietObservation();
      delete observation[part];
      observation.problems.push(`the ${part} source could not be read: engine said no`);
      const ruling = behaviourRuling(observation, LIMITS);
      assert.equal(ruling.status, "error");
      assert.ok(ruling.reasons.some((r) => /could not be observed, so it is unknown: .*engine said no/.test(r)), JSON.stringify(ruling.reasons));
    });
  }

  it("a memory peak near the limit without a kill is a note, not a reason", () => {
    const observation = quietObservation();
    observation.resources!.memoryPeakBytes = 60 * MIB;
    const ruling = behaviourRuling(observation, LIMITS);
    assert.equal(ruling.status, "pass");
    assert.ok(ruling.notes.some((n) => /peaked at 60 MiB of its 64 MiB/.test(n)));
  });
});

describe("attack ruling", () => {
  it("passes when every attack that ran was stopped, and notes the skipped ones with why", () => {
    const ruling = attackRuling([probe("breakout.mount", "stopped"), probe("breakout.setuid", "skipped", "no setuid binary here"), probe("egress.whitelisted-allowed", "ok")], []);
    assert.equal(ruling.status, "pass");
    assert.ok(ruling.notes.some((n) => /1 attack ran inside the app, 1 stopped/.test(n)));
    assert.ok(ruling.notes.some((n) => /breakout\.setuid.*no setuid binary here/.test(n)));
  });

  it("an attack NOT STOPPED rejects with its evidence", () => {
    const ruling = attackRuling([probe("breakout.mount", "NOT STOPPED", "mounted /proc")], []);
    assert.equal(ruling.status, "reject");
    assert.match(ruling.reasons[0], /breakout\.mount.*NOT STOPPED: mounted \/proc/);
  });

  it("no attack ran, a failed control check or a discrepancy: the attacks prove nothing (error)", () => {
    assert.equal(attackRuling([probe("a", "skipped", "no python")], []).status, "error");
    assert.match(attackRuling([probe("a", "skipped", "no python")], []).reasons.join(), /no attack ran/);
    assert.equal(attackRuling([probe("a", "stopped"), probe("b", "FAILED", "control refused")], []).status, "error");
    const discrepancy = attackRuling([probe("a", "stopped")], [{ resource: "app", field: "networksAdvanced[0].ipv4Address", declared: "10.0.0.5", actual: "10.0.0.6" }]);
    assert.equal(discrepancy.status, "error");
    assert.match(discrepancy.reasons[0], /declared 10\.0\.0\.5, but the engine has 10\.0\.0\.6/);
  });
});

describe("manifest ruling", () => {
  const finding = (level: "mandatory" | "advisory"): Finding => ({ ruleId: "cis-5.28-image-pinned", severity: "high", enforcementLevel: level, cis: "5.28", resourceType: "container", resourceName: "app", urn: "", message: "not pinned", field: "image", remediation: "pin it", unknown: false });
  it("mandatory findings reject, advisories are notes, the stack's own findings are not charged", () => {
    assert.equal(manifestRuling([finding("mandatory")], 0).status, "reject");
    const advisory = manifestRuling([finding("advisory")], 3);
    assert.equal(advisory.status, "pass");
    assert.equal(advisory.notes.length, 2);
    assert.match(advisory.notes[1], /stack itself has 3 findings/);
  });
});

describe("overall verdict", () => {
  const pass: Ruling = { status: "pass", reasons: [], notes: ["n"] };
  const reject: Ruling = { status: "reject", reasons: ["bad"], notes: [] };
  const error: Ruling = { status: "error", reasons: ["could not"], notes: [] };
  it("admits only when every step passed", () => {
    assert.deepEqual(overallVerdict({ manifest: pass, dependencies: pass, attacks: pass, behaviour: pass }).exitCode, 0);
    assert.equal(overallVerdict({ manifest: pass, dependencies: pass, attacks: pass, behaviour: pass }).verdict, "admit");
  });
  it("a reject is a reject (exit 1) even beside an error; an error alone is exit 2 and never admits", () => {
    const mixed = overallVerdict({ manifest: pass, dependencies: reject, attacks: error, behaviour: pass });
    assert.equal(mixed.exitCode, 1);
    assert.deepEqual(mixed.reasons, [{ step: "dependencies", text: "bad" }, { step: "attacks", text: "could not" }]);
    const alone = overallVerdict({ manifest: pass, dependencies: pass, attacks: error, behaviour: pass });
    assert.equal(alone.exitCode, 2);
    assert.equal(alone.verdict, "reject");
  });
});
