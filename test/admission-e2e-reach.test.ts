// `npm run admit` rejects vendor apps that reach for what they may not: a host outside their egress
// whitelist, a backend service's own address past the gateway; and an app whose SBOM hides a vulnerable
// package its image holds. (test/support/admission-runs.ts: how an admission is run; 2–3 minutes each.)
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { ADMISSION_TIMEOUT_MS, admissionsUnavailable, assertRejected, GoAppBench, goAppBench } from "./support/admission-runs";
import { buildHiddenPackageImage, goAppManifest, HIDDEN_ADVISORY_ID, hiddenPackageManifest, writeVulnDb } from "./support/vendor-images";

describe("npm run admit: apps that reach past their grants, or hide a package, are rejected", { skip: admissionsUnavailable }, () => {
  let bench: GoAppBench;
  before(async () => {
    bench = await goAppBench("reach");
  });
  after(() => bench?.close());

  it("rejects requests to a domain outside its whitelist", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const run = await bench.admit(goAppManifest("curious-app", "domain", { DENIED_URL: "http://not-whitelisted.example/" }), { sbom: bench.sbom, db: bench.db });
    assertRejected(run, "behaviour", /5 requests to hosts outside its egress whitelist, denied by the egress proxy: not-whitelisted\.example:80 \(5\)/);
  });

  it("rejects direct connections to a service's own address, past the gateway", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const address = bench.serviceAddress;
    const run = await bench.admit(goAppManifest("direct-app", "direct", { DIRECT_ADDRESS: `${address}:8080` }), { sbom: bench.sbom, db: bench.db, keep: true });
    assertRejected(run, "behaviour", new RegExp(`connections straight to addresses outside its network: tcp ${address.replace(/\./g, "\\.")}:8080 \\(SYN_SENT\\)`));
    // the kept run shows that the address the app aimed at is the weather service's
    const weather = (await new Docker().listContainers({ filters: { label: ["platform.role=service", "platform.service=weather", `platform.sandbox=${run.report!.steps.attacks.runId}`] } }))[0];
    assert.ok(weather, "the kept run's weather service");
    assert.equal(Object.values(weather.NetworkSettings.Networks)[0].IPAddress, address);
  });

  it("rejects an app whose SBOM hides a vulnerable package its image holds", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const hidden = await buildHiddenPackageImage(join(bench.work, "hidden"));
    const hiddenDb = writeVulnDb(join(bench.work, "osv-hidden"), { hidden: hidden.hiddenPackage });
    const report = assertRejected(await bench.admit(hiddenPackageManifest("hiding-app"), { sbom: hidden.sbomFile, db: hiddenDb }), "dependencies", new RegExp(`${hidden.hiddenPackage.name} .*${HIDDEN_ADVISORY_ID}`));
    assert.ok(report.steps.dependencies.report!.inventoryDiff!.missingFromSbom.some((purl) => purl.includes(`/${hidden.hiddenPackage.name}@`)), "the report names the package the SBOM left out");
  });
});
