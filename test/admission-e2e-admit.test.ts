// `npm run admit` admits vendor apps that behave, with their own images: the busybox example app and a
// distroless one (a single static binary, no shell). Every runnable attack runs inside them, all stopped.
// (test/support/admission-runs.ts: how an admission is run; about 2–3 minutes each.)
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { ADMISSION_TIMEOUT_MS, admissionsUnavailable, assertAdmitted, GoAppBench, goAppBench } from "./support/admission-runs";
import { BUSYBOX_SBOM_FILE, busyboxAppManifest, goAppManifest } from "./support/vendor-images";

describe("npm run admit: apps that behave are admitted", { skip: admissionsUnavailable }, () => {
  let bench: GoAppBench;
  before(async () => {
    bench = await goAppBench("admit", { busybox: true });
  });
  after(() => bench?.close());

  it("admits the busybox example app: the static probe runs every attack inside it, all stopped", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const report = assertAdmitted(await bench.admit(busyboxAppManifest("busybox-app"), { sbom: BUSYBOX_SBOM_FILE, db: bench.db, observe: "20s" }), /static probe/);
    const observation = report.steps.behaviour.observation!;
    assert.ok((observation.egress!.allowed["example.com:80"] ?? 0) >= 1, `its whitelisted fetch was seen: ${JSON.stringify(observation.egress)}`);
    assert.deepEqual(observation.network?.offNetwork, []);
    const record = JSON.parse(readFileSync(report.record!, "utf8"));
    assert.equal(record.app, "busybox-app");
    assert.equal(record.stack, bench.stack);
  });

  it("admits a distroless app (one static binary, no shell) that takes tokens and calls its grant", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const report = assertAdmitted(await bench.admit(goAppManifest("distroless-app", "behave"), { sbom: bench.sbom, db: bench.db, observe: "20s" }), /static probe/);
    const gateway = report.steps.behaviour.observation!.gateway!;
    assert.ok((gateway.byService.weather?.["200"] ?? 0) >= 2, `its granted calls were seen: ${JSON.stringify(gateway.byService)}`);
    assert.equal(gateway.unauthorized + gateway.forbidden + gateway.rateLimited, 0);
  });
});
