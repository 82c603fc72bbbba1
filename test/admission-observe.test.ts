// The admission's "observe" step: counting the proxies' lines, folding engine events and stats samples, the
// monitor's rules in report mode (pure), and observeApp against real containers: an app OOM-killed and
// restarted, one whose processes multiply, one that turns unhealthy, and stand-in proxies that print
// access-log lines in the real formats for the observed app and for others.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import Docker from "dockerode";
import { DEFAULT_RULES, type RuleSettings } from "../config/monitor";
import { PLATFORM_LABEL } from "../plan/names";
import { parseLogLine } from "../monitor/events/parse";
import type { AccessEvent } from "../monitor/events/types";
import { dockerUnavailableSync } from "../sandbox/docker-availability";
import { execIn } from "../sandbox/exec";
import { readLines } from "../admission/bounded-stream";
import { LifecycleTracker } from "../admission/container-events";
import { dryRunRules } from "../admission/dry-run-rules";
import { observeApp, type Observation } from "../admission/observe";
import { coresUsed, ResourcePeakTracker } from "../admission/resource-watch";
import { countEgress, countGateway } from "../admission/traffic";

const IMAGE = "platform/busybox:dev";
const MiB = 1024 * 1024;

// ---- access-log lines in the shapes of docs/log-formats.md (Envoy 1.40 json_format, Squid's platform format)

interface GatewayCall {
  app: string;
  service: string | null;
  status: number;
  flags?: string;
  method?: string | null;
  path?: string | null;
  details?: string;
}

/** A gateway line as the real Envoy writes it (keys sorted, nulls for values it does not have). */
function gatewayLine(call: GatewayCall, time: string): string {
  const method = call.method === undefined ? "GET" : call.method;
  return JSON.stringify({
    app: call.app,
    bytes_received: 0,
    bytes_sent: 14,
    client: "10.178.144.68",
    details: call.details ?? (call.status === 200 ? "via_upstream" : "jwt_authn_access_denied{Jwt_is_missing}"),
    duration_ms: 0,
    flags: call.flags ?? "-",
    method,
    path: call.path === undefined ? "/weather/v1/forecast" : call.path,
    peer: `spiffe://dev.platform.example/app/${call.app}`,
    request_id: method === null ? null : "e6de7ef9-46d0-4687-8560-ac538bebbf30",
    service: call.service,
    source: "gateway",
    status: call.status,
    time,
    token_client: call.status === 200 ? call.app : null,
    upstream_host: call.status === 200 ? "10.178.0.128:8080" : null,
  });
}

interface EgressRequest {
  app: string;
  host: string;
  port: string;
  status: number;
  result: string;
  rule?: string;
}

/** An egress line in the field order of render/squid/log-format.ts (`%ts.%03tu` time, port a string). */
function egressLine(request: EgressRequest, time: string): string {
  return JSON.stringify({
    source: "egress",
    time,
    app: request.app,
    client: "10.178.144.68",
    method: "CONNECT",
    host: request.host,
    port: request.port,
    url: `${request.host}:${request.port}`,
    status: request.status,
    result: request.result,
    duration_ms: 12,
    rule: request.rule ?? (request.result.includes("DENIED") ? "not-whitelisted" : "allowed"),
  });
}

const times = (count: number, make: () => string) => Array.from({ length: count }, make);

