// The monitor as a platform container: index.ts under mocks with platform:monitor enabled.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { ProgramRun, runProgram } from "../mock-runner/run-program";
import { PROGRAM, stackConfig } from "./support/stack-config";
import { loadMonitorConfig, loadAuditKey } from "../monitor/config";
import { monitorContainer } from "../render/monitor/container";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../config/load";
import { buildPlan } from "../plan/plan";
import { flattenConfig } from "../mock-runner/run-program";

const CONTAINER = "docker:index/container:Container";
const MONITOR_CONFIG = {
  enabled: true,
  image: "platform/monitor:dev",
  dryRun: true,
  docker: { socketGroupId: 105 },
  rules: { requestRate: { threshold: 500, windowSeconds: 5 } },
};

describe("platform:monitor.enabled deploys the monitor container", { timeout: 120_000 }, () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram(PROGRAM, { config: { ...stackConfig("dev"), "platform:monitor": MONITOR_CONFIG }, stack: "dev", material: "fast" });
  });

  const monitorContainers = () => run.ofType(CONTAINER).filter((c) => c.inputs.labels.some((l: { label: string; value: string }) => l.label === "platform.role" && l.value === "monitor"));

  it("adds one SecurityMonitor component under the Platform, owning one container", () => {
    const components = run.ofType("platform:monitor:SecurityMonitor");
    assert.equal(components.length, 1);
    assert.equal(components[0].parentType, "platform:index:Platform");
    assert.equal(monitorContainers().length, 1);
    assert.equal(monitorContainers()[0].parentType, "platform:monitor:SecurityMonitor");
  });

  it("runs hardened, non-root, without a network, with the socket and its own state volume", () => {
    const { inputs } = monitorContainers()[0];
    assert.equal(inputs.name, "plat-dev-monitor");
    assert.equal(inputs.user, "9990:9990");
    assert.equal(inputs.readOnly, true);
    assert.deepEqual(inputs.capabilities, { drops: ["ALL"], adds: [] });
    assert.equal(inputs.networkMode, "none");
    assert.deepEqual(inputs.networksAdvanced, []);
    assert.deepEqual(inputs.groupAdds, ["105"]);
    assert.deepEqual(inputs.command, ["run", "--stack", "dev", "--state-dir", "/var/lib/platform-monitor"]);
    assert.deepEqual(
      inputs.volumes.map((v: Record<string, unknown>) => v.hostPath ?? v.volumeName),
      ["plat-dev-monitor-tls", "plat-dev-monitor-state", "/var/run/docker.sock"],
    );
  });

  it("passes the validated settings as JSON and the audit key only as a secret file", () => {
    const container = monitorContainers()[0];
    const env = Object.fromEntries(container.inputs.envs.map((e: string) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    const { config } = loadMonitorConfig("dev", undefined, env);
    assert.equal(config.dryRun, true);
    assert.deepEqual(config.rules.requestRate, { enabled: true, threshold: 500, windowSeconds: 5 });
    assert.equal(env.PLATFORM_MONITOR_AUDIT_KEY, undefined, "no key in the environment");
    assert.equal(env.PLATFORM_MONITOR_AUDIT_KEY_FILE, "/etc/platform/tls/audit-key");
    const seed = run.ofType("docker:index/container:Container").find((c) => c.inputs.name === "plat-dev-monitor-seed")!;
    assert.ok(seed.secretInputs.includes("uploads"), "the key upload is secret");
    const [upload] = seed.inputs.uploads;
    assert.deepEqual([upload.file, upload.owner, upload.group, upload.permissions], ["/etc/platform/tls/audit-key", "0", "9990", "0440"]);
    assert.match(upload.content, /^[0-9a-f]{128}$/, "the generated key, hex-encoded (the monitor takes hex keys only)");
    assert.ok(!env.PLATFORM_MONITOR_CONFIG.includes(upload.content));
    const dir = mkdtempSync(join(tmpdir(), "monitor-key-"));
    try {
      writeFileSync(join(dir, "audit-key"), upload.content);
      assert.doesNotThrow(() => loadAuditKey(join(dir, "audit-key"), {}));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(run.ofType("random:index/randomPassword:RandomPassword").filter((r) => r.parentType === "platform:monitor:SecurityMonitor").length, 1);
  });
});

describe("monitor config validation in the stack schema", () => {
  const base = rawConfigFromFlatMap(flattenConfig(stackConfig("dev")));
  it("is disabled by default and then adds no container", () => {
    const { config: platform } = parsePlatformConfig(base);
    assert.equal(platform.monitor.enabled, false);
    assert.throws(() => monitorContainer(buildPlan(platform, "dev")), /not enabled/);
  });
  it("names the missing fields of an enabled monitor", () => {
    assert.throws(() => parsePlatformConfig({ ...base, monitor: { enabled: true } }), (error: Error) => /platform:monitor\.image/.test(error.message) && /platform:monitor\.docker\.socketGroupId/.test(error.message));
  });
  it("requires a pinned monitor image unless unpinned images are allowed", () => {
    assert.throws(() => parsePlatformConfig({ ...base, allowUnpinnedImages: false, monitor: { ...MONITOR_CONFIG } }), /platform:monitor\.image: "platform\/monitor:dev" is not pinned/);
  });
});
