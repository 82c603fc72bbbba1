// The attack probes against apps whose image has no python3 (platform/demo-app:dev, busybox, the image
// `--stack dev` runs): the sandbox's provider mirror mounts the static probe (build/platform-probe) into
// every app container it creates, and the suite runs the attacks with it instead of skipping them. Two
// hardened apps as the platform renders them (the attacker and a victim for the cross-app probes), a
// backend service and the outside stand-in, without a gateway, Keycloak or egress proxy: the cheapest
// setup that exercises every probe which can run without them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { release } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { hardenedContainer } from "../render/hardening";
import { DEFAULT_APP_HEALTHCHECK } from "../render/workloads";
import { dockerUnavailableSync, RUNSC_ABSENT, runscRegistered } from "../sandbox/docker-availability";
import { createHostFixtures, HostFixtures } from "../sandbox/fixtures";
import { createOutsideStandIn } from "../sandbox/outside";
import { kernelSeen, runnerOf, runProbeCode, victimListener, victimProcess } from "../sandbox/probes/runner";
import { STATIC_PROBE_DIR } from "../sandbox/probes/static-runner";
import { runSuite } from "../sandbox/probes/suite";
import { appTarget } from "../sandbox/probes/targets";
import type { AppTarget, ProbeEnvironment, ProbeResult } from "../sandbox/probes/types";
import { ProviderMirror } from "../sandbox/provider-mirror/docker-resources";
import { freeCidr } from "../sandbox/provider-mirror/free-subnet";
import { builtStaticProbeDir, staticProbeBind } from "../sandbox/provider-mirror/probe-mount";
import { formatTable } from "../sandbox/report";

const ROOT = join(__dirname, "..");
const APP_IMAGE = "platform/demo-app:dev";
const SERVICE_IMAGE = "platform/demo-service:dev";
const PROBE_IMAGE = "platform/probe:dev"; // only for the outside stand-in's listener
const docker = new Docker();
const runId = `probes-busybox-${process.pid}-${randomBytes(3).toString("hex")}`;
const prefix = `sbxbb-${randomBytes(3).toString("hex")}`;

const goAbsent = spawnSync("go", ["version"], { encoding: "utf8", timeout: 20_000 }).status === 0 ? undefined : "go is not installed here: the static probe cannot be built (install Go 1.26 or later)";
const skipReason = goAbsent ?? dockerUnavailableSync([APP_IMAGE, SERVICE_IMAGE, PROBE_IMAGE]);

