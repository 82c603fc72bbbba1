// The pure part of the sandbox's provider mirror: @pulumi/docker inputs → Engine API bodies, and its refusals.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { toContainerPlan } from "../sandbox/provider-mirror/container-mapper";
import { parseCpus } from "../sandbox/provider-mirror/cpus";
import { parseGoDuration } from "../sandbox/provider-mirror/go-duration";
import { SandboxInputError } from "../sandbox/provider-mirror/input-error";
import { toNetworkCreate } from "../sandbox/provider-mirror/network-mapper";
import { checkReproducible } from "../sandbox/bringup";
import type { RecordedResource } from "../mock-runner/run-program";

const base = { name: "c1", image: "platform/busybox:dev" };

describe("container mapper", () => {
  it("refuses an input it cannot reproduce, naming the field", () => {
    assert.throws(() => toContainerPlan("app-x", { ...base, ports: [{ internal: 80 }] }, {}), (error: unknown) => {
      assert.ok(error instanceof SandboxInputError);
      assert.equal(error.path, "ports");
      assert.match(error.message, /^app-x: input ports: the sandbox cannot reproduce this input faithfully/);
      return true;
    });
    assert.throws(() => toContainerPlan("app-x", { ...base, healthcheck: { tests: ["CMD", "true"], flavour: "x" } }, {}), /input healthcheck\.flavour:/);
    assert.throws(() => toContainerPlan("app-x", { ...base, networksAdvanced: [{ name: "n", ipv4Address: "10.0.0.4", priority: 1 }] }, {}), /input networksAdvanced\[0\]\.priority:/);
    assert.throws(() => toContainerPlan("app-x", { ...base, uploads: [{ file: "/a", content: "x", owner: "app" }] }, {}), /input uploads\[0\]\.owner: "app": use a numeric id/);
    assert.throws(() => toContainerPlan("app-x", { ...base, uploads: [{ file: "/a", content: "x", contentBase64: "eA==" }] }, {}), /only one of 'content', 'content_base64', or 'source'/);
    assert.throws(() => toContainerPlan("app-x", { ...base, cpus: "0.0000000001" }, {}), /input cpus: .*too precise/);
    assert.throws(() => toContainerPlan("app-x", { ...base, healthcheck: { interval: "10 seconds" } }, {}), /input healthcheck\.interval: invalid duration/);
  });

  it("ignores unset inputs the way the provider's d.GetOk does (false, 0, empty)", () => {
    const plan = toContainerPlan("app-x", { ...base, ports: [], devices: undefined, gpus: "", shmSize: 0 }, {});
    assert.equal(plan.create.HostConfig?.ShmSize, undefined);
  });

  it("maps MB, CPU strings, durations, labels and lifecycle flags", () => {
    const plan = toContainerPlan(
      "app-x",
      {
        ...base,
        memory: 128,
        memorySwap: -1,
        memoryReservation: 64,
        cpus: "1.5",
        labels: [{ label: "a", value: "1" }],
        healthcheck: { tests: ["CMD", "true"], interval: "1m30s", timeout: "500ms", retries: 2 },
        restart: "on-failure",
        maxRetryCount: 3,
        start: false,
        volumes: [{ volumeName: "v", containerPath: "/data", readOnly: true }],
      },
      { "platform.sandbox": "run-1" },
    );
    const host = plan.create.HostConfig!;
    assert.equal(host.Memory, 128 * 1024 * 1024);
    assert.equal(host.MemorySwap, -1, "negative swap (unlimited) is passed through, not multiplied");
    assert.equal(host.MemoryReservation, 64 * 1024 * 1024);
    assert.equal(host.NanoCpus, 1_500_000_000);
    assert.deepEqual(plan.create.Labels, { a: "1", "platform.sandbox": "run-1" });
    assert.deepEqual(plan.create.Healthcheck, { Test: ["CMD", "true"], Interval: 90e9, Timeout: 500e6, StartPeriod: 0, StartInterval: 0, Retries: 2 });
    assert.deepEqual(host.RestartPolicy, { Name: "on-failure", MaximumRetryCount: 3 });
    assert.equal(host.NetworkMode, "bridge", "the provider's schema default");
    assert.deepEqual(host.Binds, ["v:/data:ro"]);
    assert.deepEqual(plan.create.Volumes, { "/data": {} });
    assert.equal(plan.start, false);
    assert.equal(plan.create.HostConfig?.Init, false);
  });

  it("maps uploads: permissions over executable, numeric owner and group", () => {
    const plan = toContainerPlan("app-x", { ...base, uploads: [{ file: "/etc/x", content: "hi", permissions: "0440", executable: true, owner: "0", group: "20001" }, { file: "/bin/y", contentBase64: "AAE=", executable: true }] }, {});
    assert.deepEqual(plan.uploads[0], { file: "/etc/x", content: Buffer.from("hi"), mode: 0o440, uid: 0, gid: 20001 });
    assert.deepEqual(plan.uploads[1], { file: "/bin/y", content: Buffer.from([0, 1]), mode: 0o744, uid: undefined, gid: undefined });
  });

  it("strips systempaths=unconfined into empty masked and read-only paths", () => {
    const host = toContainerPlan("app-x", { ...base, securityOpts: ["no-new-privileges:true", "systempaths=unconfined"] }, {}).create.HostConfig as Record<string, unknown>;
    assert.deepEqual(host.SecurityOpt, ["no-new-privileges:true"]);
    assert.deepEqual(host.MaskedPaths, []);
    assert.deepEqual(host.ReadonlyPaths, []);
  });
});

