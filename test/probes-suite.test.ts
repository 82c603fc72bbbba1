// The attack probes against real containers: hardened apps (as the platform renders them, one of them
// under gVisor) must stop every attack; a deliberately insecure container must not.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { hardenedContainer, HardeningInput } from "../render/hardening";
import { DEFAULT_APP_HEALTHCHECK } from "../render/workloads";
import { ProviderMirror } from "../sandbox/provider-mirror/docker-resources";
import { freeCidr } from "../sandbox/provider-mirror/free-subnet";
import { createHostFixtures, HostFixtures } from "../sandbox/fixtures";
import { createNegativeControl } from "./support/negative-control";
import { createOutsideStandIn } from "../sandbox/outside";
import { dockerUnavailableSync, RUNSC_ABSENT, runscRegistered } from "../sandbox/docker-availability";
import { runSuite } from "../sandbox/probes/suite";
import { appTarget } from "../sandbox/probes/targets";
import type { AppTarget, ProbeEnvironment, ProbeResult } from "../sandbox/probes/types";
import { formatTable } from "../sandbox/report";
import { ReadinessError, waitUntilHealthy } from "../sandbox/readiness";

const PROBE_IMAGE = "platform/probe:dev";
const SERVICE_IMAGE = "platform/demo-service:dev";
const docker = new Docker();
const runId = `probes-${process.pid}-${randomBytes(3).toString("hex")}`;
const prefix = `sbxprb-${randomBytes(3).toString("hex")}`;
const skipReason = dockerUnavailableSync([PROBE_IMAGE, SERVICE_IMAGE]);

