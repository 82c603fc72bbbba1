// Direct connection attempts from the kernel's counters in an app's network namespace: parsing
// /proc/net/snmp (pure), the watch when the counters cannot be read (never zeros), and real containers
// that connect to an address outside their network: on a platform-style app network (internal, no bridge
// address), with no route at all, quiet, restarted by their restart policy, on the host's network, and
// through observeApp.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import Docker from "dockerode";
import { DEFAULT_RULES } from "../config/monitor";
import { PLATFORM_LABEL } from "../plan/names";
import { dockerUnavailableSync } from "../sandbox/docker-availability";
import { execIn } from "../sandbox/exec";
import { parseSnmp, watchNetworkCounters } from "../admission/network-counters";
import { observeApp, type Observation } from "../admission/observe";
import type { NetworkCounters } from "../admission/report/model";

const IMAGE = "platform/busybox:dev";

/** /proc/net/snmp of the Docker host these tests were written on (kernel 6.18), with OutNoRoutes 7 instead of its 0 so a wrong column shows. */
const HOST_SNMP = `Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits
Ip: 1 64 86669 0 0 12875 0 0 73794 63520 0 7 0 0 0 0 0 2 0 76327
Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps
Icmp: 202 0 0 202 0 0 0 0 0 0 0 0 0 0 201 0 0 0 201 0 0 0 0 0 0 0 0 0 0
IcmpMsg: InType3 OutType3
IcmpMsg: 202 201
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 1736 1027 108 54 0 72158 60697 8 0 562 0
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 1236 198 0 1447 0 0 0 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
UdpLite: 0 0 0 0 0 0 0 0 0
`;

test("parseSnmp: OutNoRoutes, AttemptFails and ActiveOpens by column name from the kernel's text", () => {
  assert.deepEqual(parseSnmp(HOST_SNMP), { noRoute: 7, failedConnects: 108, connectsOpened: 1736 });
  // a newer kernel's extra columns and tables, and columns in another order, change nothing
  const reordered = HOST_SNMP.replace(
    /^Tcp: .*\nTcp: .*$/m,
    "Tcp: AttemptFails RtoAlgorithm ActiveOpens FutureCounter\nTcp: 108 1 1736 99\nFuture: A B\nFuture: 1 2",
  ).replace(/^(Ip: Forwarding.*)$/m, "$1 OutExtra").replace(/^(Ip: 1 64 .*)$/m, "$1 5");
  assert.deepEqual(parseSnmp(reordered), { noRoute: 7, failedConnects: 108, connectsOpened: 1736 });
  assert.deepEqual(parseSnmp(HOST_SNMP.replace(/\n/g, "  \n\n")), parseSnmp(HOST_SNMP), "blank lines and trailing whitespace are not pairs");
});

test("parseSnmp: undefined for text that is not the kernel's, never zeros", () => {
  const broken: [string, string][] = [
    ["", "empty"],
    ["garbage\n", "one line"],
    [HOST_SNMP.replace(/^Tcp: 1 200 .*$/m, "Tcp: 1 200"), "fewer values than names"],
    [HOST_SNMP.replace(/^Tcp: 1 200 120000 -1 1736/m, "Tcp: 1 200 120000 -1 x"), "a counter that is not a number"],
    [HOST_SNMP.replace(/^Ip: 1 64 86669 0 0 12875 0 0 73794 63520 0 7/m, "Ip: 1 64 86669 0 0 12875 0 0 73794 63520 0 -7"), "a negative count"],
    [HOST_SNMP.replace(/^Tcp: .*\nTcp: .*\n/m, ""), "no Tcp table"],
    [HOST_SNMP.replace(/^Ip: 1 64/m, "Udp: 1 64"), "a value line of another table"],
    [HOST_SNMP.split("\n").slice(1).join("\n"), "pairs shifted by a missing header"],
    [HOST_SNMP.replace(" OutNoRoutes ", " OutNoRoute "), "a renamed counter"],
  ];
  for (const [text, why] of broken) assert.equal(parseSnmp(text), undefined, why);
});

/** A stand-in engine client: inspect answers with `state`; anything else fails the test. */
function fakeEngine(id: string, pid: number, modem: object = { socketPath: "/var/run/docker.sock" }): Docker {
  return {
    modem,
    getContainer: () => ({ inspect: async () => ({ Id: id, State: { Running: true, Pid: pid, StartedAt: new Date(Date.now() - 60_000).toISOString() } }) }),
  } as unknown as Docker;
}

