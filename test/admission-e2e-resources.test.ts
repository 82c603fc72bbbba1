// `npm run admit` rejects vendor apps that misbehave on their own at start, against the gateway and their
// own limits: a flood of gateway calls without a token, a memory balloon, a fork bomb.
// (test/support/admission-runs.ts: how an admission is run; about 1–3 minutes each.)
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ADMISSION_TIMEOUT_MS, AdmissionBench, admissionBench, admissionsUnavailable, assertRejected } from "./support/admission-runs";
import { buildGoVendorImage, goAppManifest, writeGoSbom, writeVulnDb } from "./support/vendor-images";

describe("npm run admit: apps that flood the gateway or their limits are rejected", { skip: admissionsUnavailable }, () => {
  let bench: AdmissionBench;
  let db = "";
  let sbom = "";
  before(async () => {
    await buildGoVendorImage();
    bench = await admissionBench("limits");
    db = writeVulnDb(join(bench.work, "osv"), "clean");
    sbom = writeGoSbom(bench.work);
  });
  after(() => bench?.close());

  it("rejects a token-less flood of gateway calls at start", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const report = assertRejected(await bench.admit(goAppManifest("flooding-app", "flood"), { sbom, db }), "behaviour", /gateway calls? without a valid token \(401\)/);
    assert.ok(report.steps.behaviour.observation!.gateway!.total >= 100, JSON.stringify(report.steps.behaviour.observation!.gateway));
  });

  it("rejects a memory balloon (OOM-killed)", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    assertRejected(await bench.admit(goAppManifest("balloon-app", "balloon"), { sbom, db }), "behaviour", /killed \d+ times? for running out of memory \(its limit is 64 MiB\)/);
  });

  it("rejects a fork bomb (the process limit reached)", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    assertRejected(await bench.admit(goAppManifest("forking-app", "forkbomb"), { sbom, db }), "behaviour", /reached its process limit of 32 \(it peaked at \d+ processes and threads\)/);
  });
});