/** What the stand-in gateway prints once the observation runs: the observed apps' calls and another app's. */
const GATEWAY_CALLS = (time: string) => [
  ...times(3, () => gatewayLine({ app: "quiet", service: "weather", status: 200 }, time)),
  gatewayLine({ app: "quiet", service: "weather", status: 401 }, time),
  gatewayLine({ app: "quiet", service: "platform.identity", status: 200, method: "POST", path: "/realms/platform/protocol/openid-connect/token" }, time),
  gatewayLine({ app: "quiet", service: null, status: 403, path: "/storage/v1/buckets/other", details: "rbac_access_denied_matched_policy[none]" }, time),
  ...times(2, () => gatewayLine({ app: "quiet", service: "weather", status: 429, flags: "RL", details: "local_rate_limited" }, time)),
  gatewayLine({ app: "quiet", service: null, status: 400, flags: "DPE", method: null, path: null, details: "http1.invalid_characters" }, time),
  ...times(25, () => gatewayLine({ app: "noisy", service: "weather", status: 401 }, time)),
  ...times(4, () => gatewayLine({ app: "beta", service: "weather", status: 200 }, time)),
  ...times(30, () => gatewayLine({ app: "beta", service: "weather", status: 401 }, time)),
  "[envoy] not an access-log line",
];
const EGRESS_REQUESTS = (time: string) => [
  ...times(2, () => egressLine({ app: "quiet", host: "api.example.org", port: "443", status: 200, result: "TCP_TUNNEL" }, time)),
  egressLine({ app: "quiet", host: "updates.example.net", port: "443", status: 200, result: "TCP_TUNNEL" }, time),
  ...times(3, () => egressLine({ app: "quiet", host: "evil.example.org", port: "443", status: 403, result: "TCP_DENIED" }, time)),
  egressLine({ app: "quiet", host: "10.0.0.1", port: "22", status: 403, result: "TCP_DENIED", rule: "ip-literal" }, time),
  egressLine({ app: "quiet", host: "down.example.org", port: "443", status: 503, result: "TCP_TUNNEL" }, time),
  ...times(5, () => egressLine({ app: "beta", host: "evil.example.org", port: "443", status: 403, result: "TCP_DENIED" }, time)),
  egressLine({ app: "beta", host: "api.example.org", port: "443", status: 200, result: "TCP_TUNNEL" }, time),
];
/** Printed before the window opens: never counted. */
const GATEWAY_BEFORE = (time: string) => times(2, () => gatewayLine({ app: "quiet", service: "weather", status: 200 }, time));
const EGRESS_BEFORE = (time: string) => [egressLine({ app: "quiet", host: "api.example.org", port: "443", status: 200, result: "TCP_TUNNEL" }, time)];

const QUIET_GATEWAY = {
  byService: { "-": { "400": 1, "403": 1 }, "platform.identity": { "200": 1 }, weather: { "200": 3, "401": 1, "429": 2 } },
  total: 9,
  unauthorized: 1,
  forbidden: 1,
  rateLimited: 2,
  refused: { DPE: 1, RL: 2 },
};
const QUIET_EGRESS = {
  allowed: { "api.example.org:443": 2, "down.example.org:443": 1, "updates.example.net:443": 1 },
  denied: { "10.0.0.1:22": 1, "evil.example.org:443": 3 },
  total: 8,
  refused: { "TCP_DENIED/403": 4, "TCP_TUNNEL/503": 1 },
};

const events = (lines: string[]): AccessEvent[] =>
  lines.flatMap((line) => {
    const parsed = parseLogLine(line);
    return parsed.ok ? [parsed.event] : [];
  });

// ---- pure parts

test("gateway counts: only the app's calls, by service and status; 401, 403, 429/RL and Envoy's flags", () => {
  const t = "2026-11-30T01:28:34.548Z";
  const parsed = events(GATEWAY_CALLS(t));
  assert.equal(parsed.length, GATEWAY_CALLS(t).length - 1, "every line but the noise parses");
  assert.deepEqual(countGateway(parsed, "quiet"), QUIET_GATEWAY);
  const noisy = countGateway(parsed, "noisy");
  assert.deepEqual([noisy.total, noisy.unauthorized, noisy.byService], [25, 25, { weather: { "401": 25 } }]);
  assert.deepEqual(countGateway(parsed, "nobody"), { byService: {}, total: 0, unauthorized: 0, forbidden: 0, rateLimited: 0, refused: {} });
  // egress lines are not gateway calls
  assert.equal(countGateway(events(EGRESS_REQUESTS(t)), "quiet").total, 0);
  // a flag list counts each flag; a host or service named like an Object property is just a key
  const odd = events([gatewayLine({ app: "a", service: "__proto__", status: 503, flags: "UF,URX" }, t)]);
  const counted = countGateway(odd, "a");
  assert.deepEqual(Object.keys(counted.byService), ["__proto__"]);
  assert.deepEqual(counted.byService["__proto__"], { "503": 1 });
  assert.deepEqual(counted.refused, { UF: 1, URX: 1 });
  assert.equal(Object.getPrototypeOf(counted.byService), Object.prototype);
});

