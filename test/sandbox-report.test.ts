// The sandbox's verdict: a run passes only when attacks ran and every one was stopped; a run in which
// no attack ran (every probe skipped) is an error that says why, never a pass.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProbeResult } from "../sandbox/probes/types";
import { attacksRun, buildReport, noAttackRan } from "../sandbox/report";

const result = (verdict: ProbeResult["verdict"], evidence = "evidence"): ProbeResult => ({ probe: "p", category: "dos", target: "app", verdict, evidence, durationMs: 1 });
const report = (results: ProbeResult[]) => buildReport("run", "dev", new Date(0), [], [], results);

describe("sandbox verdict", () => {
  it("passes when attacks ran and were stopped, and control checks passed", () => {
    const r = report([result("stopped"), result("ok"), result("skipped")]);
    assert.equal(r.passed, true);
    assert.equal(r.error, undefined);
    assert.equal(attacksRun(r.results), 1);
  });

  it("fails when an attack was not stopped", () => {
    assert.equal(report([result("stopped"), result("NOT STOPPED")]).passed, false);
  });

  it("is an error, with the commonest skip reasons, when every probe was skipped", () => {
    const skipped = [result("skipped", "python3 is not in the image"), result("skipped", "python3 is not in the image"), result("skipped", "runsc is not registered")];
    const r = report(skipped);
    assert.equal(r.passed, false);
    assert.equal(r.error, "no attack ran: all 3 probes ended without an attack outcome (skipped: 2× python3 is not in the image; 1× runsc is not registered); the run proves nothing");
  });

  it("does not count control checks as attacks", () => {
    assert.match(noAttackRan([result("ok"), result("skipped", "x")]) ?? "", /^no attack ran: all 2 probes/);
    assert.match(noAttackRan([]) ?? "", /no probe was selected/);
  });
});