describe("attack probes in the real engine", { skip: skipReason, timeout: 900_000 }, () => {
  const mirror = new ProviderMirror(runId, docker);
  let fixtures: HostFixtures;
  let env: ProbeEnvironment;
  let outsideNetwork: string;
  let hardenedResults: ProbeResult[] = [];

  async function network(name: string, internal: boolean): Promise<{ name: string; host: (n: number) => string }> {
    const subnet = await freeCidr(docker, 24, "10.240.0.0/12");
    const base = subnet.split("/")[0].split(".").slice(0, 3).join(".");
    const host = (n: number) => `${base}.${n}`;
    // internal networks as the platform should declare them: no route off the network, and no address
    // of the host's on the bridge (inhibit_ipv4), so nothing on the host is reachable either
    const options = internal ? { "com.docker.network.bridge.inhibit_ipv4": "true" } : {};
    await mirror.createNetwork(name, { name, driver: "bridge", internal, options, ipamConfigs: [{ subnet, gateway: host(1), ipRange: `${host(128)}/25` }] });
    return { name, host };
  }

  /** A hardened app container of the probe image, as the platform renders one. */
  function appSpec(name: string, uid: number, network: HardeningInput["networks"][number], extra: Partial<HardeningInput> = {}) {
    return hardenedContainer({
      name: `${prefix}-${name}`,
      image: PROBE_IMAGE,
      hostname: name,
      uid,
      env: {},
      labels: { "platform.role": "app", "platform.app": name },
      resources: { memoryMb: 64, cpus: 0.25, maxProcesses: 32 },
      healthcheck: DEFAULT_APP_HEALTHCHECK,
      networks: [network],
      ...extra,
    });
  }

  before(async () => {
    fixtures = await createHostFixtures(runId);
    const outside = await createOutsideStandIn(mirror, prefix, PROBE_IMAGE);
    outsideNetwork = outside.network;
    const services = await network(`${prefix}-services`, true);
    const service = hardenedContainer({
      name: `${prefix}-weather`,
      image: SERVICE_IMAGE,
      hostname: "weather",
      uid: 10001,
      env: {},
      labels: { "platform.role": "service" },
      resources: { memoryMb: 64, cpus: 0.5, maxProcesses: 64 },
      healthcheck: { ...DEFAULT_APP_HEALTHCHECK, command: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"] },
      networks: [{ name: services.name, aliases: ["weather"] }],
    });
    const serviceInputs = service;
    const weather = await mirror.createContainer("weather", serviceInputs);

    const apps: AppTarget[] = [];
    const declared = [
      { name: "alpha", uid: 20001, resources: { memoryMb: 256, cpus: 0.5, maxProcesses: 128 }, runtime: undefined },
      { name: "beta", uid: 20002, resources: { memoryMb: 128, cpus: 0.25, maxProcesses: 64 }, runtime: runscRegistered() ? ("runsc" as const) : undefined },
    ];
    for (const app of declared) {
      const net = await network(`${prefix}-app-${app.name}`, true);
      const inputs = appSpec(app.name, app.uid, { name: net.name, ipv4Address: net.host(4), aliases: [app.name] }, { resources: app.resources, runtime: app.runtime });
      const created = await mirror.createContainer(`app-${app.name}`, inputs);
      apps.push(await appTarget(docker, created.id, app.name));
    }
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
    await mirror.teardown();
    await fixtures?.close();
  });

  it("hardened apps: every probe that can run is stopped (or its control passes)", async () => {
    hardenedResults = await runSuite(env);
    process.stdout.write(formatTable(hardenedResults) + "\n");
    const failures = hardenedResults.filter((r) => r.verdict === "NOT STOPPED" || r.verdict === "FAILED");
    assert.deepEqual(failures.map((r) => `${r.target} ${r.probe}: ${r.evidence}`), []);
    // the probes that cannot depend on absent images must really have run
    const mustRun = ["dos.fork-bomb", "dos.memory", "dos.cpu-hog", "dos.signal-queue", "breakout.rootfs-write", "breakout.mount", "breakout.kernel-module", "breakout.raw-socket", "breakout.setuid", "breakout.docker-socket", "breakout.host-paths", "breakout.ptrace", "lateral.other-app", "lateral.service-direct", "lateral.internet-direct", "lateral.host-services"];
    for (const app of env.apps.filter((a) => a.runtime !== "runsc")) {
      for (const probe of mustRun) {
        const result = hardenedResults.find((r) => r.target === app.name && r.probe === probe);
        assert.equal(result?.verdict, "stopped", `${app.name} ${probe}: ${result?.verdict} ${result?.evidence}`);
      }
    }
    // without a gateway (or Keycloak) these skip with the reason, never pass
    for (const skipped of hardenedResults.filter((r) => r.category === "gateway" || r.probe === "lateral.identity-direct")) {
      assert.equal(skipped.verdict, "skipped");
      assert.match(skipped.evidence, /this test declares no (gateway|identity provider)/);
    }
  });

  it("readiness: a container that never turns healthy fails the wait with its name and its last health check output", async () => {
    const nonce = `health-${randomBytes(4).toString("hex")}`;
    const net = await network(`${prefix}-sick`, true);
    const sick = appSpec("sick", 20099, { name: net.name, aliases: ["sick"] }, {
      command: ["sleep", "120"],
      healthcheck: { command: ["CMD-SHELL", `echo ${nonce} not ready; exit 1`], intervalSeconds: 1, timeoutSeconds: 2, retries: 1, startPeriodSeconds: 0 },
    });
    const created = await mirror.createContainer("sick", sick);
    const lines: string[] = [];
    const failure = await waitUntilHealthy(docker, { containers: [{ resource: "sick", name: created.name, id: created.id, labels: {}, inputs: sick, sandboxOnly: created.sandboxOnly }] }, { timeoutMs: 8_000, intervalMs: 500, log: (l) => lines.push(l) }).then(
      () => undefined,
      (error: Error) => error,
    );
    assert.ok(failure instanceof ReadinessError, `the wait fails: ${failure}`);
    assert.match(failure.message, new RegExp(`^${created.name} did not become healthy within \\d+ s: health (unhealthy|starting)`));
    assert.match(failure.message, new RegExp(`last health check \\(exit 1, [^)]*\\): ${nonce} not ready`));
    assert.ok(lines.some((l) => l.startsWith("waiting") && l.includes(created.name)), `progress is printed: ${lines.join(" | ")}`);
  });

  it("the gVisor app runs on gVisor's kernel", async (t) => {
    const gvisorApp = env.apps.find((a) => a.runtime === "runsc");
    if (!gvisorApp) return t.skip(RUNSC_ABSENT);
    const result = hardenedResults.find((r) => r.target === gvisorApp.name && r.probe === "gvisor.kernel");
    assert.equal(result?.verdict, "ok", result?.evidence);
  });

  it("negative control (root, extra caps, no seccomp, host PID, Docker socket, no limits): the probes report NOT STOPPED", async () => {
    const victim = env.apps[0];
    const control = await createNegativeControl(mirror, prefix, PROBE_IMAGE, outsideNetwork, victim.network);
    const target = await appTarget(docker, control.id, "negative-control");
    const results = await runSuite(env, [target], { only: undefined });
    process.stdout.write(formatTable(results) + "\n");
    const verdict = (probe: string) => results.find((r) => r.probe === probe);
    const enabled = [
      "dos.fork-bomb", // no nproc limit
      "dos.memory", // no memory limit
      "dos.cpu-hog", // no CPU limit
      "dos.signal-queue", // no sigpending limit
      "breakout.rootfs-write", // writable root filesystem
      "breakout.mount", // SYS_ADMIN, no seccomp
      "breakout.raw-socket", // NET_RAW
      "breakout.setuid", // no no-new-privileges
      "breakout.docker-socket", // socket mounted
      "breakout.host-paths", // host PID namespace as root
      "breakout.ptrace", // host PID namespace + SYS_PTRACE
      "lateral.other-app", // shares the victim's network
      "lateral.internet-direct", // on a non-internal network
      "lateral.host-services", // its networks carry a host address
    ];
    for (const probe of enabled) assert.equal(verdict(probe)?.verdict, "NOT STOPPED", `${probe}: ${verdict(probe)?.verdict} ${verdict(probe)?.evidence}`);
    assert.equal(verdict("lateral.service-direct")?.verdict, "stopped", "the control is not on the services network");
    // SYS_MODULE without seccomp reaches init_module; it fails only where the host kernel has no module loader
    const module = verdict("breakout.kernel-module");
    assert.ok(module?.verdict === "NOT STOPPED" || (module?.verdict === "skipped" && /ENOSYS/.test(module.evidence)), `${module?.verdict} ${module?.evidence}`);
  });
});