test("egress counts: allowed and denied by destination, and what Squid refused or could not reach", () => {
  const parsed = events(EGRESS_REQUESTS("1795435200.123"));
  assert.deepEqual(countEgress(parsed, "quiet"), QUIET_EGRESS);
  assert.deepEqual(countEgress(parsed, "beta"), { allowed: { "api.example.org:443": 1 }, denied: { "evil.example.org:443": 5 }, total: 6, refused: { "TCP_DENIED/403": 5 } });
  assert.equal(countEgress(events(GATEWAY_CALLS("2026-11-30T01:28:34.548Z")), "quiet").total, 0, "gateway lines are not egress requests");
});

const at = (ms: number) => ({ time: Math.floor(ms / 1000), timeNano: ms * 1e6 });
const T0 = Date.parse("2026-11-30T02:00:00Z");

test("lifecycle: restarts follow exits, a burst of oom events is one kill, health changes and exit codes", () => {
  const tracker = new LifecycleTracker();
  const event = (Action: string, ms: number, Attributes: Record<string, string> = {}) => tracker.add({ Type: "container", Action, Actor: { ID: "c", Attributes }, ...at(T0 + ms) });
  event("start", 0);
  event("health_status: healthy", 600);
  event("health_status: healthy", 1100); // no change: no transition
  for (let i = 0; i < 27; i++) event("oom", 4000 + i * 5);
  event("die", 4200, { exitCode: "137" });
  event("start", 4500);
  event("oom", 9000);
  event("oom", 9400);
  event("oom", 11000); // more than a second later: a second kill in the same run
  event("die", 11100, { exitCode: "137" });
  event("start", 11400);
  event("health_status: unhealthy", 12000);
  event("exec_start: test -f /tmp/healthy", 12100);
  event("die", 13000, { exitCode: "0" });
  tracker.add({ Type: "network", Action: "disconnect", ...at(T0 + 13100) }); // not the container's
  tracker.add("not an event");
  const iso = (ms: number) => new Date(T0 + ms).toISOString();
  assert.deepEqual(tracker.result("unhealthy"), {
    restarts: 2,
    oomKilled: 3,
    exits: [
      { at: iso(4200), code: 137 },
      { at: iso(11100), code: 137 },
      { at: iso(13000), code: 0 },
    ],
    health: { final: "unhealthy", transitions: [{ at: iso(600), status: "healthy" }, { at: iso(12000), status: "unhealthy" }] },
  });
  // a start without an exit before it in the window is the first start, not a restart
  const fresh = new LifecycleTracker(1);
  fresh.add({ Type: "container", Action: "start", ...at(T0) });
  fresh.add({ Type: "container", Action: "die", Actor: { Attributes: { exitCode: "1" } }, ...at(T0 + 1) });
  fresh.add({ Type: "container", Action: "die", Actor: { Attributes: { exitCode: "2" } }, ...at(T0 + 2) });
  assert.deepEqual([fresh.result("none").restarts, fresh.result("none").exits.length, fresh.omitted], [0, 1, 1]);
});

