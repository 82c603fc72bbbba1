// The egress proxy container exactly as the component specifies it (hardened ContainerInputs, config
// uploaded into its volume through its never-started upload seed as @pulumi/docker does, no
// capabilities, read-only root, user proxy) on real Docker networks the
// test creates: an app network, the outbound network, and a test "internet" network in 192.0.2.0/24
// (TEST-NET-1) holding a stand-in origin. The app container uses the HTTP_PROXY env the platform
// gives it; names resolve through Docker's embedded DNS (network aliases), never real DNS.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { egressContainer, SQUID_CONF_FILE } from "../render/squid";
import { ContainerInputs, FileUpload, SeedInputs, seedContainer } from "../render/hardening";
import { appPlatformEnv } from "../render/workloads";
import { dockerUnavailableSync } from "../sandbox/docker-availability";
import { freeCidr } from "../sandbox/provider-mirror/free-subnet";
import { parsePlatformConfig } from "../config/load";
import { buildPlan, PlatformPlan } from "../plan/plan";
import { minimalConfig } from "./support/stack-config";

// EGRESS_TEST_SQUID_IMAGE tries another Squid image (e.g. one just built with images/squid/build.sh)
const SQUID_IMAGE = process.env.EGRESS_TEST_SQUID_IMAGE ?? "platform/squid:dev";
const ORIGIN_IMAGE = "platform/demo-service:dev";
const APP_IMAGE = "platform/demo-app:dev";
const PREFIX = `egt${process.pid}`;
const ROOT = `${PREFIX}.ctr.example`;

const seconds = (text: string) => Number(text.replace(/s$/, "")) * 1e9;

/** The ContainerInputs (the same object @pulumi/docker receives) as a Docker Engine API create body. */
function createBody(spec: ContainerInputs, firstIp: string | undefined) {
  return {
    name: spec.name,
    Image: spec.image,
    Hostname: spec.hostname,
    User: spec.user,
    Cmd: spec.command,
    Env: spec.envs,
    Labels: Object.fromEntries(spec.labels.map((l) => [l.label, l.value])),
    Healthcheck: {
      Test: spec.healthcheck.tests,
      // the spec's 15 s interval would make the test wait; the probe itself is unchanged
      Interval: seconds("1s"),
      Timeout: seconds(spec.healthcheck.timeout),
      Retries: spec.healthcheck.retries,
      StartPeriod: seconds(spec.healthcheck.startPeriod),
    },
    HostConfig: {
      Privileged: spec.privileged,
      ReadonlyRootfs: spec.readOnly,
      CapDrop: spec.capabilities.drops,
      CapAdd: spec.capabilities.adds,
      SecurityOpt: spec.securityOpts,
      Tmpfs: spec.tmpfs,
      IpcMode: spec.ipcMode,
      Memory: spec.memory * 1024 * 1024,
      MemorySwap: spec.memorySwap * 1024 * 1024,
      NanoCpus: Math.round(Number(spec.cpus) * 1e9),
      Ulimits: spec.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
      NetworkMode: spec.networksAdvanced[0].name,
      Mounts: spec.volumes.map((v) => ({ Type: "volume" as const, Source: v.volumeName, Target: v.containerPath, ReadOnly: v.readOnly })),
      LogConfig: { Type: spec.logDriver, Config: spec.logOpts },
    },
    NetworkingConfig: { EndpointsConfig: { [spec.networksAdvanced[0].name]: { IPAMConfig: firstIp ? { IPv4Address: firstIp } : undefined, Aliases: spec.networksAdvanced[0].aliases } } },
  };
}

/** The seed's create body: a never-started twin with a writable root, no network, the same volumes. */
function seedCreateBody(seed: SeedInputs) {
  return {
    name: seed.name,
    Image: seed.image,
    Hostname: seed.hostname,
    User: seed.user,
    Cmd: seed.command,
    Env: seed.envs,
    Labels: Object.fromEntries(seed.labels.map((l) => [l.label, l.value])),
    HostConfig: {
      Privileged: seed.privileged,
      ReadonlyRootfs: seed.readOnly,
      CapDrop: seed.capabilities.drops,
      CapAdd: seed.capabilities.adds,
      SecurityOpt: seed.securityOpts,
      IpcMode: seed.ipcMode,
      Memory: seed.memory * 1024 * 1024,
      MemorySwap: seed.memorySwap * 1024 * 1024,
      NanoCpus: Math.round(Number(seed.cpus) * 1e9),
      Ulimits: seed.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
      NetworkMode: seed.networkMode,
      Mounts: seed.volumes.map((v) => ({ Type: "volume" as const, Source: v.volumeName, Target: v.containerPath, ReadOnly: v.readOnly })),
      LogConfig: { Type: seed.logDriver, Config: seed.logOpts },
    },
  };
}