describe("network mapper", () => {
  it("maps IPAM, internal and options; refuses unknown IPAM fields", () => {
    const body = toNetworkCreate("net", { name: "n1", internal: true, ipamConfigs: [{ subnet: "10.1.0.0/24", gateway: "10.1.0.1", ipRange: "10.1.0.128/25" }], options: { a: "b" } }, { l: "v" });
    assert.deepEqual(body.IPAM, { Driver: "", Config: [{ Subnet: "10.1.0.0/24", Gateway: "10.1.0.1", IPRange: "10.1.0.128/25" }] });
    assert.equal(body.Internal, true);
    assert.deepEqual(body.Labels, { l: "v" });
    assert.throws(() => toNetworkCreate("net", { name: "n1", ipamConfigs: [{ subnet: "10.1.0.0/24", vlan: 3 }] }, {}), /net: input ipamConfigs\[0\]\.vlan:/);
  });
});

describe("Go durations and Docker CPU counts", () => {
  it("parses compound Go durations", () => {
    assert.equal(parseGoDuration("0"), 0);
    assert.equal(parseGoDuration("1h2m3s"), 3723e9);
    assert.equal(parseGoDuration("1.5s"), 1.5e9);
    assert.equal(parseGoDuration("-2ms"), -2e6);
    for (const bad of ["", "5", "1d", "s", "1s2"]) assert.throws(() => parseGoDuration(bad), /invalid duration/, bad);
  });

  it("round-trips any whole number of milliseconds and seconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 100_000 }), (ms, s) => {
        assert.equal(parseGoDuration(`${s}s${ms}ms`), s * 1e9 + ms * 1e6);
      }),
    );
  });

  it("turns CPU strings into NanoCpus exactly", () => {
    assert.equal(parseCpus("0.25"), 250_000_000);
    assert.equal(parseCpus("2"), 2_000_000_000);
    assert.equal(parseCpus("0.123456789"), 123_456_789);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64_000 }), (milli) => {
        assert.equal(parseCpus(String(milli / 1000)), milli * 1_000_000);
      }),
    );
    assert.throws(() => parseCpus("abc"));
  });
});

describe("resource types", () => {
  const resource = (type: string, custom = true): RecordedResource => ({ type, name: `r-${type}`, custom, id: "id", inputs: {}, secretInputs: [], state: {} }) as RecordedResource;

  it("accepts docker Network/Volume/Container, tls and random resources, components and providers", () => {
    checkReproducible([
      resource("docker:index/network:Network"),
      resource("docker:index/volume:Volume"),
      resource("docker:index/container:Container"),
      resource("tls:index/privateKey:PrivateKey"),
      resource("random:index/randomPassword:RandomPassword"),
      resource("platform:index:Platform", false),
      resource("pulumi:providers:docker"),
    ]);
  });

  it("refuses any other resource type before anything is created, naming it", () => {
    assert.throws(() => checkReproducible([resource("docker:index/network:Network"), resource("docker:index/remoteImage:RemoteImage")]), /r-docker:index\/remoteImage:RemoteImage: resource type docker:index\/remoteImage:RemoteImage cannot be reproduced by the engine sandbox/);
  });
});