test("resource peaks: memory (with the cgroup v1 high-water mark), cores from consecutive samples, processes; stopped samples skipped", () => {
  const cpu = (total: number, system: number) => ({ cpu_usage: { total_usage: total }, system_cpu_usage: system, online_cpus: 2 });
  assert.equal(coresUsed(cpu(1.5e9, 11e9), cpu(0.5e9, 10e9)), 2, "1 s of CPU in 1 s of two CPUs' system time (0.5 s each): two cores");
  assert.equal(coresUsed(cpu(1e9, 11e9), undefined), undefined);
  assert.equal(coresUsed(cpu(1e8, 11e9), cpu(5e9, 10e9)), undefined, "a counter reset by a restart says nothing");
  assert.equal(coresUsed(cpu(1e9, 10e9), cpu(0, 0)), undefined, "the first sample has no previous one");
  const tracker = new ResourcePeakTracker();
  assert.equal(tracker.result(undefined), undefined, "no sample: unknown, not zero");
  tracker.add({ memory_stats: { usage: 10 * MiB, max_usage: 12 * MiB }, pids_stats: { current: 3 }, cpu_stats: cpu(2e9, 12e9), precpu_stats: cpu(1.8e9, 10e9) });
  tracker.add({ memory_stats: { usage: 20 * MiB, max_usage: 31 * MiB }, pids_stats: { current: 9 }, cpu_stats: cpu(3e9, 14e9), precpu_stats: cpu(2e9, 12e9) });
  tracker.add({ memory_stats: {}, pids_stats: {}, cpu_stats: {}, precpu_stats: {} }); // the container had stopped
  tracker.add({ memory_stats: { usage: 1 * MiB }, pids_stats: { current: 1 }, cpu_stats: cpu(1e7, 15e9), precpu_stats: cpu(0, 0) });
  tracker.add(null);
  assert.deepEqual(tracker.result(32 * MiB), { memoryPeakBytes: 31 * MiB, memoryLimitBytes: 32 * MiB, cpuPeakCores: 1, pidsPeak: 9, samples: 3 });
  assert.equal("memoryLimitBytes" in tracker.result(0)!, false, "no limit: no limit field");
});

test("dry run of the monitor's rules: a ban only above the threshold within the window, per rule, never for another app", () => {
  const t = (ms: number) => new Date(T0 + ms).toISOString();
  const unauthorized = (app: string, count: number, startMs: number, stepMs: number) => times(count, () => "").map((_, i) => gatewayLine({ app, service: "weather", status: 401 }, t(startMs + i * stepMs)));
  const rules: RuleSettings = { ...DEFAULT_RULES, authFailures: { enabled: true, threshold: 5, windowSeconds: 10 } };
  assert.deepEqual(dryRunRules(events(unauthorized("a", 5, 0, 100)), "a", rules).wouldBan, [], "exactly the threshold is not more than it");
  const six = dryRunRules(events(unauthorized("a", 6, 0, 100)), "a", rules).wouldBan;
  assert.deepEqual(six, [{ rule: "authFailures", description: "more than 5 401/403 responses at the gateway within 10s", count: 6, threshold: 5, windowSeconds: 10, firstTime: t(0), lastTime: t(500) }]);
  assert.deepEqual(dryRunRules(events(unauthorized("a", 6, 0, 2000)), "a", rules).wouldBan, [], "six spread over 10 s: at most five in any window");
  assert.deepEqual(dryRunRules(events(unauthorized("b", 50, 0, 10)), "a", rules).wouldBan, [], "another app's failures");
  assert.deepEqual(dryRunRules(events(unauthorized("a", 6, 0, 100)), "a", { ...rules, authFailures: { ...rules.authFailures, enabled: false } }).wouldBan, [], "a disabled rule");
  // held for one window after a would-be ban (as `monitor run --dry-run` does), then judged afresh
  const twice = dryRunRules(events([...unauthorized("a", 12, 0, 100), ...unauthorized("a", 6, 20_000, 100)]), "a", rules).wouldBan;
  assert.deepEqual(twice.map((ban) => ban.lastTime), [t(500), t(20_500)]);
  // the two logs interleave by time; egress denials have their own rule
  const denials = events(times(4, () => "").map((_, i) => egressLine({ app: "a", host: "evil.example.org", port: "443", status: 403, result: "TCP_DENIED" }, String((T0 + 1000 - i * 100) / 1000))));
  const egressRules: RuleSettings = { ...DEFAULT_RULES, egressDenials: { enabled: true, threshold: 3, windowSeconds: 5 } };
  const [ban] = dryRunRules(denials, "a", egressRules).wouldBan;
  assert.deepEqual([ban.rule, ban.count, ban.firstTime, ban.lastTime], ["egressDenials", 4, t(700), t(1000)]);
  assert.deepEqual(dryRunRules(denials, "a", egressRules, 0), { wouldBan: [], omitted: 1 }, "a full list counts what it leaves off");
});

