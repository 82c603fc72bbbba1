// The sandbox end to end: `npm run sandbox` on the dev stack (Pulumi.dev.yaml + sandbox/stacks/ci.yaml)
// in the real engine, as CI runs it. Every probe that can run here must be stopped, every declared
// network attachment must be in force, and everything the run created must be gone afterwards.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { stringify } from "yaml";
import { freeCidr } from "../sandbox/provider-mirror/free-subnet";
import { SANDBOX_LABEL } from "../sandbox/provider-mirror/labels";
import { dockerUnavailableSync } from "../sandbox/docker-availability";
import type { ProbeResult } from "../sandbox/probes/types";
import type { SandboxReport } from "../sandbox/report";
import { readOverlay, stackInput } from "../sandbox/stack-input";

const REPO = join(__dirname, "..");
const CI_OVERLAY = join(REPO, "sandbox", "stacks", "ci.yaml");
// every image the dev stack runs (Envoy and Keycloak as Pulumi.dev.yaml names them), so nothing is "not started"
const STACK = stackInput({ overlayFile: CI_OVERLAY }).config;
const imageOf = (key: string) => (STACK[key] as { image: string }).image;
const IMAGES = ["platform/probe:dev", "platform/demo-service:dev", imageOf("platform:egress"), imageOf("platform:gateway"), imageOf("platform:identity")];
const GATEWAY_PROBES = ["gateway.no-client-cert", "gateway.wrong-cert", "gateway.no-token", "gateway.other-apps-token", "gateway.ungranted-service", "gateway.flood"];
const skipReason = dockerUnavailableSync(IMAGES);

describe("npm run sandbox on the dev stack (real engine)", { skip: skipReason, timeout: 900_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "sandbox-devstack-"));
  const reportFile = join(dir, "report.json");
  const stackName = `sbx${randomBytes(3).toString("hex")}`;
  let exitCode: number | null;
  let output: string;
  let report: SandboxReport | undefined;

  before(async () => {
    // the CI overlay, with a stack name and base CIDR of this run's own so it cannot collide with
    // other stacks on the same engine
    const overlay = readOverlay(CI_OVERLAY);
    const baseCidr = await freeCidr(new Docker(), 16, "10.128.0.0/9");
    const file = join(dir, "overlay.yaml");
    writeFileSync(file, stringify({ ...overlay, stackName, config: { ...overlay.config, "platform:network": { baseCidr } } }));
    const run = spawnSync("npx", ["tsx", "sandbox/cli.ts", "--config", file, "--report", reportFile], { cwd: REPO, encoding: "utf8", timeout: 840_000 });
    exitCode = run.status;
    output = `${run.stdout}\n${run.stderr}`;
    try {
      report = JSON.parse(readFileSync(reportFile, "utf8")) as SandboxReport;
    } catch {
      report = undefined;
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("brings the stack up, probes it, and exits 0", () => {
    process.stdout.write(output.split("\n").filter((line) => !line.startsWith("warning:")).join("\n") + "\n");
    assert.ok(report, `no report was written (exit ${exitCode}); output:\n${output.slice(-3000)}`);
    assert.equal(report!.error, undefined, `the run failed: ${report!.error}`);
    assert.deepEqual(report!.discrepancies, [], "every declared static address and alias is in force");
    const failures = report!.results.filter((r) => r.verdict === "NOT STOPPED" || r.verdict === "FAILED").map((r) => `${r.target} ${r.probe}: ${r.evidence}`);
    assert.deepEqual(failures, []);
    assert.equal(exitCode, 0);
  });

  it("started every container and ran every probe against both apps: the gateway probes and lateral.identity-direct too", () => {
    assert.ok(report && !report.error, `the run failed (exit ${exitCode}): ${report?.error ?? "no report"}`);
    assert.deepEqual(report!.notStarted, [], "nothing is \"not started\": Envoy and Keycloak run");
    const apps = [...new Set(report!.results.map((r) => r.target))].sort();
    assert.deepEqual(apps, ["backup-agent", "forecast-widget"]);
    for (const app of apps) {
      for (const probe of ["dos.fork-bomb", "dos.memory", "dos.cpu-hog", "dos.signal-queue", "breakout.rootfs-write", "breakout.mount", "breakout.raw-socket", "breakout.setuid", "breakout.docker-socket", "breakout.host-paths", "breakout.ptrace", "lateral.other-app", "lateral.service-direct", "lateral.identity-direct", "lateral.internet-direct", "lateral.host-services", ...GATEWAY_PROBES]) {
        const result: ProbeResult | undefined = report!.results.find((r) => r.target === app && r.probe === probe);
        assert.equal(result?.verdict, "stopped", `${app} ${probe}: ${result?.verdict} ${result?.evidence}`);
      }
    }
    assert.equal(report!.results.filter((r) => r.category === "gateway").length, GATEWAY_PROBES.length * apps.length, "each gateway probe ran once per app");
    const gvisor: ProbeResult | undefined = report!.results.find((r) => r.target === "backup-agent" && r.probe === "gvisor.kernel");
    assert.equal(gvisor?.verdict, "ok", gvisor?.evidence);
  });

  it("left nothing behind", async () => {
    const docker = new Docker();
    const leftovers = await docker.listContainers({ all: true, filters: { label: [SANDBOX_LABEL] } });
    const ours = leftovers.filter((c) => c.Names.some((n) => n.includes(stackName)));
    assert.deepEqual(ours.map((c) => c.Names[0]), []);
    const networks = (await docker.listNetworks()).filter((n) => n.Name.includes(stackName));
    assert.deepEqual(networks.map((n) => n.Name), []);
  });
});
