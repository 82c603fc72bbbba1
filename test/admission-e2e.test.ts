// `npm run admit` end to end with real vendor images (test/support/vendor-images.ts), each admission a
// real one: the manifest in a copy of the dev stack under the policy pack, the SBOM and image against an
// OSV database, the dev stack's platform stood up in the local engine with the app's own image, watched,
// then attacked from inside. Apps that behave are admitted with every runnable attack stopped; apps that
// misbehave on their own at start, and one whose SBOM hides a vulnerable package, are rejected with
// those reasons. About 2–3 minutes per admission (Keycloak's start is most of it).
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { stringify } from "yaml";
import type { AdmissionReport } from "../admission/report/model";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../config/load";
import { buildPlan } from "../plan/plan";
import { dockerUnavailableSync } from "../sandbox/docker-availability";
import { freeCidr } from "../sandbox/provider-mirror/free-subnet";
import { builtStaticProbeDir } from "../sandbox/provider-mirror/probe-mount";
import { REPO_ROOT, stackConfig } from "./support/stack-config";
import {
  BUSYBOX_SBOM_FILE,
  buildBusyboxVendorImage,
  buildGoVendorImage,
  buildHiddenPackageImage,
  busyboxAppManifest,
  goAppManifest,
  HIDDEN_ADVISORY_ID,
  hiddenPackageManifest,
  vendorImagesUnavailable,
  writeGoSbom,
  writeManifest,
  writeVulnDb,
} from "./support/vendor-images";

const PLATFORM_IMAGES = ["platform/envoy:1.40.0", "platform/keycloak:26.7.3", "platform/squid:dev", "platform/demo-service:dev", "platform/demo-app:dev", "platform/probe:dev"];
const staticProbe = builtStaticProbeDir();
const skip = dockerUnavailableSync(PLATFORM_IMAGES) ?? vendorImagesUnavailable({ needGo: true }) ?? ("absent" in staticProbe ? staticProbe.absent : undefined);
/** an admission stands a whole stack up: Keycloak alone takes 40–90 s on 2 cores */
const ADMISSION_TIMEOUT_MS = 8 * 60_000;

interface AdmitRun {
  status: number | null;
  stdout: string;
  stderr: string;
  report?: AdmissionReport;
  reportBase: string;
}

/** eight admissions in a row: more than the runner's default per-test timeout (scripts/test.sh) */
const SUITE_TIMEOUT_MS = 40 * 60_000;