test("bounded reading of an engine stream: ends at its end, at the byte, line and time limits, when told, or on an error; and destroys it", async () => {
  const read = async (limits: Partial<Parameters<typeof readLines>[0]["limits"]>, feed: (source: PassThrough) => void, stopAt?: string) => {
    const source = new PassThrough();
    const lines: string[] = [];
    const ending = readLines({ source, limits: { deadlineMs: Date.now() + 5000, maxBytes: 1000, maxLines: 1000, ...limits }, onLine: (line) => (lines.push(line), line !== stopAt) });
    feed(source);
    const end = await ending;
    return { end, lines, destroyed: source.destroyed };
  };
  const abc = (source: PassThrough) => source.end("a\nb\nc\nd");
  assert.deepEqual(await read({}, abc), { end: "ended", lines: ["a", "b", "c", "d"], destroyed: true });
  assert.deepEqual(await read({ maxLines: 2 }, abc), { end: "lines", lines: ["a", "b"], destroyed: true });
  assert.deepEqual(await read({}, abc, "b"), { end: "enough", lines: ["a", "b"], destroyed: true });
  assert.deepEqual(await read({ maxBytes: 4 }, (source) => (source.write("a\nb\n"), source.write("c\n"))), { end: "bytes", lines: ["a", "b"], destroyed: true });
  const started = Date.now();
  assert.deepEqual(await read({ deadlineMs: Date.now() + 100 }, (source) => source.write("a\n")), { end: "deadline", lines: ["a"], destroyed: true });
  assert.ok(Date.now() - started < 2000);
  assert.deepEqual(await read({}, (source) => source.emit("error", new Error("socket hang up"))), { end: "error: socket hang up", lines: [], destroyed: true });
  const e = Buffer.from("é\n");
  assert.deepEqual(await read({}, (source) => (source.write(e.subarray(0, 1)), source.end(e.subarray(1)))), { end: "ended", lines: ["é"], destroyed: true }, "a character split across chunks");
});