describe("attack probes in a busybox app without python3 (static probe)", { skip: skipReason, timeout: 300_000 }, () => {
  let mirror: ProviderMirror;
  let fixtures: HostFixtures;
  let env: ProbeEnvironment;
  let attacker: AppTarget;
  let results: ProbeResult[] = [];
  let probeDir: string;

  async function network(name: string) {
    const subnet = await freeCidr(docker, 24, "10.240.0.0/12");
    const base = subnet.split("/")[0].split(".").slice(0, 3).join(".");
    const host = (n: number) => `${base}.${n}`;
    await mirror.createNetwork(name, { name, driver: "bridge", internal: true, options: { "com.docker.network.bridge.inhibit_ipv4": "true" }, ipamConfigs: [{ subnet, gateway: host(1), ipRange: `${host(128)}/25` }] });
    return { name, host };
  }

  before(async () => {
    const build = spawnSync("bash", [join(ROOT, "scripts/build-probe.sh")], { encoding: "utf8", timeout: 240_000 });
    assert.equal(build.status, 0, `scripts/build-probe.sh failed: ${build.stdout}${build.stderr}`);
    const built = builtStaticProbeDir();
    assert.ok("dir" in built, "absent" in built ? built.absent : "");
    probeDir = built.dir;
    mirror = new ProviderMirror(runId, docker, { staticProbeDir: probeDir });
    fixtures = await createHostFixtures(runId);
    const outside = await createOutsideStandIn(mirror, prefix, PROBE_IMAGE);
    const services = await network(`${prefix}-services`);
    const weather = await mirror.createContainer(
      "weather",
      hardenedContainer({
        name: `${prefix}-weather`,
        image: SERVICE_IMAGE,
        hostname: "weather",
        uid: 10001,
        env: {},
        labels: { "platform.role": "service" },
        resources: { memoryMb: 64, cpus: 0.5, maxProcesses: 64 },
        healthcheck: { ...DEFAULT_APP_HEALTHCHECK, command: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"] },
        networks: [{ name: services.name, aliases: ["weather"] }],
      }),
    );
    assert.deepEqual(weather.sandboxOnly, [], "only app containers get the probe mount");
    const apps: AppTarget[] = [];
    for (const app of [
      { name: "alpha", uid: 20031, resources: { memoryMb: 128, cpus: 0.5, maxProcesses: 64 }, runtime: undefined },
      { name: "beta", uid: 20032, resources: { memoryMb: 64, cpus: 0.25, maxProcesses: 32 }, runtime: undefined },
      // only for gvisor.kernel (last, so it is never the cross-app probes' victim)
      ...(runscRegistered() ? [{ name: "gamma", uid: 20033, resources: { memoryMb: 64, cpus: 0.25, maxProcesses: 32 }, runtime: "runsc" as const }] : []),
    ]) {
      const net = await network(`${prefix}-app-${app.name}`);
      const inputs = hardenedContainer({
        name: `${prefix}-${app.name}`,
        image: APP_IMAGE,
        hostname: app.name,
        uid: app.uid,
        env: {},
        labels: { "platform.role": "app", "platform.app": app.name },
        resources: app.resources,
        healthcheck: DEFAULT_APP_HEALTHCHECK,
        networks: [{ name: net.name, ipv4Address: net.host(4), aliases: [app.name] }],
        runtime: app.runtime,
      });
      assert.equal(JSON.stringify(inputs).includes(STATIC_PROBE_DIR), false, "the declared inputs never carry the probe mount");
      const created = await mirror.createContainer(`app-${app.name}`, inputs);
      assert.deepEqual(created.sandboxOnly, [staticProbeBind(probeDir)]);
      apps.push(await appTarget(docker, created.id, app.name));
    }
    attacker = apps[0];
    const weatherIp = Object.values((await docker.getContainer(weather.id).inspect()).NetworkSettings.Networks)[0].IPAddress;
    env = {
      docker,
      apps,
      services: [{ name: "weather", ip: weatherIp, port: 8080 }],
      identity: { absent: "this test declares no identity provider (test/gateway-e2e.test.ts runs Keycloak)" },
      gateway: { absent: "this test declares no gateway (test/gateway-e2e.test.ts runs Envoy)" },
      egress: { absent: "this test declares no egress proxy" },
      hostMarker: fixtures.hostMarker,
      internet: outside.endpoint,
      hostListener: fixtures.hostListener,
    };
  });

  after(async () => {
    await mirror?.teardown();
    await fixtures?.close();
  });

  it("the app image has no python3; the mounted static probe is chosen instead", () => {
    assert.ok(env.apps.length >= 2);
    for (const app of env.apps) {
      assert.equal(app.hasPython, false, `${app.name}: ${APP_IMAGE} is expected to have no python3`);
      assert.equal(app.hasStaticProbe, true, `${app.name}: the static probe does not run in the container`);
      assert.equal(runnerOf(app), "static");
    }
  });

  it("every attack that needs no gateway, Keycloak or proxy ran from the busybox app and was stopped", async () => {
    // one attacker (alpha); beta is the other app the cross-app probes watch or target
    results = await runSuite(env, [attacker]);
    process.stdout.write(formatTable(results) + "\n");
    const failures = results.filter((r) => r.verdict === "NOT STOPPED" || r.verdict === "FAILED");
    assert.deepEqual(failures.map((r) => `${r.probe}: ${r.evidence}`), []);
    const mustStop = ["dos.fork-bomb", "dos.memory", "dos.cpu-hog", "dos.signal-queue", "breakout.rootfs-write", "breakout.mount", "breakout.raw-socket", "breakout.docker-socket", "breakout.host-paths", "breakout.ptrace", "lateral.other-app", "lateral.service-direct", "lateral.internet-direct", "lateral.host-services"];
    for (const probe of mustStop) {
      const result = results.find((r) => r.probe === probe);
      assert.equal(result?.verdict, "stopped", `${probe}: ${result?.verdict} ${result?.evidence}`);
    }
    // the cross-app probes really involved the other busybox app
    assert.match(results.find((r) => r.probe === "breakout.ptrace")!.evidence, /victim in beta/);
    assert.match(results.find((r) => r.probe === "lateral.other-app")!.evidence, /^beta \(listening on \d+\)/);
    assert.match(results.find((r) => r.probe === "dos.fork-bomb")!.evidence, /beta's healthcheck/);
    assert.match(results.find((r) => r.probe === "dos.cpu-hog")!.evidence, /beta's task/);
  });

  it("the helpers around the cross-app probes work in busybox, so their stopped verdicts are not for want of a victim", async () => {
    const beta = env.apps[1];
    // the listener answers on beta's own address, seen from inside beta
    const listening = victimListener(beta, 18081, 3);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const own = await runProbeCode(beta, "tcp_connect", { targets: [[beta.ip, 18081]], timeout: 2 }, 20_000);
    await listening;
    assert.equal(own.output?.attack, "succeeded", `beta reaching its own listener: ${own.output?.evidence ?? own.exec.stderr}`);
    assert.match(own.output!.evidence, /connected/);
    // the victim process is found by its nonce inside its own PID namespace
    const nonce = `platform-probe-victim-${randomBytes(4).toString("hex")}`;
    const sleeper = victimProcess(beta, nonce, 3);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const seen = await runProbeCode(beta, "ptrace", { nonce }, 20_000);
    await sleeper;
    assert.match(seen.output?.evidence ?? seen.exec.stderr, /victim pid \d+ visible|attached to victim pid \d+/);
    // the kernel as the app sees it: the host's under runc
    assert.equal((await kernelSeen(beta)).release, release());
  });

  it("under runsc too: gvisor.kernel sees gVisor's kernel, and the signal queue (gVisor's procfs has no SigBlk) is stopped", async (t) => {
    const gamma = env.apps.find((a) => a.runtime === "runsc");
    if (!gamma) return t.skip(RUNSC_ABSENT);
    assert.equal(runnerOf(gamma), "static");
    const gvisorResults = await runSuite(env, [gamma], { only: ["gvisor.kernel", "dos.signal-queue"] });
    const verdict = (probe: string) => gvisorResults.find((r) => r.probe === probe);
    assert.equal(verdict("gvisor.kernel")?.verdict, "ok", `${verdict("gvisor.kernel")?.evidence}`);
    assert.equal(verdict("dos.signal-queue")?.verdict, "stopped", `${verdict("dos.signal-queue")?.evidence}`);
  });

  it("what still skips says precisely why, and never for want of python3", () => {
    const skipped = results.filter((r) => r.verdict === "skipped");
    for (const r of skipped) assert.doesNotMatch(r.evidence, /python3/, `${r.probe}: ${r.evidence}`);
    const expected: Record<string, RegExp> = {
      // busybox has no setuid-root binary to try (the probe image carries one)
      "breakout.setuid": /probe-suid-id is not in this image/,
      // this test declares none of these
      "lateral.identity-direct": /this test declares no identity provider/,
    };
    for (const r of skipped) {
      if (r.category === "gateway") assert.match(r.evidence, /this test declares no gateway/, r.probe);
      else if (r.category === "egress") assert.match(r.evidence, /egress proxy/, r.probe);
      else if (r.probe === "breakout.kernel-module") assert.match(r.evidence, /this host kernel cannot load modules/, r.evidence);
      else assert.match(r.evidence, expected[r.probe] ?? /^$/, `${r.probe} skipped unexpectedly: ${r.evidence}`);
    }
  });
});
