// End to end in the real Docker engine, the gateway half of the monitor (paper IV-C): the dev stack
// (Pulumi.dev.yaml + sandbox/stacks/ci.yaml) is brought up by the sandbox exactly as `npm run sandbox`
// does it, so the gateway is the real Envoy running the platform's own rendered bootstrap, with Keycloak,
// the services, the egress proxy and both apps. The monitor (a real `monitor run` process) follows
// Envoy's JSON access log through the Docker API. One app calls the gateway without a token over valid
// mTLS until authFailures bans it; the test shows the ban cut it off from the gateway and the egress
// proxy while the other app still gets a token and a 200, that the ban and its evidence are in the
// audit log, that `monitor verify` passes, and that `unban` restores the app. It prints the reaction
// time from the first request over the threshold to the container's disconnect.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../config/load";
import { PLATFORM_LABEL } from "../plan/names";
import { BringUp, bringUp, evaluateProgram } from "../sandbox/bringup";
import { dockerUnavailable, RUNSC_ABSENT, runscRegistered } from "../sandbox/docker-availability";
import { ProviderMirror } from "../sandbox/provider-mirror/docker-resources";
import { freeCidr } from "../sandbox/provider-mirror/free-subnet";
import { waitForGatewayKeys, waitUntilHealthy } from "../sandbox/readiness";
import { stackInput, StackInput } from "../sandbox/stack-input";
import { floodWithoutToken, reachability, sendGarbage, tokenAndGrantedCall } from "./support/monitor-gateway-client";
import { auditRecords, monitorFiles, MonitorProcess, phaseClock, runMonitorCli, verifyAudit, waitFor, waitForEnforcedBan } from "./support/monitor-process";
import { REPO_ROOT } from "./support/stack-config";

const CI_OVERLAY = join(REPO_ROOT, "sandbox", "stacks", "ci.yaml");
/** the app that floods (runc) and the one that must keep working (gVisor), both of the dev stack */
const FLOODER = "forecast-widget";
const BYSTANDER = "backup-agent";
/** granted calls of each app in Pulumi.dev.yaml (trailing slash: the demo service's directory index) */
const GRANTED_PATH: Record<string, string> = { [FLOODER]: "/weather/v1/forecast/", [BYSTANDER]: "/weather/v1/current/" };
/** ban when MORE than this many 401/403 of one app fall within the window */
const THRESHOLD = 10;
const WINDOW_SECONDS = 30;
const FLOOD_REQUESTS = 80;
/** Envoy flushes its access log every 10 s by default (--file-flush-interval-msec), the monitor needs moments */
const BAN_BOUND_MS = 30_000;

const docker = new Docker();

/** Why the dev stack cannot run here (an image absent, the engine silent, gVisor missing), or undefined. */
async function stackUnavailable(input: StackInput): Promise<string | undefined> {
  const { config } = parsePlatformConfig(rawConfigFromFlatMap(input.config));
  const images = [...new Set([config.gateway.image, config.identity.image, config.egress.image, ...config.services.map((s) => s.image), ...config.apps.map((a) => a.image)])];
  const unavailable = await dockerUnavailable(docker, images);
  if (unavailable) return unavailable;
  return config.apps.some((a) => a.runtime === "runsc") && !runscRegistered() ? RUNSC_ABSENT : undefined;
}

/** The dev stack under a stack name and base CIDR of this run's own (retried if another run takes the CIDR first). */
async function bringUpDevStack(stack: string, mirror: ProviderMirror, log: (line: string) => void): Promise<{ input: StackInput; up: BringUp }> {
  const base = stackInput({ overlayFile: CI_OVERLAY });
  for (let attempt = 1; ; attempt++) {
    const baseCidr = await freeCidr(docker, 16, "10.128.0.0/9");
    const input = { ...base, stackName: stack, config: { ...base.config, "platform:network": { baseCidr } } };
    try {
      return { input, up: await bringUp(mirror, await evaluateProgram(input), log) };
    } catch (error) {
      if (attempt >= 3 || !/overlap/i.test((error as Error).message)) throw error;
      log(`base CIDR ${baseCidr} was taken meanwhile (${(error as Error).message}); retrying`);
      await mirror.teardown();
    }
  }
}