test("observeApp refuses options no observation can come from, before it touches Docker", async () => {
  const docker = {} as Docker;
  const base = { app: "quiet", container: "c", durationMs: 5000, rules: DEFAULT_RULES };
  const refused: [object, RegExp][] = [
    [{ app: "" }, /app is empty/],
    [{ container: " " }, /container is empty: give the id or name of app quiet's container/],
    [{ durationMs: 500 }, /durationMs 500 is out of range: give whole milliseconds from 1000 to 21600000/],
    [{ durationMs: 7 * 3600 * 1000 }, /out of range/],
    [{ durationMs: 1500.5 }, /out of range/],
    [{ since: new Date(Number.NaN) }, /since is not a valid date/],
    [{ since: new Date(Date.now() + 60_000) }, /is in the future/],
    [{ gateway: "" }, /gateway is empty/],
    [{ limits: { maxLogBytes: 0 } }, /limits.maxLogBytes 0 is not a positive whole number/],
  ];
  for (const [change, message] of refused) await assert.rejects(observeApp(docker, { ...base, ...change }), message, JSON.stringify(change));
});

// ---- against the real engine

const unavailable = dockerUnavailableSync([IMAGE]);

describe("observeApp against real containers", { skip: unavailable, timeout: 110_000 }, () => {
  const docker = new Docker();
  const run = `adm-${randomBytes(3).toString("hex")}`;
  const labels = (extra: Record<string, string> = {}) => ({ [PLATFORM_LABEL.stack]: run, ...extra });
  const network = `${run}-app-net`;
  const results: Record<string, Observation> = {};
  const OOM_LIMIT = 32 * MiB;

  async function startContainer(name: string, cmd: string, extra: Partial<Docker.ContainerCreateOptions> = {}, hostConfig: Docker.HostConfig = {}): Promise<Docker.Container> {
    const container = await docker.createContainer({
      name: `${run}-${name}`,
      Image: IMAGE,
      Cmd: ["sh", "-c", cmd],
      Labels: labels(),
      ...extra,
      HostConfig: { NetworkMode: "none", Memory: 64 * MiB, PidsLimit: 64, ...hostConfig },
    });
    await container.start();
    return container;
  }

  async function logLines(container: Docker.Container): Promise<number> {
    const output = await container.logs({ stdout: true, stderr: false, follow: false });
    return output.toString("utf8").split("\n").filter((line) => line.includes("{")).length;
  }

  before(async () => {
    await docker.createNetwork({ Name: network, Internal: true, Labels: labels() });

    // lifecycle and resources: the window opens just before the containers start
    const lifecycleFrom = new Date();
    // allocates 2 MiB every 0.3 s (tail keeps a line without newline in memory) until the kernel kills it;
    // the writer then stops, so the container exits with tail's status, 137
    const oom = await startContainer(
      "oom",
      "i=0; (while [ $i -lt 100 ]; do i=$((i+1)); head -c 2097152 /dev/zero || exit; sleep 0.3; done) | tail >/dev/null",
      {},
      { Memory: OOM_LIMIT, MemorySwap: OOM_LIMIT, RestartPolicy: { Name: "on-failure", MaximumRetryCount: 1 } },
    );
    const pids = await startContainer(
      "pids",
      "sleep 1; for i in 1 2 3 4 5 6; do sleep 300 & done; end=$(( $(date +%s) + 3 )); while [ $(date +%s) -lt $end ]; do i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; done; wait",
    );
    const health = await startContainer("health", "touch /tmp/healthy; sleep 4; rm /tmp/healthy; exec sleep 300", {
      Healthcheck: { Test: ["CMD", "test", "-f", "/tmp/healthy"], Interval: 500e6, Timeout: 2e9, Retries: 1, StartPeriod: 0 },
    });
    const lifecycleObservations = [
      ["oom", oom],
      ["pids", pids],
      ["health", health],
    ].map(async ([name, container]) => {
      const info = await (container as Docker.Container).inspect();
      results[name as string] = await observeApp(docker, { app: name as string, container: info.Id, durationMs: 16_000, rules: DEFAULT_RULES, since: lifecycleFrom });
    });

    // traffic: two apps on their own network, stand-in proxies printing real-format lines once told to
    const app = (name: string) => startContainer(`app-${name}`, "exec sleep 300", { Labels: labels({ [PLATFORM_LABEL.role]: "app", [PLATFORM_LABEL.app]: name }) }, { NetworkMode: network });
    const standIn = (role: string, before: string, during: string) =>
      startContainer(role, `printf '%s\\n' "$BEFORE" | sed "s/@T@/$(date -u +%Y-%m-%dT%H:%M:%S.000Z)/; s/@S@/$(date +%s).000/"; while [ ! -f /tmp/go ]; do sleep 0.1; done; printf '%s\\n' "$DURING" | sed "s/@T@/$(date -u +%Y-%m-%dT%H:%M:%S.000Z)/; s/@S@/$(date +%s).000/"; exec sleep 300`, {
        Env: [`BEFORE=${before}`, `DURING=${during}`],
        Labels: labels({ [PLATFORM_LABEL.role]: role }),
      });
    await Promise.all([app("quiet"), app("noisy")]);
    const gateway = await standIn("gateway", GATEWAY_BEFORE("@T@").join("\n"), GATEWAY_CALLS("@T@").join("\n"));
    const egress = await standIn("egress", EGRESS_BEFORE("@S@").join("\n"), EGRESS_REQUESTS("@S@").join("\n"));
    const deadline = Date.now() + 15_000;
    while ((await logLines(gateway)) < 2 || (await logLines(egress)) < 1) {
      assert.ok(Date.now() < deadline, "the stand-in proxies printed their first lines");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // the window opens strictly after those lines
    const trafficFrom = new Date();
    const observe = (name: string, appName: string, gatewayContainer: string) =>
      observeApp(docker, { app: appName, container: `${run}-app-${appName}`, gateway: gatewayContainer, egress: `${run}-egress`, durationMs: 5000, rules: DEFAULT_RULES, since: trafficFrom }).then((observation) => {
        results[name] = observation;
      });
    const trafficObservations = [
      observe("quiet", "quiet", `${run}-gateway`),
      observe("noisy", "noisy", `${run}-gateway`),
      observe("no-gateway", "quiet", `${run}-no-such-gateway`),
      observeApp(docker, { app: "quiet", container: `${run}-app-quiet`, gateway: `${run}-gateway`, durationMs: 5000, rules: DEFAULT_RULES, since: trafficFrom, limits: { maxLogBytes: 1500 } }).then((observation) => {
        results.capped = observation;
      }),
    ];
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const proxy of [gateway, egress]) {
      const touched = await execIn(proxy, ["touch", "/tmp/go"], { timeoutMs: 10_000 });
      assert.equal(touched.exitCode, 0, touched.stderr);
    }
    await Promise.all([...lifecycleObservations, ...trafficObservations]);
  });

  after(async () => {
    const containers = await docker.listContainers({ all: true, filters: { label: [`${PLATFORM_LABEL.stack}=${run}`] } });
    await Promise.all(containers.map((info) => docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined)));
    await docker.getNetwork(network).remove().catch(() => undefined);
  });

  test("an app OOM-killed under its memory limit and restarted: the peak near the limit, the kill, the restart and exit 137", () => {
    const { resources, lifecycle, problems } = results.oom;
    assert.ok(resources && lifecycle, problems.join("; "));
    assert.equal(resources.memoryLimitBytes, OOM_LIMIT);
    assert.ok(resources.memoryPeakBytes >= 0.7 * OOM_LIMIT && resources.memoryPeakBytes <= OOM_LIMIT, `peak ${resources.memoryPeakBytes} near the limit ${OOM_LIMIT}`);
    assert.ok(lifecycle.oomKilled >= 2, `an OOM kill in each of the two runs (${JSON.stringify(lifecycle)})`);
    assert.equal(lifecycle.restarts, 1, "on-failure with one retry: restarted once");
    assert.deepEqual(lifecycle.exits.map((exit) => exit.code), [137, 137]);
    assert.ok(resources.samples >= 5, `sampled about once a second (${resources.samples})`);
  });

  test("an app whose processes multiply: the process peak, and CPU use of a busy loop", () => {
    const { resources, lifecycle, problems } = results.pids;
    assert.ok(resources && lifecycle, problems.join("; "));
    assert.ok(resources.pidsPeak >= 7 && resources.pidsPeak <= 64, `sh and six sleeps (${resources.pidsPeak})`);
    assert.ok(resources.cpuPeakCores > 0.2, `a busy loop uses CPU (${resources.cpuPeakCores} cores)`);
    assert.deepEqual([lifecycle.restarts, lifecycle.oomKilled, lifecycle.exits, lifecycle.health.final], [0, 0, [], "none"]);
  });

  test("a healthcheck that fails: healthy, then unhealthy, and unhealthy at the end", () => {
    const { lifecycle, problems } = results.health;
    assert.ok(lifecycle, problems.join("; "));
    assert.deepEqual(lifecycle.health.transitions.map((change) => change.status), ["healthy", "unhealthy"]);
    assert.equal(lifecycle.health.final, "unhealthy");
    const [healthy, unhealthy] = lifecycle.health.transitions.map((change) => Date.parse(change.at));
    assert.ok(unhealthy - healthy >= 3000, "unhealthy once the file was gone, about 4 s after the start");
  });

  test("the proxies' lines of the window: only this app's, by service and status, and egress by destination", () => {
    const { gateway, egress, problems, wouldBan } = results.quiet;
    assert.ok(gateway && egress, problems.join("; "));
    const { log: gatewayLog, ...gatewayCounts } = gateway;
    const { log: egressLog, ...egressCounts } = egress;
    assert.deepEqual(gatewayCounts, QUIET_GATEWAY, "the two lines printed before the window are not counted");
    assert.deepEqual(egressCounts, QUIET_EGRESS);
    assert.deepEqual(gatewayLog, { container: `${run}-gateway`, lines: GATEWAY_CALLS("").length - 1, malformed: 1, complete: true });
    assert.deepEqual(egressLog, { container: `${run}-egress`, lines: EGRESS_REQUESTS("").length, malformed: 0, complete: true });
    assert.deepEqual(problems, [`1 lines of gateway container ${run}-gateway in the window are not access-log lines (the first: not a JSON object): requests they record are not counted`]);
    assert.deepEqual(wouldBan, []);
  });

  test("direct connection attempts: read from each app's own namespace, zeros for apps that made none, across a restart too", () => {
    const none = { noRoute: 0, failedConnects: 0, connectsOpened: 0, offNetwork: [] };
    for (const name of ["quiet", "noisy", "pids", "oom"]) assert.deepEqual(results[name].network, none, `${name}: ${results[name].problems.join("; ")}`);
    assert.ok(results.oom.problems.some((problem) => /ran in 2 network namespaces during the window \(restarts\)/.test(problem)), results.oom.problems.join("; "));
  });

  test("401s over the monitor's authFailures threshold: a would-be ban, and nothing enforced", async () => {
    const { wouldBan, gateway, problems } = results.noisy;
    assert.equal(gateway?.unauthorized, 25, problems.join("; "));
    const { threshold, windowSeconds } = DEFAULT_RULES.authFailures;
    assert.deepEqual(
      wouldBan?.map(({ rule, count, threshold, windowSeconds }) => ({ rule, count, threshold, windowSeconds })),
      [{ rule: "authFailures", count: threshold + 1, threshold, windowSeconds }],
    );
    const info = await docker.getContainer(`${run}-app-noisy`).inspect();
    assert.ok(info.State.Running, "the app still runs");
    assert.deepEqual(Object.keys(info.NetworkSettings.Networks), [network], "still connected to its network");
  });

  test("an absent gateway container: a problem says so and the gateway traffic is unknown, not zero", () => {
    const observation = results["no-gateway"];
    assert.equal(observation.gateway, undefined);
    assert.equal("gateway" in observation, false);
    assert.ok(
      observation.problems.includes(`gateway container ${run}-no-such-gateway does not exist: the app's gateway traffic is unknown; give the running gateway's container`),
      observation.problems.join("; "),
    );
    assert.ok(observation.problems.some((problem) => problem.startsWith("the monitor's rules saw only the egress proxy's log")));
    assert.ok(observation.egress, "the egress proxy was still read");
    const { log: _log, ...egressCounts } = observation.egress;
    assert.deepEqual(egressCounts, QUIET_EGRESS);
    assert.deepEqual(observation.wouldBan, []);
  });

  test("a proxy log larger than the byte cap: counts of what was read, marked incomplete, and a problem says they are lower bounds", () => {
    const { gateway, problems } = results.capped;
    assert.ok(gateway, problems.join("; "));
    assert.equal(gateway.log.complete, false);
    assert.ok(gateway.total < QUIET_GATEWAY.total, `fewer calls than were made (${gateway.total})`);
    assert.ok(
      problems.some((problem) => /^the log of gateway container \S+ was not read to the end \(its log holds more than 1500 bytes for the window; read up to \S+\): the app's gateway counts are lower bounds$/.test(problem)),
      problems.join("; "),
    );
  });
});