describe("npm run admit with real vendor images", { skip, timeout: SUITE_TIMEOUT_MS }, () => {
  const docker = new Docker();
  const work = mkdtempSync(join(tmpdir(), "admission-e2e-"));
  const stack = `admtest-${process.pid}`;
  const stackFile = join(REPO_ROOT, `Pulumi.${stack}.yaml`);
  let serviceAddress = "";
  let cleanDb = "";
  let goSbom = "";

  before(async () => {
    await Promise.all([buildGoVendorImage(), buildBusyboxVendorImage()]);
    cleanDb = writeVulnDb(join(work, "osv-clean"), "clean");
    goSbom = writeGoSbom(work);
    // the dev stack, with its own records directory and a base CIDR no network on this engine uses
    const flat = { ...stackConfig("dev"), "platform:network": { baseCidr: await freeCidr(docker, 16) }, "platform:admission": { recordsDir: join(work, "records") } };
    writeFileSync(stackFile, stringify({ config: flat }));
    // where the weather service will be: the first dynamic address of the services network (it is the first
    // container there without a static address); the direct-connection test checks this against the running one
    const plan = buildPlan(parsePlatformConfig(rawConfigFromFlatMap(flat)).config, stack);
    const [rangeBase] = plan.networks.services.ipRange.split("/");
    serviceAddress = rangeBase;
  });

  after(async () => {
    rmSync(stackFile, { force: true });
    rmSync(work, { recursive: true, force: true });
    // a kept run (the direct-connection test) is removed here; the command removes every other run itself
    for (const info of await docker.listContainers({ all: true, filters: { label: ["platform.sandbox"] } })) {
      if (info.Names.some((n) => n.includes("-admit-"))) await docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined);
    }
    for (const info of await docker.listNetworks({ filters: { label: ["platform.sandbox"] } })) {
      if (info.Name.includes("-admit-")) await docker.getNetwork(info.Id).remove().catch(() => undefined);
    }
  });

  function admit(manifest: Record<string, unknown>, options: { sbom?: string; db?: string; observe?: string; keep?: boolean } = {}): Promise<AdmitRun> {
    const manifestFile = writeManifest(join(work, "manifests"), manifest);
    const reportBase = join(work, "reports", String(manifest.name));
    const args = ["--import", "tsx", join(REPO_ROOT, "admission/cli.ts"), manifestFile, "--stack", stack, "--vuln-db", options.db ?? cleanDb, "--observe", options.observe ?? "15s", "--report", `${reportBase}.json`, "--policy-config", join(REPO_ROOT, "policies/config/dev.json")];
    if (options.sbom) args.push("--sbom", options.sbom);
    if (options.keep) args.push("--keep");
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: "1" } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      const timer = setTimeout(() => child.kill("SIGINT"), ADMISSION_TIMEOUT_MS);
      child.on("error", reject);
      child.on("close", (status) => {
        clearTimeout(timer);
        const report = existsSync(`${reportBase}.json`) ? (JSON.parse(readFileSync(`${reportBase}.json`, "utf8")) as AdmissionReport) : undefined;
        resolve({ status, stdout, stderr, report, reportBase });
      });
    });
  }

  const reasons = (run: AdmitRun) => (run.report?.reasons ?? []).map((r) => `[${r.step}] ${r.text}`).join("\n");
  const explain = (run: AdmitRun) => `exit ${run.status}\nstdout:\n${run.stdout}\nstderr (end):\n${run.stderr.slice(-3000)}`;

  /** Every runnable attack ran inside the app and was stopped; the report's three files are there. */
  function assertAdmitted(run: AdmitRun, runtime: RegExp): AdmissionReport {
    assert.equal(run.status, 0, explain(run));
    const report = run.report!;
    assert.equal(report.verdict, "admit");
    assert.deepEqual(report.reasons, []);
    const attacks = report.steps.attacks;
    assert.ok(attacks.attacksRun >= 20, `only ${attacks.attacksRun} attacks ran`);
    assert.equal(attacks.results.filter((r) => r.verdict === "NOT STOPPED" || r.verdict === "FAILED").length, 0);
    assert.match(attacks.probeRuntime ?? "", runtime);
    assert.match(run.stdout, /^ADMITTED: app /m);
    for (const ext of ["json", "md", "html"]) assert.ok(existsSync(`${run.reportBase}.${ext}`), `${run.reportBase}.${ext} was not written`);
    const html = readFileSync(`${run.reportBase}.html`, "utf8");
    assert.match(html, /<svg/);
    assert.ok(report.record && existsSync(report.record), "an admitted app gets its admission record");
    return report;
  }

  function assertRejected(run: AdmitRun, step: string, reason: RegExp): AdmissionReport {
    assert.equal(run.status, 1, `${explain(run)}\nreasons:\n${reasons(run)}`);
    const report = run.report!;
    assert.equal(report.verdict, "reject");
    assert.ok(report.reasons.some((r) => r.step === step && reason.test(r.text)), `no [${step}] ${reason} in:\n${reasons(run)}`);
    assert.match(run.stdout, /^REJECTED: app /m);
    assert.equal(report.record, undefined, "a rejected app gets no admission record");
    return report;
  }

  it("admits the busybox example app: the static probe runs every attack inside it, all stopped", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const report = assertAdmitted(await admit(busyboxAppManifest("busybox-app"), { sbom: BUSYBOX_SBOM_FILE, observe: "20s" }), /static probe/);
    const egress = report.steps.behaviour.observation!.egress!;
    assert.ok((egress.allowed["example.com:80"] ?? 0) >= 1, `its whitelisted fetch was seen: ${JSON.stringify(egress)}`);
    assert.deepEqual(report.steps.behaviour.observation!.network?.offNetwork, []);
    const record = JSON.parse(readFileSync(report.record!, "utf8"));
    assert.equal(record.app, "busybox-app");
    assert.equal(record.stack, stack);
  });

  it("admits a distroless app (one static binary, no shell) that takes tokens and calls its grant", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const report = assertAdmitted(await admit(goAppManifest("distroless-app", "behave"), { sbom: goSbom, observe: "20s" }), /static probe/);
    const gateway = report.steps.behaviour.observation!.gateway!;
    assert.ok((gateway.byService.weather?.["200"] ?? 0) >= 2, `its granted calls were seen: ${JSON.stringify(gateway.byService)}`);
    assert.equal(gateway.unauthorized + gateway.forbidden + gateway.rateLimited, 0);
  });

  it("rejects a token-less flood of gateway calls at start", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const report = assertRejected(await admit(goAppManifest("flooding-app", "flood"), { sbom: goSbom }), "behaviour", /gateway calls? without a valid token \(401\)/);
    assert.ok(report.steps.behaviour.observation!.gateway!.total >= 100, JSON.stringify(report.steps.behaviour.observation!.gateway));
  });

  it("rejects a memory balloon (OOM-killed)", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    assertRejected(await admit(goAppManifest("balloon-app", "balloon"), { sbom: goSbom }), "behaviour", /killed \d+ times? for running out of memory \(its limit is 64 MiB\)/);
  });

  it("rejects a fork bomb (the process limit reached)", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    assertRejected(await admit(goAppManifest("forking-app", "forkbomb"), { sbom: goSbom }), "behaviour", /reached its process limit of 32 \(it peaked at \d+ processes and threads\)/);
  });

  it("rejects requests to a domain outside its whitelist", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const run = await admit(goAppManifest("curious-app", "domain", { DENIED_URL: "http://not-whitelisted.example/" }), { sbom: goSbom });
    assertRejected(run, "behaviour", /5 requests to hosts outside its egress whitelist, denied by the egress proxy: not-whitelisted\.example:80 \(5\)/);
  });

  it("rejects direct connections to a service's own address, past the gateway", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const run = await admit(goAppManifest("direct-app", "direct", { DIRECT_ADDRESS: `${serviceAddress}:8080` }), { sbom: goSbom, keep: true });
    assertRejected(run, "behaviour", new RegExp(`connections straight to addresses outside its network: tcp ${serviceAddress.replace(/\./g, "\\.")}:8080 \\(SYN_SENT\\)`));
    // the kept run shows that the address the app aimed at is the weather service's
    const weather = (await docker.listContainers({ filters: { label: ["platform.role=service", "platform.service=weather", `platform.sandbox=${run.report!.steps.attacks.runId}`] } }))[0];
    assert.ok(weather, "the kept run's weather service");
    assert.equal(Object.values(weather.NetworkSettings.Networks)[0].IPAddress, serviceAddress);
  });

  it("rejects an app whose SBOM hides a vulnerable package its image holds", { timeout: ADMISSION_TIMEOUT_MS }, async () => {
    const hidden = await buildHiddenPackageImage(join(work, "hidden"));
    const db = writeVulnDb(join(work, "osv-hidden"), { hidden: hidden.hiddenPackage });
    const report = assertRejected(await admit(hiddenPackageManifest("hiding-app"), { sbom: hidden.sbomFile, db }), "dependencies", new RegExp(`${hidden.hiddenPackage.name} .*${HIDDEN_ADVISORY_ID}`));
    assert.ok(report.steps.dependencies.report!.inventoryDiff!.missingFromSbom.some((purl) => purl.includes(`/${hidden.hiddenPackage.name}@`)), "the report names the package the SBOM left out");
  });
});
