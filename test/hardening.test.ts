import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePlatformConfig } from "../config/load";
import { buildPlan } from "../plan/plan";
import { hardenedContainer, seedContainer, TLS_DIR, tlsUploads } from "../render/hardening";
import { appContainer, serviceContainer } from "../render/workloads";
import { networkInputs } from "../render/networks";
import { minimalConfig, rawPlatformConfig } from "./support/stack-config";

const plan = buildPlan(parsePlatformConfig(rawPlatformConfig("dev")).config, "dev");

describe("hardened app container", () => {
  const app = plan.apps.find((a) => a.config.name === "backup-agent")!;
  const spec = appContainer(plan, app);

  it("runs as the app's own non-root UID and GID", () => {
    assert.equal(spec.user, `${app.uid}:${app.uid}`);
    assert.ok(app.uid >= 20000);
    assert.notEqual(plan.apps[0].uid, plan.apps[1].uid);
  });

  it("drops every capability, adds none, and never runs privileged", () => {
    assert.deepEqual(spec.capabilities, { drops: ["ALL"], adds: [] });
    assert.equal(spec.privileged, false);
  });

  it("has a read-only root with a small non-executable /tmp", () => {
    assert.equal(spec.readOnly, true);
    assert.deepEqual(spec.tmpfs, { "/tmp": "rw,noexec,nosuid,nodev,size=16m,mode=1777" });
  });

  it("keeps Docker's default seccomp and AppArmor profiles and sets no-new-privileges", () => {
    assert.deepEqual(spec.securityOpts, ["no-new-privileges:true"]);
  });

  it("gets private IPC and cgroup namespaces (cgroup v1 hosts default to the host's)", () => {
    assert.equal(spec.ipcMode, "private");
    assert.equal(spec.cgroupnsMode, "private");
  });

  it("limits memory without swap, CPU, processes, pending signals and open files", () => {
    assert.equal(spec.memory, 128);
    assert.equal(spec.memorySwap, 128);
    assert.equal(spec.cpus, "0.25");
    assert.deepEqual(spec.ulimits, [
      { name: "nofile", soft: 1024, hard: 1024 },
      { name: "nproc", soft: 64, hard: 64 },
      { name: "sigpending", soft: 256, hard: 256 },
    ]);
  });

  it("restarts on failure at most 5 times, has a healthcheck and rotated logs", () => {
    assert.equal(spec.restart, "on-failure");
    assert.equal(spec.maxRetryCount, 5);
    assert.deepEqual(spec.healthcheck, { tests: ["CMD-SHELL", "kill -0 1"], interval: "15s", timeout: "5s", retries: 3, startPeriod: "10s" });
    assert.deepEqual(spec.logOpts, { "max-size": "10m", "max-file": "3" });
  });

  it("joins only its own network at its fixed address and publishes nothing", () => {
    // no networkMode: it would make Docker drop the static address (see render/hardening.ts)
    assert.equal("networkMode" in spec, false);
    assert.deepEqual(spec.networksAdvanced, [{ name: app.network.dockerName, ipv4Address: app.ip, aliases: ["backup-agent"] }]);
    assert.equal(spec.publishAllPorts, false);
    assert.equal("ports" in spec, false);
  });

  it("points the app at the egress proxy and the gateway on its own network", () => {
    const env = Object.fromEntries(spec.envs.map((e) => e.split(/=(.*)/s).slice(0, 2)));
    assert.equal(env.HTTPS_PROXY, `http://${app.egressIp}:3128`);
    assert.equal(env.HTTP_PROXY, env.HTTPS_PROXY);
    assert.equal(env.https_proxy, env.HTTPS_PROXY);
    assert.match(env.NO_PROXY, new RegExp(`^${app.gatewayIp.replace(/\./g, "\\.")},`));
    assert.equal(env.PLATFORM_GATEWAY_URL, `https://${app.gatewayIp}:8443`);
  });

  it("labels the container with role, app and stack", () => {
    assert.deepEqual(spec.labels, [
      { label: "platform.app", value: "backup-agent" },
      { label: "platform.role", value: "app" },
      { label: "platform.stack", value: "dev" },
    ]);
  });

  it("uses gVisor when the app asks for runsc, and runc (no runtime field) otherwise", () => {
    assert.equal(spec.runtime, "runsc");
    assert.equal("runtime" in appContainer(plan, plan.apps.find((a) => a.config.name === "forecast-widget")!), false);
  });

  it("mounts TLS material from a named volume, files owned by root and readable by the app's group only", () => {
    assert.deepEqual(spec.volumes, [{ volumeName: `${app.containerName}-tls`, containerPath: TLS_DIR, readOnly: true }]);
    assert.deepEqual(
      tlsUploads({ ca: "CA", cert: "CERT", key: "KEY" }, app.uid).map((u) => [u.file, u.owner, u.group, u.permissions]),
      [
        ["/etc/platform/tls/ca.pem", "0", String(app.uid), "0444"],
        ["/etc/platform/tls/cert.pem", "0", String(app.uid), "0440"],
        ["/etc/platform/tls/key.pem", "0", String(app.uid), "0440"],
      ],
    );
  });

  it("is deterministic", () => {
    assert.deepEqual(appContainer(plan, app), spec);
  });
});

