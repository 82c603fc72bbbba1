// Real admissions for the end-to-end tests (test/admission-e2e-*.test.ts): `npm run admit` run as a
// vendor's submission would be, against a copy of the dev stack with a records directory and a base CIDR
// of the test's own, with the vendor images of test/support/vendor-images.ts. An admission stands a whole
// stack up (about 2–3 minutes), so the tests are split over files that each stay well inside the test
// runner's per-file timeout (scripts/test.sh).
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { stringify } from "yaml";
import type { AdmissionReport } from "../../admission/report/model";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../../config/load";
import { buildPlan } from "../../plan/plan";
import { dockerUnavailableSync } from "../../sandbox/docker-availability";
import { freeCidr } from "../../sandbox/provider-mirror/free-subnet";
import { builtStaticProbeDir } from "../../sandbox/provider-mirror/probe-mount";
import { REPO_ROOT, stackConfig } from "./stack-config";
import { buildBusyboxVendorImage, buildGoVendorImage, vendorImagesUnavailable, writeGoSbom, writeManifest, writeVulnDb } from "./vendor-images";

const PLATFORM_IMAGES = ["platform/envoy:1.40.0", "platform/keycloak:26.7.3", "platform/squid:dev", "platform/demo-service:dev", "platform/demo-app:dev", "platform/probe:dev"];
const staticProbe = builtStaticProbeDir();

/** Why real admissions cannot run here (a skip reason), or undefined. */
export const admissionsUnavailable: string | undefined =
  dockerUnavailableSync(PLATFORM_IMAGES) ?? vendorImagesUnavailable({ needGo: true }) ?? ("absent" in staticProbe ? staticProbe.absent : undefined);

/** an admission stands a whole stack up: Keycloak alone takes 40–90 s on 2 cores */
export const ADMISSION_TIMEOUT_MS = 8 * 60_000;

export interface AdmitRun {
  status: number | null;
  stdout: string;
  stderr: string;
  report?: AdmissionReport;
  reportBase: string;
}

export interface AdmissionBench {
  work: string;
  stack: string;
  /** the address the weather service will get: the first dynamic one of the services network */
  serviceAddress: string;
  admit(manifest: Record<string, unknown>, options: { sbom?: string; db: string; observe?: string; keep?: boolean }): Promise<AdmitRun>;
  close(): Promise<void>;
}

/** A scratch stack (the dev stack with its own records and base CIDR) and a way to admit manifests into it. */
export async function admissionBench(name: string): Promise<AdmissionBench> {
  const docker = new Docker();
  const work = mkdtempSync(join(tmpdir(), `admission-${name}-`));
  const stack = `admtest-${name}-${process.pid}`;
  const stackFile = join(REPO_ROOT, `Pulumi.${stack}.yaml`);
  const flat = { ...stackConfig("dev"), "platform:network": { baseCidr: await freeCidr(docker, 16) }, "platform:admission": { recordsDir: join(work, "records") } };
  writeFileSync(stackFile, stringify({ config: flat }));
  // the weather service is the first container on the services network without a static address
  const plan = buildPlan(parsePlatformConfig(rawConfigFromFlatMap(flat)).config, stack);
  const serviceAddress = plan.networks.services.ipRange.split("/")[0];

  function admit(manifest: Record<string, unknown>, options: { sbom?: string; db: string; observe?: string; keep?: boolean }): Promise<AdmitRun> {
    const manifestFile = writeManifest(join(work, "manifests"), manifest);
    const reportBase = join(work, "reports", String(manifest.name));
    const args = ["--import", "tsx", join(REPO_ROOT, "admission/cli.ts"), manifestFile, "--stack", stack, "--vuln-db", options.db, "--observe", options.observe ?? "15s", "--report", `${reportBase}.json`, "--policy-config", join(REPO_ROOT, "policies/config/dev.json")];
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

  async function close(): Promise<void> {
    rmSync(stackFile, { force: true });
    rmSync(work, { recursive: true, force: true });
    // a kept run is removed here; the command removes every other run itself
    for (const info of await docker.listContainers({ all: true, filters: { label: ["platform.sandbox"] } })) {
      if (info.Names.some((n) => n.includes("-admit-"))) await docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined);
    }
    for (const info of await docker.listNetworks({ filters: { label: ["platform.sandbox"] } })) {
      if (info.Name.includes("-admit-")) await docker.getNetwork(info.Id).remove().catch(() => undefined);
    }
  }

  return { work, stack, serviceAddress, admit, close };
}

/** An admission bench with what every e2e file admits against: a clean advisory database and the Go app's SBOM. */
export interface GoAppBench extends AdmissionBench {
  /** an OSV database with no advisory for the vendor images */
  db: string;
  /** the CycloneDX SBOM of the Go vendor app (buildGoVendorImage) */
  sbom: string;
}

/**
 * The common start of the e2e files: builds the Go vendor image (and the busybox one with `busybox`),
 * then a scratch stack named after `name`, a clean advisory database and the Go app's SBOM in its work dir.
 */
export async function goAppBench(name: string, options: { busybox?: boolean } = {}): Promise<GoAppBench> {
  await Promise.all([buildGoVendorImage(), ...(options.busybox ? [buildBusyboxVendorImage()] : [])]);
  const bench = await admissionBench(name);
  try {
    return { ...bench, db: writeVulnDb(join(bench.work, "osv"), "clean"), sbom: writeGoSbom(bench.work) };
  } catch (error) {
    // the caller never gets the bench to close: remove its stack file and work dir here
    await bench.close();
    throw error;
  }
}

const reasons = (run: AdmitRun) => (run.report?.reasons ?? []).map((r) => `[${r.step}] ${r.text}`).join("\n");
const explain = (run: AdmitRun) => `exit ${run.status}\nstdout:\n${run.stdout}\nstderr (end):\n${run.stderr.slice(-3000)}`;

/** Every runnable attack ran inside the app and was stopped; the report's three files and the record are there. */
export function assertAdmitted(run: AdmitRun, runtime: RegExp): AdmissionReport {
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
  assert.match(readFileSync(`${run.reportBase}.html`, "utf8"), /<svg/);
  assert.ok(report.record && existsSync(report.record), "an admitted app gets its admission record");
  return report;
}

/** Rejected (exit 1) with a reason of `step` that matches, and no admission record. */
export function assertRejected(run: AdmitRun, step: string, reason: RegExp): AdmissionReport {
  assert.equal(run.status, 1, `${explain(run)}\nreasons:\n${reasons(run)}`);
  const report = run.report!;
  assert.equal(report.verdict, "reject");
  assert.ok(report.reasons.some((r) => r.step === step && reason.test(r.text)), `no [${step}] ${reason} in:\n${reasons(run)}`);
  assert.match(run.stdout, /^REJECTED: app /m);
  assert.equal(report.record, undefined, "a rejected app gets no admission record");
  return report;
}