/** When Docker disconnected `containerId` from a network, from the engine's own event (ms since the epoch). */
async function disconnectTime(containerId: string, sinceMs: number): Promise<number | undefined> {
  const stream = await docker.getEvents({ since: Math.floor(sinceMs / 1000), until: Math.ceil(Date.now() / 1000), filters: { type: ["network"], event: ["disconnect"] } });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => (stream as unknown as { destroy: () => void }).destroy(), 10_000);
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => (clearTimeout(timer), resolve()));
    stream.on("close", () => (clearTimeout(timer), resolve()));
    stream.on("error", () => (clearTimeout(timer), resolve()));
  });
  const events = Buffer.concat(chunks).toString("utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as { timeNano: number; Actor: { Attributes: Record<string, string> } });
  const ours = events.filter((event) => event.Actor.Attributes.container === containerId);
  return ours.length ? Math.min(...ours.map((event) => event.timeNano / 1e6)) : undefined;
}

test("e2e: an app failing auth at the real Envoy gateway is banned from its log, cut off, unbanned; the audit log verifies", { timeout: 600_000 }, async (t) => {
  const unavailable = await stackUnavailable(stackInput({ overlayFile: CI_OVERLAY }));
  if (unavailable) return t.skip(unavailable);
  const stack = `mongw-${randomBytes(3).toString("hex")}`;
  const work = mkdtempSync(join(tmpdir(), `${stack}-`));
  const mirror = new ProviderMirror(stack, docker);
  let monitor: MonitorProcess | undefined;
  const phase = phaseClock(t);
  t.after(async () => {
    monitor?.kill();
    phase("cleaning up");
    const removed = await mirror.teardown();
    rmSync(work, { recursive: true, force: true });
    phase(`cleaned up (${removed.length} resources)`);
  });

  // --- the dev stack, brought up as the sandbox does it ---
  const { input, up } = await bringUpDevStack(stack, mirror, () => undefined);
  assert.deepEqual(up.notStarted.map((n) => `${n.name}: ${n.reason}`), [], "every container of the dev stack started");
  assert.deepEqual(up.discrepancies, [], "every declared static address and alias is in force");
  const { config } = parsePlatformConfig(rawConfigFromFlatMap(input.config));
  const byRole = (role: string, app?: string) => {
    const found = up.containers.find((c) => c.labels[PLATFORM_LABEL.role] === role && c.inputs.start !== false && (app === undefined || c.labels[PLATFORM_LABEL.app] === app));
    assert.ok(found, `the dev stack has a running ${role}${app ? ` ${app}` : ""} container`);
    return found;
  };
  const gatewayInfo = byRole("gateway");
  const flooderInfo = byRole("app", FLOODER);
  const flooder = docker.getContainer(flooderInfo.id);
  const bystander = docker.getContainer(byRole("app", BYSTANDER).id);
  const flooderApp = config.apps.find((a) => a.name === FLOODER)!;
  phase(`dev stack up as ${stack} (${up.containers.length} containers)`);

  // --- the gateway and Keycloak healthy, and the gateway holding Keycloak's signing keys for every app chain ---
  await waitUntilHealthy(docker, up, { timeoutMs: 300_000 });
  phase("every container healthy, the gateway and Keycloak among them");
  await waitForGatewayKeys(docker, { containerId: gatewayInfo.id, adminPort: config.gateway.adminPort }, { timeoutMs: 90_000 });
  phase("gateway has the JWKS");

  // --- the monitor, as its command runs on the Docker host ---
  const files = monitorFiles(work, stack, { authFailures: { threshold: THRESHOLD, windowSeconds: WINDOW_SECONDS } });
  monitor = new MonitorProcess(files);
  monitor.start();
  await monitor.waitForLog(`following gateway:${gatewayInfo.name}`, 30_000);
  await monitor.waitForLog(`following egress:`, 30_000);
  phase("monitor follows the gateway and the egress proxy");

  // --- before: both apps reach the gateway and the proxy; the bystander works end to end ---
  const before = await reachability(flooder);
  assert.equal(before.uid, Number(String(flooderInfo.inputs.user).split(":")[0]), "the client runs as the app's own UID");
  assert.ok(before.gateway.ok && before.egress.ok, `the app reaches the gateway and the egress proxy: ${JSON.stringify(before)}`);
  const bystanderBefore = await tokenAndGrantedCall(bystander, GRANTED_PATH[BYSTANDER]);
  assert.deepEqual([bystanderBefore.token, bystanderBefore.call], [200, 200], `${BYSTANDER} gets a token and its granted call: ${JSON.stringify(bystanderBefore)}`);
  // a line Envoy writes with null method and path: the monitor must take it, not count it malformed
  assert.match((await sendGarbage(bystander)) ?? "", /^HTTP\/1\.1 400 /);

  // --- the flood: GETs without a token over valid mTLS, paced under the app's rate limit so each is a 401 (not a 429) ---
  const intervalMs = Math.ceil(1250 / flooderApp.rateLimit.requestsPerSecond);
  const floodStart = Date.now();
  const flood = await floodWithoutToken(flooder, { count: FLOOD_REQUESTS, intervalMs, path: GRANTED_PATH[FLOODER], stopAfterFailures: 3 });
  phase(`flood done: ${flood.results.length} requests, ${flood.results.filter((r) => r.status === 401).length} answered 401`);
  assert.equal(flood.uid, before.uid);
  const answered = flood.results.slice(0, THRESHOLD + 1);
  assert.deepEqual(answered.map((r) => r.status ?? r.error), Array(THRESHOLD + 1).fill(401), "every request up to the first over the threshold was a 401");
  const overThreshold = answered[THRESHOLD].sent * 1000;

  // --- banned from Envoy's log: recorded with evidence, container disconnected ---
  const ban = await waitForEnforcedBan(files, FLOODER, BAN_BOUND_MS);
  const disconnectedAt = await disconnectTime(flooderInfo.id, floodStart - 1000);
  assert.ok(disconnectedAt !== undefined, "Docker reported the disconnect of the flooding app");
  const reactionMs = Math.round(disconnectedAt - overThreshold);
  const decidedMs = Date.parse(ban.bannedAt) - overThreshold;
  console.log(`gateway ban reaction: ${reactionMs} ms`);
  t.diagnostic(`gateway ban reaction: ${reactionMs} ms (request #${THRESHOLD + 1} sent → ban decided ${Math.round(decidedMs)} ms, which includes Envoy's access-log flush (--file-flush-interval-msec, 250 ms); decided → disconnected ${Math.round(disconnectedAt - Date.parse(ban.bannedAt))} ms)`);
  assert.ok(reactionMs > 0 && reactionMs < BAN_BOUND_MS, `the ban came within ${BAN_BOUND_MS} ms of the request over the threshold (${reactionMs} ms)`);
  const cutShort = flood.results.filter((r) => r.error).length;
  t.diagnostic(`the flood: ${flood.results.length} of ${FLOOD_REQUESTS} requests sent, ${cutShort} failed after the ban`);

  assert.equal(ban.evidence.rule, "authFailures");
  assert.equal(ban.evidence.count, THRESHOLD + 1);
  assert.equal(ban.evidence.threshold, THRESHOLD);
  assert.equal(ban.evidence.windowSeconds, WINDOW_SECONDS);
  const firstTime = Date.parse(ban.evidence.firstTime);
  const lastTime = Date.parse(ban.evidence.lastTime);
  assert.ok(Math.abs(firstTime - answered[0].sent * 1000) < 1000, `the evidence starts at the first 401 (${ban.evidence.firstTime})`);
  assert.ok(Math.abs(lastTime - overThreshold) < 1000, `the evidence ends at the request over the threshold (${ban.evidence.lastTime})`);
  assert.ok(ban.evidence.samples.length > 0);
  for (const sample of ban.evidence.samples) {
    const line = JSON.parse(sample);
    assert.deepEqual([line.source, line.app, line.status, line.details, line.token_client], ["gateway", FLOODER, 401, "jwt_authn_access_denied{Jwt_is_missing}", null], sample);
    assert.ok(Date.parse(line.time) >= firstTime && Date.parse(line.time) <= lastTime, `sample time ${line.time} within the evidence window`);
  }
  const declared = flooderInfo.inputs.networksAdvanced[0] as { name: string; ipv4Address: string; aliases: string[] };
  assert.deepEqual(ban.enforcement!.networks.map((n) => [n.network, n.ipv4Address]), [[declared.name, declared.ipv4Address]]);
  assert.deepEqual(Object.keys((await flooder.inspect()).NetworkSettings.Networks), []);
  phase("ban enforced");

  // --- cut off from the gateway and the egress proxy; the other app is unaffected ---
  const during = await reachability(flooder);
  assert.ok(!during.gateway.ok, `the banned app must not reach the gateway: ${JSON.stringify(during.gateway)}`);
  assert.ok(!during.egress.ok, `the banned app must not reach the egress proxy: ${JSON.stringify(during.egress)}`);
  const bystanderDuring = await tokenAndGrantedCall(bystander, GRANTED_PATH[BYSTANDER]);
  assert.deepEqual([bystanderDuring.token, bystanderDuring.call], [200, 200], `${BYSTANDER} still gets a token and its granted call: ${JSON.stringify(bystanderDuring)}`);
  assert.ok((await reachability(bystander)).gateway.ok);
  phase("banned app cut off, the other app unaffected");

  // --- what the monitor made of Envoy's real lines ---
  const stats = await waitFor("statistics with the flood", 10_000, () => {
    const result = runMonitorCli(["stats", ...files.common, "--json"]);
    if (result.status !== 0) return undefined;
    const snapshot = JSON.parse(result.stdout);
    const row = snapshot.apps.find((a: { app: string }) => a.app === FLOODER);
    return row?.banned ? snapshot : undefined;
  });
  assert.deepEqual(stats.lines.malformedByOrigin, {}, "every line the real gateway wrote parsed (null method/path included)");
  assert.ok(stats.lines.parsed >= THRESHOLD + 4, `the monitor parsed the gateway's lines: ${JSON.stringify(stats.lines)}`);

  // --- unban through the running monitor: same address again, and the app works end to end ---
  const unban = runMonitorCli(["unban", FLOODER, ...files.common, "--by", "e2e-test"]);
  assert.equal(unban.status, 0, unban.stdout + unban.stderr);
  const attachment = (await flooder.inspect()).NetworkSettings.Networks[declared.name];
  assert.equal(attachment?.IPAddress, declared.ipv4Address);
  for (const alias of declared.aliases ?? []) assert.ok(attachment?.Aliases?.includes(alias), `alias ${alias} restored`);
  const after = await reachability(flooder);
  assert.ok(after.gateway.ok && after.egress.ok, `the unbanned app reaches the gateway and the egress proxy: ${JSON.stringify(after)}`);
  const flooderAfter = await tokenAndGrantedCall(flooder, GRANTED_PATH[FLOODER]);
  assert.deepEqual([flooderAfter.token, flooderAfter.call], [200, 200], `the unbanned app gets a token and its granted call: ${JSON.stringify(flooderAfter)}`);
  phase("unbanned, the app works again");

  // --- the audit log: the ban with its evidence, and it verifies ---
  await monitor.stop();
  const verified = verifyAudit(files);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /^OK /);
  const records = auditRecords(files);
  const banRecord = records.find((r) => r.type === "ban" && r.data.app === FLOODER);
  assert.ok(banRecord, "the audit log holds the ban");
  assert.deepEqual(banRecord.data.evidence, ban.evidence, "the audit log holds the same evidence as the ban store");
  const failures = records.filter((r) => r.type === "event" && r.data.event.app === FLOODER && r.data.event.status === 401 && r.seq < banRecord.seq);
  assert.equal(failures.length, THRESHOLD + 1, "every 401 up to the ban is audited as an event");
  assert.ok(failures.every((r) => r.data.origin === `gateway:${gatewayInfo.name}`));
  const disconnect = records.find((r) => r.type === "enforcement" && r.data.app === FLOODER && r.data.action === "disconnect");
  assert.ok(disconnect && disconnect.seq > banRecord.seq, "the disconnect is audited after the ban");
  assert.ok(records.some((r) => r.type === "unban" && r.data.app === FLOODER && r.data.banAuditSeq === banRecord.seq));
  assert.ok(!records.some((r) => r.type === "malformed"), "no malformed records");
  assert.equal(records.filter((r) => r.type === "ban").length, 1, `only ${FLOODER} was banned`);
  phase("audit log verified");
});
