// Sandbox fidelity: each container/network field the platform declares is created in the real Docker
// engine through sandbox/provider-mirror and read back with `docker inspect`, then compared with the input.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { tlsUploads } from "../render/hardening";
import { idleApp } from "./support/idle-app";
import { ProviderMirror } from "../sandbox/provider-mirror/docker-resources";
import { freeCidr } from "../sandbox/provider-mirror/free-subnet";
import { parseGoDuration } from "../sandbox/provider-mirror/go-duration";
import { SANDBOX_LABEL } from "../sandbox/provider-mirror/labels";
import { staticProbeBind } from "../sandbox/provider-mirror/probe-mount";
import { STATIC_PROBE_DIR } from "../sandbox/probes/static-runner";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execIn } from "../sandbox/exec";
import { dockerUnavailableSync, RUNSC_ABSENT, runscRegistered } from "../sandbox/docker-availability";

const docker = new Docker();
const IMAGE = "platform/busybox:dev";
const runId = `fidelity-${process.pid}-${randomBytes(3).toString("hex")}`;
const prefix = `sbxfid-${randomBytes(3).toString("hex")}`;

const skipReason = dockerUnavailableSync([IMAGE]);

describe("sandbox engine fidelity (real Docker mirror)", { skip: skipReason, timeout: 180_000 }, () => {
  const mirror = new ProviderMirror(runId, docker);
  let subnet: string;
  let networkName: string;
  let hosts: (offset: number) => string;

  before(async () => {
    subnet = await freeCidr(docker, 24, "10.240.0.0/12");
    const base = subnet.split("/")[0].split(".").slice(0, 3).join(".");
    hosts = (offset) => `${base}.${offset}`;
    networkName = `${prefix}-net`;
  });

  after(async () => {
    await mirror.teardown();
  });

  const networkInputs = () => ({
    name: networkName,
    driver: "bridge",
    internal: true,
    attachable: false,
    ipamConfigs: [{ subnet, gateway: hosts(1), ipRange: `${hosts(128)}/25` }],
    options: { "com.docker.network.bridge.enable_icc": "true", "com.docker.network.bridge.enable_ip_masquerade": "false" },
    labels: [{ label: "platform.stack", value: "fidelity" }],
  });

  it("network: name, driver, internal, IPAM subnet/gateway/ipRange, options, labels", async () => {
    const declared = networkInputs();
    const id = await mirror.createNetwork("fidelity-net", declared);
    const info = await docker.getNetwork(id).inspect();
    assert.equal(info.Name, declared.name);
    assert.equal(info.Driver, "bridge");
    assert.equal(info.Internal, true);
    assert.equal(info.Attachable, false);
    assert.deepEqual(info.IPAM?.Config, [{ Subnet: subnet, Gateway: hosts(1), IPRange: `${hosts(128)}/25` }]);
    for (const [key, value] of Object.entries(declared.options)) assert.equal(info.Options?.[key], value, `option ${key}`);
    assert.equal(info.Labels?.["platform.stack"], "fidelity");
    assert.equal(info.Labels?.[SANDBOX_LABEL], runId);
  });

  // The platform's own renderer produces the declared container, so the test covers exactly what it uses.
  const declaredApp = (name: string, runtime?: "runsc") => {
    // The hardened inputs leave networkMode to the provider's default ("bridge", which it disconnects
    // before connecting networksAdvanced): see the test below for what a networkMode naming the same network does.
    return idleApp({
      name,
      image: IMAGE,
      hostname: "fidelity-app",
      uid: 20123,
      env: { HELLO: "world", MULTI: "a=b" },
      labels: { "platform.role": "app", "platform.app": "fidelity" },
      resources: { memoryMb: 96, cpus: 0.25, maxProcesses: 42 },
      healthcheck: { command: ["CMD-SHELL", "kill -0 1"], intervalSeconds: 7, timeoutSeconds: 3, retries: 4, startPeriodSeconds: 2 },
      network: networkName,
      ip: hosts(runtime ? 5 : 4),
      aliases: [`alias-${name}`],
      extraTmpfs: { "/run/app": "rw,noexec,nosuid,size=1m" },
      runtime,
    });
  };

  it("container: every hardening field the platform renders round-trips through docker inspect", async () => {
    const declared = declaredApp(`${prefix}-app`);
    const created = await mirror.createContainer("fidelity-app", declared);
    const info = await docker.getContainer(created.id).inspect();
    const host = info.HostConfig as Docker.HostConfig & Record<string, any>;
    assert.equal(info.Name, `/${declared.name}`);
    assert.equal(info.Config.Image, declared.image);
    assert.equal(info.Config.Hostname, declared.hostname);
    assert.equal(info.Config.User, declared.user);
    assert.deepEqual(info.Config.Cmd, declared.command);
    for (const env of declared.envs) assert.ok(info.Config.Env.includes(env), `env ${env}`);
    for (const { label, value } of declared.labels) assert.equal(info.Config.Labels[label], value, `label ${label}`);
    assert.deepEqual(host.CapDrop, declared.capabilities.drops);
    assert.deepEqual(host.CapAdd ?? [], declared.capabilities.adds);
    assert.equal(host.Privileged, false);
    assert.equal(host.ReadonlyRootfs, true);
    assert.deepEqual(host.Tmpfs, declared.tmpfs);
    assert.deepEqual(host.SecurityOpt, declared.securityOpts);
    assert.equal(host.IpcMode, declared.ipcMode);
    assert.equal(host.Memory, declared.memory * 1024 * 1024, "memory is in MB");
    assert.equal(host.MemorySwap, declared.memorySwap * 1024 * 1024, "memorySwap is in MB");
    assert.equal(host.NanoCpus, Number(declared.cpus) * 1e9);
    assert.deepEqual(
      host.Ulimits,
      declared.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
    );
    assert.deepEqual(host.RestartPolicy, { Name: declared.restart, MaximumRetryCount: declared.maxRetryCount });
    assert.deepEqual(info.Config.Healthcheck, {
      Test: declared.healthcheck.tests,
      Interval: parseGoDuration(declared.healthcheck.interval),
      Timeout: parseGoDuration(declared.healthcheck.timeout),
      StartPeriod: parseGoDuration(declared.healthcheck.startPeriod),
      Retries: declared.healthcheck.retries,
    });
    assert.equal(info.Config.Healthcheck?.Interval, 7e9, "durations are nanoseconds");
    assert.equal(host.NetworkMode, "bridge", "the provider's default network_mode");
    assert.deepEqual(Object.keys(info.NetworkSettings.Networks), [networkName], "only the declared network: bridge was disconnected");
    const endpoint = info.NetworkSettings.Networks[networkName];
    assert.equal(endpoint.IPAMConfig?.IPv4Address, declared.networksAdvanced[0].ipv4Address);
    assert.equal(endpoint.IPAddress, declared.networksAdvanced[0].ipv4Address, "the static address is the one in use");
    assert.ok(endpoint.Aliases?.includes(`alias-${declared.name}`), `aliases ${endpoint.Aliases}`);
    assert.deepEqual(host.LogConfig, { Type: declared.logDriver, Config: declared.logOpts });
    assert.equal(host.PublishAllPorts, false);
    assert.equal(host.Runtime, "runc");
    assert.equal(info.State.Running, true);
    // the limits are in force for the process, not only in the config
    const limits = await execIn(docker.getContainer(created.id), ["sh", "-c", "id -u; ulimit -u; ulimit -i; ulimit -n; cat /sys/fs/cgroup/memory/memory.limit_in_bytes"]);
    assert.deepEqual(limits.stdout.trim().split("\n"), ["20123", "42", "256", "1024", String(96 * 1024 * 1024)]);
  });

  it("container: runtime runsc starts under gVisor and keeps the static address", async (t) => {
    if (!runscRegistered()) return t.skip(RUNSC_ABSENT);
    const declared = declaredApp(`${prefix}-gvisor`, "runsc");
    const created = await mirror.createContainer("fidelity-gvisor", declared);
    const info = await docker.getContainer(created.id).inspect();
    assert.equal(info.HostConfig.Runtime, "runsc");
    assert.equal(info.NetworkSettings.Networks[networkName].IPAddress, hosts(5));
    const kernel = await execIn(docker.getContainer(created.id), ["sh", "-c", "uname -r; dmesg 2>/dev/null | head -1"]);
    assert.match(kernel.stdout, /^4\.4\.0/, `gVisor reports its own kernel: ${kernel.stdout}`);
  });

  it("networkMode naming the same network as networksAdvanced: Docker drops the static address and aliases (as with the provider)", async () => {
    const declared = { ...declaredApp(`${prefix}-mode`), networkMode: networkName, networksAdvanced: [{ name: networkName, ipv4Address: hosts(8), aliases: ["mode-alias"] }] };
    const created = await mirror.createContainer("fidelity-mode", declared);
    const info = await docker.getContainer(created.id).inspect();
    const endpoint = info.NetworkSettings.Networks[networkName];
    assert.equal(info.HostConfig.NetworkMode, networkName);
    assert.notEqual(endpoint.IPAddress, hosts(8), "the endpoint made at create time (dynamic address) wins");
    assert.ok(!(endpoint.Aliases ?? []).includes("mode-alias"));
  });

  it("uploads: file, permissions, owner and group land in the container before start", async () => {
    const volume = await mirror.createVolume("fidelity-tls", { name: `${prefix}-tls`, driver: "local", labels: [{ label: "platform.role", value: "app" }] });
    const uploads = tlsUploads({ ca: "CA PEM\n", cert: "CERT PEM\n", key: "KEY PEM\n" }, 20123);
    const created = await mirror.createContainer("fidelity-upload", {
      ...declaredApp(`${prefix}-upload`),
      readOnly: false, // see the next test: the provider cannot upload into a read-only container
      networksAdvanced: [{ name: networkName, ipv4Address: hosts(6) }],
      volumes: [{ volumeName: volume, containerPath: "/etc/platform/tls", readOnly: false }],
      uploads,
    });
    const info = await docker.getContainer(created.id).inspect();
    assert.deepEqual(info.HostConfig.Binds, [`${volume}:/etc/platform/tls:rw`]);
    const listing = await execIn(docker.getContainer(created.id), ["sh", "-c", "for f in ca cert key; do stat -c '%n %a %u %g' /etc/platform/tls/$f.pem; cat /etc/platform/tls/$f.pem; done"]);
    const lines = listing.stdout.trim().split("\n");
    uploads.forEach((upload, i) => {
      assert.equal(lines[i * 2], `${upload.file} ${Number.parseInt(upload.permissions, 8).toString(8)} ${upload.owner} ${upload.group}`);
      assert.equal(lines[i * 2 + 1], upload.content.trim());
    });
  });

  // The one difference from production (docs/sandbox.md): a mirror given a static probe directory adds
  // it, read-only, to app containers only. Declared and created settings must differ by exactly that.
  it("sandbox-only probe mount: an app gets exactly the declared binds plus build/ read-only at /opt/platform-probe; nothing else changes", async () => {
    const probeDir = mkdtempSync(join(tmpdir(), "fidelity-probe-"));
    const nonce = randomBytes(6).toString("hex");
    writeFileSync(join(probeDir, "platform-probe"), nonce, { mode: 0o644 });
    chmodSync(probeDir, 0o777); // writable for the app's UID but for the read-only mount
    try {
      const probeMirror = new ProviderMirror(runId, docker, { staticProbeDir: probeDir }); // same run: the teardown removes its containers
      const volume = await mirror.createVolume("fidelity-probe-vol", { name: `${prefix}-probe-vol`, driver: "local" });
      const declared = { ...declaredApp(`${prefix}-probe-app`), networksAdvanced: [{ name: networkName, ipv4Address: hosts(8) }], volumes: [{ volumeName: volume, containerPath: "/data", readOnly: true }] };
      const created = await probeMirror.createContainer("fidelity-probe-app", declared);
      assert.deepEqual(created.sandboxOnly, [staticProbeBind(probeDir)]);
      const info = await docker.getContainer(created.id).inspect();
      assert.deepEqual(info.HostConfig.Binds, [`${volume}:/data:ro`, ...created.sandboxOnly], "the declared bind, then only the sandbox's");
      // everything else is as without it: the same plan but for that one bind
      const plain = await mirror.createContainer("fidelity-probe-plain", { ...declared, name: `${prefix}-probe-plain`, networksAdvanced: [{ name: networkName, ipv4Address: hosts(9) }] });
      const plainInfo = await docker.getContainer(plain.id).inspect();
      assert.deepEqual(plain.sandboxOnly, []);
      const { Binds: withProbe, ...restWith } = info.HostConfig;
      const { Binds: without, ...restWithout } = plainInfo.HostConfig;
      assert.deepEqual(withProbe?.filter((b) => !created.sandboxOnly.includes(b)), without);
      assert.deepEqual(restWith, restWithout);
      const mount = info.Mounts.find((m) => m.Destination === STATIC_PROBE_DIR);
      assert.equal(mount?.RW, false, "read-only");
      const inside = await execIn(docker.getContainer(created.id), ["sh", "-c", `cat ${STATIC_PROBE_DIR}/platform-probe; touch ${STATIC_PROBE_DIR}/x 2>&1; true`]);
      assert.match(inside.stdout, new RegExp(`^${nonce}.*Read-only file system`, "s"));
      // not an app: nothing added; an app that mounts something there itself: nothing added either
      const { labels: _labels, ...service } = declaredApp(`${prefix}-probe-svc`);
      const svc = await probeMirror.createContainer("fidelity-probe-svc", { ...service, labels: [{ label: "platform.role", value: "service" }], networksAdvanced: [{ name: networkName, ipv4Address: hosts(10) }] });
      assert.deepEqual(svc.sandboxOnly, []);
      assert.equal((await docker.getContainer(svc.id).inspect()).HostConfig.Binds, null);
      const own = await probeMirror.createContainer("fidelity-probe-own", { ...declared, name: `${prefix}-probe-own`, networksAdvanced: [{ name: networkName, ipv4Address: hosts(11) }], volumes: [{ volumeName: volume, containerPath: STATIC_PROBE_DIR, readOnly: true }] });
      assert.deepEqual(own.sandboxOnly, []);
      assert.deepEqual((await docker.getContainer(own.id).inspect()).HostConfig.Binds, [`${volume}:${STATIC_PROBE_DIR}:ro`]);
    } finally {
      rmSync(probeDir, { recursive: true, force: true });
    }
  });

  it("uploads into a read-only root filesystem fail exactly as with the provider (CopyToContainer to /)", async () => {
    const volume = await mirror.createVolume("fidelity-tls-ro", { name: `${prefix}-tls-ro`, driver: "local" });
    await assert.rejects(
      mirror.createContainer("fidelity-upload-ro", {
        ...declaredApp(`${prefix}-upload-ro`),
        networksAdvanced: [{ name: networkName, ipv4Address: hosts(7) }],
        volumes: [{ volumeName: volume, containerPath: "/etc/platform/tls", readOnly: false }],
        uploads: tlsUploads({ ca: "a", cert: "b", key: "c" }, 20123),
      }),
      /fidelity-upload-ro: Unable to upload volume content \(\/etc\/platform\/tls\/ca\.pem\): container rootfs is marked read-only/,
    );
  });

  it("the negative control's fields: privileged, host PID, NET_RAW, a host bind mount, no limits", async () => {
    // created, not started: this host's dockerd lacks CAP_SYS_RESOURCE, so a privileged container cannot start here
    const created = await mirror.createContainer("fidelity-insecure", {
      start: false,
      name: `${prefix}-insecure`,
      image: IMAGE,
      command: ["sleep", "60"],
      privileged: true,
      pidMode: "host",
      capabilities: { adds: ["NET_RAW", "SYS_ADMIN"] },
      volumes: [{ hostPath: "/etc/hostname", containerPath: "/host/hostname", readOnly: true }],
      networkMode: networkName,
    });
    const info = await docker.getContainer(created.id).inspect();
    assert.equal(info.HostConfig.Privileged, true);
    assert.equal(info.HostConfig.PidMode, "host");
    assert.deepEqual(info.HostConfig.CapAdd, ["NET_RAW", "SYS_ADMIN"]);
    assert.deepEqual(info.HostConfig.Binds, ["/etc/hostname:/host/hostname:ro"]);
    assert.equal(info.HostConfig.Memory, 0);
    assert.equal(info.HostConfig.NanoCpus, 0);
    assert.equal(info.HostConfig.NetworkMode, networkName);
    assert.equal(info.HostConfig.RestartPolicy?.Name, "no", "the provider's default restart policy");
  });

  it("the remaining mapped fields: entrypoints, workingDir, hosts, dns, shmSize, memoryReservation, cpuShares, sysctls, groupAdds, stop signal/timeout, init", async () => {
    const created = await mirror.createContainer("fidelity-misc", {
      start: false,
      name: `${prefix}-misc`,
      image: IMAGE,
      entrypoints: ["/bin/sh", "-c"],
      command: ["sleep 60"],
      workingDir: "/tmp",
      hosts: [{ host: "origin.example.test", ip: hosts(50) }],
      dns: ["10.0.0.53"],
      dnsSearches: ["platform.test"],
      shmSize: 32,
      memoryReservation: 48,
      cpuShares: 256,
      sysctls: { "net.ipv4.ip_unprivileged_port_start": "1024" },
      groupAdds: ["20123"],
      stopSignal: "SIGINT",
      stopTimeout: 7,
      init: true,
      domainname: "platform.test",
      networkMode: networkName,
    });
    const info = await docker.getContainer(created.id).inspect();
    const host = info.HostConfig as Docker.HostConfig & Record<string, any>;
    assert.deepEqual(info.Config.Entrypoint, ["/bin/sh", "-c"]);
    assert.deepEqual(info.Config.Cmd, ["sleep 60"]);
    assert.equal(info.Config.WorkingDir, "/tmp");
    assert.deepEqual(host.ExtraHosts, [`origin.example.test:${hosts(50)}`]);
    assert.deepEqual(host.Dns, ["10.0.0.53"]);
    assert.deepEqual(host.DnsSearch, ["platform.test"]);
    assert.equal(host.ShmSize, 32 * 1024 * 1024, "shmSize is in MB");
    assert.equal(host.MemoryReservation, 48 * 1024 * 1024, "memoryReservation is in MB");
    assert.equal(host.CpuShares, 256);
    assert.deepEqual(host.Sysctls, { "net.ipv4.ip_unprivileged_port_start": "1024" });
    assert.deepEqual(host.GroupAdd, ["20123"]);
    assert.equal((info.Config as Record<string, any>).StopSignal, "SIGINT");
    assert.equal((info.Config as Record<string, any>).StopTimeout, 7);
    assert.equal(host.Init, true);
    assert.equal((info.Config as Record<string, any>).Domainname, "platform.test");
  });

  it("teardown removes every resource of the run, and only those", async () => {
    const foreign = await docker.createVolume({ Name: `${prefix}-foreign`, Labels: { [SANDBOX_LABEL]: `${runId}-other` } } as Docker.VolumeCreateOptions);
    try {
      const removed = await mirror.teardown();
      assert.ok(removed.some((r) => r.startsWith("container ")) && removed.some((r) => r.startsWith("network ")) && removed.some((r) => r.startsWith("volume ")), removed.join(", "));
      const left = await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABEL}=${runId}`] } });
      assert.equal(left.length, 0);
      assert.equal((await docker.listNetworks({ filters: { label: [`${SANDBOX_LABEL}=${runId}`] } })).length, 0);
      await docker.getVolume(`${prefix}-foreign`).inspect(); // still there
    } finally {
      await docker.getVolume((foreign as unknown as { Name: string }).Name ?? `${prefix}-foreign`).remove();
    }
  });
});