test("the watch when the counters cannot be read: unknown with one problem that says why, not zeros", async () => {
  const soon = () => Date.now() + 1200;
  // an engine elsewhere: its pids mean nothing here, so nothing is read (getContainer would throw)
  const remote = await watchNetworkCounters({ modem: { host: "10.1.2.3", port: 2375, protocol: "http" } } as unknown as Docker, { container: "abc", untilMs: soon() });
  assert.deepEqual(remote, {
    problems: ["direct connection attempts are unknown: the Docker engine is at http://10.1.2.3:2375, and container abc's network counters can be read only on the engine's own host (run the admission there)"],
  });
  // a pid that is on no process here (an engine in another pid namespace or on another host)
  const absent = await watchNetworkCounters(fakeEngine("c0ffee", 2 ** 30), { container: "c0ffee", untilMs: soon(), intervalMs: 200 });
  assert.equal(absent.counters, undefined);
  assert.deepEqual(absent.problems, [`direct connection attempts are unknown: no network counters of container c0ffee were read: process ${2 ** 30} is not on this host (ENOENT; the engine is not on this host?)`]);
  // a pid that is some other process here: this test's own
  const other = await watchNetworkCounters(fakeEngine("c0ffee", process.pid), { container: "c0ffee", untilMs: soon() });
  assert.equal(other.counters, undefined);
  assert.deepEqual(other.problems, [`direct connection attempts are unknown: process ${process.pid} on this host is not the container's (its cgroup does not name it): the engine runs in another pid namespace or on another host`]);
  await assert.rejects(watchNetworkCounters(fakeEngine("c", 1), { container: "c", untilMs: soon(), intervalMs: 0 }), /intervalMs 0 is not a whole number of milliseconds from 10/);
});

// ---- against the real engine and kernel

const unavailable = dockerUnavailableSync([IMAGE]) ?? (process.getuid?.() === 0 ? undefined : "reading another process's /proc/<pid>/net needs root");

