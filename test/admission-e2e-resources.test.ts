// `npm run admit` rejects vendor apps that misbehave on their own at start, against the gateway and their
// own limits: a flood of gateway calls without a token, a memory balloon, a fork bomb.
// (test/support/admission-runs.ts: how an admission is run; about 1–3 minutes each.)
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { ADMISSION_TIMEOUT_MS, admissionsUnavailable, assertRejected, GoAppBench, goAppBench } from "./support/admission-runs";
import { goAppManifest } from "./support/vendor-images";

describe("npm run admit: apps that flood the gateway or their limits are rejected", { skip: admissionsUnavailable }, () => {
  let bench: GoAppBench;
  before(async () => {
    bench = await goAppBench("limits");
  });
  after(() => bench?.close());

  it("rejects a token-less flood of gateway calls at start", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const report = assertRejected(await bench.admit(goAppManifest("flooding-app", "flood"), { sbom: bench.sbom, db: bench.db }), "behaviour", /gateway calls? without a valid token \(401\)/);
    assert.ok(report.steps.behaviour.observation!.gateway!.total >= 100, JSON.stringify(report.steps.behaviour.observation!.gateway));
  });

  it("rejects a memory balloon (OOM-killed)", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    assertRejected(await bench.admit(goAppManifest("balloon-app", "balloon"), { sbom: bench.sbom, db: bench.db }), "behaviour", /killed \d+ times? for running out of memory \(its limit is 64 MiB\)/);
  });

  it("rejects a fork bomb (the process limit reached)", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    assertRejected(await bench.admit(goAppManifest("forking-app", "forkbomb"), { sbom: bench.sbom, db: bench.db }), "behaviour", /reached its process limit of 32 \(it peaked at \d+ processes and threads\)/);
  });
});