describe("hardened service container", () => {
  const service = plan.services.find((s) => s.config.name === "weather")!;
  const spec = serviceContainer(plan, service);
  it("gets the same hardening on the services network, found by name", () => {
    assert.deepEqual(spec.capabilities, { drops: ["ALL"], adds: [] });
    assert.equal(spec.readOnly, true);
    assert.equal(spec.user, `${service.uid}:${service.uid}`);
    assert.deepEqual(spec.networksAdvanced, [{ name: plan.networks.services.dockerName, aliases: ["weather"] }]);
    assert.ok(spec.labels.some((l) => l.label === "platform.role" && l.value === "service"));
  });
  it("derives its healthcheck from healthPath", () => {
    assert.deepEqual(spec.healthcheck.tests, ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]);
    const https = buildPlan(parsePlatformConfig(minimalConfig()).config, "t");
    assert.deepEqual(serviceContainer(https, https.services[0]).healthcheck.tests, ["CMD", "wget", "-q", "-O", "/dev/null", "--no-check-certificate", "https://127.0.0.1:8080/healthz"]);
  });
});

describe("upload seed", () => {
  const app = plan.apps[0];
  const spec = appContainer(plan, app);
  const seed = seedContainer(spec);
  it("is a never-started, network-less twin with a writable root that mounts the same volumes", () => {
    assert.equal(seed.name, `${spec.name}-seed`);
    assert.deepEqual([seed.start, seed.mustRun, seed.networkMode, seed.readOnly], [false, false, "none", false]);
    assert.deepEqual(seed.volumes, spec.volumes.map((v) => ({ ...v, readOnly: false })), "the seed mounts them writable");
    assert.ok(spec.volumes.every((v) => v.readOnly), "the workload mounts them read-only");
    assert.equal("networksAdvanced" in seed, false);
  });
  it("keeps every other hardening field of its workload and is labelled as a seed", () => {
    assert.equal(seed.user, spec.user);
    assert.deepEqual(seed.capabilities, { drops: ["ALL"], adds: [] });
    assert.deepEqual(seed.securityOpts, spec.securityOpts);
    assert.equal(seed.memory, spec.memory);
    assert.deepEqual(seed.ulimits, spec.ulimits);
    assert.equal(seed.privileged, false);
    assert.ok(seed.labels.some((l) => l.label === "platform.role" && l.value === "seed"));
    assert.ok(seed.labels.some((l) => l.label === "platform.app" && l.value === app.config.name));
  });
});

describe("hardening guards", () => {
  const base = { name: "x", image: "i", hostname: "x", env: {}, labels: {}, resources: { memoryMb: 64, cpus: 1, maxProcesses: 32 }, healthcheck: { command: ["CMD", "true"], intervalSeconds: 1, timeoutSeconds: 1, retries: 1, startPeriodSeconds: 0 } };
  it("refuses UID 0", () => {
    assert.throws(() => hardenedContainer({ ...base, uid: 0, networks: [{ name: "n", aliases: [] }] }), /refusing to run as UID 0/);
  });
  it("refuses a container without a network", () => {
    assert.throws(() => hardenedContainer({ ...base, uid: 1000, networks: [] }), /at least one network is required/);
  });
});

describe("networks", () => {
  it("makes app, services and identity networks internal and only the outbound network routable", () => {
    const specs = [...plan.apps.map((a) => a.network), plan.networks.services, plan.networks.identity, plan.networks.outbound].map((n) => networkInputs(plan, n));
    assert.deepEqual(specs.map((s) => s.internal), [true, true, true, true, false]);
    const outbound = specs[specs.length - 1];
    assert.equal(outbound.options["com.docker.network.bridge.enable_icc"], "false");
    for (const s of specs) {
      assert.equal(s.options["com.docker.network.bridge.host_binding_ipv4"], "127.0.0.1");
      assert.equal(s.options["com.docker.network.bridge.inhibit_ipv4"], s.internal ? "true" : undefined, `${s.name}: internal bridges get no host address`);
      assert.equal(s.ipamConfigs.length, 1);
    }
    const app = plan.apps[0];
    assert.deepEqual(specs[0].ipamConfigs[0], { subnet: app.network.subnet, gateway: app.network.bridgeGateway, ipRange: app.network.ipRange });
  });
});