describe("direct connection attempts of real containers", { skip: unavailable, timeout: 90_000 }, () => {
  const docker = new Docker();
  const run = `netc-${randomBytes(3).toString("hex")}`;
  const labels = { [PLATFORM_LABEL.stack]: run };
  const appNetwork = `${run}-app`;
  const otherNetwork = `${run}-other`;
  let targetAddress = "";
  const results: Record<string, { counters?: NetworkCounters; problems: string[] }> = {};
  let observation: Observation;
  const WINDOW_MS = 7000;

  const create = (name: string, cmd: string, hostConfig: Docker.HostConfig) =>
    docker.createContainer({ name: `${run}-${name}`, Image: IMAGE, Cmd: ["sh", "-c", cmd], Labels: labels, HostConfig: { Memory: 32 * 1024 * 1024, PidsLimit: 32, ...hostConfig } });
  const started = async (name: string, hostConfig: Docker.HostConfig) => {
    const container = await create(name, "exec sleep 300", hostConfig);
    await container.start();
    return container;
  };
  const attempt = async (container: Docker.Container, script: string) => {
    const result = await execIn(container, ["sh", "-c", script], { timeoutMs: 20_000 });
    assert.equal(result.timedOut, false, `${script}: ${result.stderr}`);
  };

  before(async () => {
    // an app network as render/networks.ts makes it: internal, and no address of the host on its bridge
    await docker.createNetwork({ Name: appNetwork, Internal: true, Labels: labels, Options: { "com.docker.network.bridge.inhibit_ipv4": "true", "com.docker.network.bridge.enable_ip_masquerade": "false" } });
    // the address the apps try to reach directly: a container on a second network, as a backend service would be
    await docker.createNetwork({ Name: otherNetwork, Internal: true, Labels: labels });
    const target = await started("target", { NetworkMode: otherNetwork });
    targetAddress = (await target.inspect()).NetworkSettings.Networks[otherNetwork].IPAddress;
    assert.match(targetAddress, /^\d+\.\d+\.\d+\.\d+$/);
    const connect = (wait: number) => `nc -w ${wait} ${targetAddress} 80 </dev/null`;

    const direct = await started("direct", { NetworkMode: appNetwork });
    const unrouted = await started("unrouted", { NetworkMode: "none" });
    const quiet = await started("quiet", { NetworkMode: appNetwork });
    const host = await started("host", { NetworkMode: "host" });
    const observed = await started("observed", { NetworkMode: "none" });
    // each run connects twice at once (no sample sees the namespace before), then exits 3; restarted once
    const restarting = await create("restarting", `${connect(1)}; ${connect(1)}; sleep 2; exit 3`, { NetworkMode: "none", RestartPolicy: { Name: "on-failure", MaximumRetryCount: 1 } });

    const fromMs = Date.now();
    const watch = (name: string, container: Docker.Container, windowMs = WINDOW_MS) =>
      watchNetworkCounters(docker, { container: container.id, fromMs, untilMs: fromMs + windowMs }).then((result) => {
        results[name] = result;
      });
    const watches = [watch("direct", direct), watch("unrouted", unrouted), watch("quiet", quiet), watch("restarting", restarting), watch("host", host, 1500)];
    const observing = observeApp(docker, { app: "observed", container: observed.id, durationMs: 2500, rules: DEFAULT_RULES }).then((result) => {
      observation = result;
    });
    await restarting.start();
    await new Promise((resolve) => setTimeout(resolve, 600)); // the watches' first samples are taken
    await Promise.all([
      // in parallel: ARP for the network's gateway address fails after about 3 s for all three
      attempt(direct, `for i in 1 2 3; do ${connect(6)} & done; wait`),
      attempt(unrouted, `for i in 1 2 3; do ${connect(2)}; done`),
      attempt(observed, `for i in 1 2; do ${connect(2)}; done`),
    ]);
    await Promise.all([...watches, observing]);
  });

  after(async () => {
    const containers = await docker.listContainers({ all: true, filters: { label: [`${PLATFORM_LABEL.stack}=${run}`] } });
    await Promise.all(containers.map((info) => docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined)));
    await Promise.all([appNetwork, otherNetwork].map((name) => docker.getNetwork(name).remove().catch(() => undefined)));
  });

  test("on a platform-style app network: Docker's default route via the absent gateway, so EHOSTUNREACH (failed, opened), not OutNoRoutes", () => {
    const { counters, problems } = results.direct;
    // the three connects to one address:port from three source ports are one off-network destination, seen in SYN_SENT
    assert.deepEqual(counters, { noRoute: 0, failedConnects: 3, connectsOpened: 3, offNetwork: [{ protocol: "tcp", remote: `${targetAddress}:80`, states: ["SYN_SENT"] }] }, problems.join("; "));
    assert.deepEqual(problems, []);
  });

  test("in a namespace with no route: ENETUNREACH before any packet, counted as no route only", () => {
    // ENETUNREACH comes back from connect() at once: no socket is ever in the table
    assert.deepEqual(results.unrouted, { counters: { noRoute: 3, failedConnects: 0, connectsOpened: 0, offNetwork: [] }, problems: [] });
  });

  test("a quiet app: zeros, measured (not unknown)", () => {
    assert.deepEqual(results.quiet, { counters: { noRoute: 0, failedConnects: 0, connectsOpened: 0, offNetwork: [] }, problems: [] });
  });

  test("restarted by its restart policy: each run's fresh namespace counts from zero and the runs add up", async () => {
    const { counters, problems } = results.restarting;
    const info = await docker.getContainer(`${run}-restarting`).inspect();
    assert.equal(info.RestartCount, 1, "restarted once within the window");
    assert.deepEqual(counters, { noRoute: 4, failedConnects: 0, connectsOpened: 0, offNetwork: [] }, problems.join("; "));
    assert.match(problems.join("\n"), /^container \S+ ran in 2 network namespaces during the window \(restarts\): .* lower bounds$/m);
  });

  test("a container on the host's network: unknown, since its counters would be the host's", () => {
    assert.deepEqual(results.host, {
      problems: ["direct connection attempts are unknown: the container shares this host's network namespace (network mode host): its counters would be the host's"],
    });
  });

  test("observeApp reports the attempts of its window under network", () => {
    assert.deepEqual(observation.network, { noRoute: 2, failedConnects: 0, connectsOpened: 0, offNetwork: [] }, observation.problems.join("; "));
    assert.equal(observation.problems.some((problem) => problem.startsWith("direct connection attempts")), false);
  });
});