/** The uploads as @pulumi/docker sends them: one tar, full paths, copied to "/". */
function uploadsTar(uploads: FileUpload[]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "egress-ctr-"));
  try {
    const members = uploads.map((u) => {
      const member = u.file.replace(/^\//, "");
      mkdirSync(join(dir, dirname(member)), { recursive: true });
      writeFileSync(join(dir, member), u.content);
      chmodSync(join(dir, member), parseInt(u.permissions, 8));
      assert.deepEqual([u.owner, u.group], ["0", "0"], `${u.file}: this helper writes root-owned files only`);
      return member;
    });
    return execFileSync("tar", ["-C", dir, "--owner=0", "--group=0", "--numeric-owner", "-cf", "-", ...members]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const skip = dockerUnavailableSync([SQUID_IMAGE, ORIGIN_IMAGE, APP_IMAGE]);

describe("egress proxy container on real Docker networks", { skip, timeout: 240_000 }, () => {
  const docker = new Docker();
  const created = { containers: [] as Docker.Container[], networks: [] as Docker.Network[], volumes: [] as string[] };
  let plan: PlatformPlan;
  let egress: Docker.Container;
  let seed: Docker.Container;
  let uploads: Buffer;
  let app: Docker.Container;
  let originIp = "";

  const network = async (name: string, subnet: string, internal: boolean) => {
    const created_ = await docker.createNetwork({ Name: name, Driver: "bridge", Internal: internal, IPAM: { Config: [{ Subnet: subnet }] }, Labels: { "egress-test": PREFIX } });
    created.networks.push(created_);
    return created_;
  };
  const exec = async (container: Docker.Container, cmd: string[]) => {
    const run = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await run.start({});
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    await new Promise<void>((resolve) => stream.once("end", () => resolve()));
    const inspect = await run.inspect();
    // strip Docker's 8-byte stream headers
    let out = "";
    const raw = Buffer.concat(chunks);
    for (let i = 0; i + 8 <= raw.length; ) {
      const size = raw.readUInt32BE(i + 4);
      out += raw.subarray(i + 8, i + 8 + size).toString("utf8");
      i += 8 + size;
    }
    return { code: inspect.ExitCode, out };
  };

  before(async () => {
    const raw = minimalConfig();
    raw.namePrefix = PREFIX;
    raw.allowUnpinnedImages = true;
    raw.network = { baseCidr: await freeCidr(docker, 16, "10.0.0.0/8") };
    raw.egress = { image: SQUID_IMAGE, httpPorts: [8080] };
    raw.apps[0].image = APP_IMAGE;
    raw.apps[0].egress = [`origin.${ROOT}`, `internal.${ROOT}`];
    plan = buildPlan(parsePlatformConfig(raw).config, "egresstest");
    const appPlan = plan.apps[0];
    const rendered = egressContainer(plan);

    const appNet = await network(appPlan.network.dockerName, appPlan.network.subnet, true);
    const outbound = await network(plan.networks.outbound.dockerName, plan.networks.outbound.subnet, false);
    const internetSubnet = await freeCidr(docker, 28, "192.0.2.0/24");
    const internet = await network(`${PREFIX}-internet`, internetSubnet, false);
    originIp = internetSubnet.replace(/\.\d+\/28$/, (m) => `.${Number(m.slice(1, -3)) + 10}`);

    // the origin: reachable as origin.<root> on the "internet", and as internal.<root> on the outbound network
    const origin = await docker.createContainer({
      name: `${PREFIX}-origin`, Image: ORIGIN_IMAGE, User: "65534:65534", Labels: { "egress-test": PREFIX },
      HostConfig: { NetworkMode: internet.id },
      NetworkingConfig: { EndpointsConfig: { [internet.id]: { IPAMConfig: { IPv4Address: originIp }, Aliases: [`origin.${ROOT}`] } } },
    });
    created.containers.push(origin);
    await outbound.connect({ Container: origin.id, EndpointConfig: { Aliases: [`internal.${ROOT}`] } });
    await origin.start();

    // the proxy, from the component's ContainerInputs; the config goes into its volume through the
    // upload seed (created, never started) before the proxy is created, as the component wires it
    const spec = rendered.spec;
    created.volumes.push(...spec.volumes.map((v) => v.volumeName));
    for (const v of spec.volumes) await docker.createVolume({ Name: v.volumeName, Labels: { "egress-test": PREFIX } });
    seed = await docker.createContainer(seedCreateBody(seedContainer(spec)));
    created.containers.push(seed);
    uploads = uploadsTar(rendered.uploads);
    await seed.putArchive(uploads, { path: "/" });
    egress = await docker.createContainer(createBody(spec, spec.networksAdvanced[0].ipv4Address));
    created.containers.push(egress);
    for (const attachment of spec.networksAdvanced.slice(1)) {
      await appNet.connect({ Container: egress.id, EndpointConfig: { IPAMConfig: { IPv4Address: attachment.ipv4Address }, Aliases: attachment.aliases } });
    }
    // the test "internet": in production the outbound network's gateway leads there
    await internet.connect({ Container: egress.id });
    await egress.start();

    // the app, with the proxy env the platform gives it
    app = await docker.createContainer({
      name: appPlan.containerName, Image: APP_IMAGE, User: `${appPlan.uid}:${appPlan.uid}`, Labels: { "egress-test": PREFIX },
      Env: Object.entries(appPlatformEnv(plan, appPlan)).map(([k, v]) => `${k}=${v}`),
      HostConfig: { NetworkMode: appNet.id, CapDrop: ["ALL"] },
      NetworkingConfig: { EndpointsConfig: { [appNet.id]: { IPAMConfig: { IPv4Address: appPlan.ip } } } },
    });
    created.containers.push(app);
    await app.start();
  });

  after(async () => {
    for (const c of created.containers.reverse()) await c.remove({ force: true }).catch(() => undefined);
    for (const v of created.volumes) await docker.getVolume(v).remove().catch(() => undefined);
    for (const n of created.networks.reverse()) await n.remove().catch(() => undefined);
  });

  it("becomes healthy through its own healthcheck, running as proxy with no capabilities", { timeout: 60_000 }, async () => {
    const deadline = Date.now() + 45_000;
    let status = "";
    while (Date.now() < deadline) {
      const info = await egress.inspect();
      status = info.State.Health?.Status ?? info.State.Status;
      if (status === "healthy" || !info.State.Running) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(status, "healthy", (await egress.logs({ stdout: true, stderr: true, tail: 30 })).toString());
    const proc = await exec(egress, ["bash", "-c", "id -u; grep -E '^CapEff' /proc/1/status; touch /etc/x 2>&1 || true"]);
    assert.match(proc.out, /^13\n/);
    assert.match(proc.out, /CapEff:\s+0000000000000000/);
    assert.match(proc.out, /Read-only file system/);
  });

  it("gets its config only through the seed: Docker refuses the upload into the read-only proxy, the seed never runs", { timeout: 30_000 }, async () => {
    await assert.rejects(egress.putArchive(uploads, { path: "/" }), /read-only/, "uploads into a read-only root filesystem are refused");
    const info = await seed.inspect();
    assert.equal(info.State.Status, "created", "the seed is never started");
    assert.equal(info.HostConfig.NetworkMode, "none");
    assert.equal(info.HostConfig.ReadonlyRootfs, false);
    assert.deepEqual(Object.keys(info.NetworkSettings.Networks), ["none"]);
    const conf = await exec(egress, ["stat", "-c", "%u:%g %a", SQUID_CONF_FILE]);
    assert.equal(conf.out.trim(), "0:0 444", "the config the seed wrote is root-owned and read-only in the proxy");
  });

  it("carries the app's whitelisted request to the origin, via the app's HTTP_PROXY", { timeout: 30_000 }, async () => {
    const res = await exec(app, ["timeout", "10", "wget", "-q", "-O", "-", `http://origin.${ROOT}:8080/healthz`]);
    assert.equal(res.code, 0, res.out);
    assert.equal(res.out.trim(), "ok");
  });

  it("denies a name off the whitelist, a whitelisted name on an internal address, and IP literals", { timeout: 30_000 }, async () => {
    for (const url of [`http://other.${ROOT}:8080/healthz`, `http://internal.${ROOT}:8080/healthz`, `http://${originIp}:8080/healthz`]) {
      const res = await exec(app, ["timeout", "10", "wget", "-q", "-O", "-", url]);
      assert.notEqual(res.code, 0, url);
      assert.match(res.out, /403/, url);
    }
  });

  it("cannot reach the origin without the proxy (the app network is internal)", { timeout: 30_000 }, async () => {
    const res = await exec(app, ["timeout", "5", "wget", "-q", "-Y", "off", "-O", "-", `http://${originIp}:8080/healthz`]);
    assert.notEqual(res.code, 0);
  });

  it("logs each decision as JSON on stdout, naming the app by its source address", { timeout: 30_000 }, async () => {
    const appPlan = plan.apps[0];
    const logs = (await egress.logs({ stdout: true, stderr: false })).toString("utf8");
    const lines = logs.split("\n").map((l) => l.replace(/^[\s\S]{8}(?=\{)/, "")).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    const fromApp = lines.filter((l) => l.client === appPlan.ip);
    assert.ok(fromApp.length >= 4, logs);
    for (const line of fromApp) assert.equal(line.app, appPlan.config.name);
    assert.deepEqual(fromApp.map((l) => l.rule).sort(), ["allowed", "internal-destination", "ip-literal", "not-whitelisted"]);
    assert.ok(!lines.some((l) => l.client === "127.0.0.1"), "healthcheck probes are not logged");
  });
});
