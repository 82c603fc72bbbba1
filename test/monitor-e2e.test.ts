// End to end in the real Docker engine: an app floods a real Squid egress proxy with requests to
// destinations off its whitelist; the monitor (a real `npm run monitor` process) follows Squid's JSON
// access log through the Docker API, bans the app by disconnecting it from its app network, is unbanned
// by `monitor unban`, and its audit log verifies, then fails verification after a one-byte change.
//
// Squid runs with a minimal squid.conf written here (render/squid/ does not exist yet); its log format is
// the contract of docs/log-formats.md. Addresses come from the platform's own plan (plan/plan.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { parsePlatformConfig } from "../config/load";
import { buildPlan } from "../plan/plan";
import { dockerUnavailable } from "../sandbox/docker-availability";
import { execIn } from "../sandbox/exec";
import { PLATFORM_LABEL } from "../plan/names";
import { auditRecords, monitorFiles, MonitorProcess, phaseClock, runMonitorCli as runCli, verifyAudit, waitFor, waitForEnforcedBan } from "./support/monitor-process";

const SQUID_IMAGE = "platform/squid:dev";
const APP_IMAGE = "platform/busybox:dev";
const APP = "flood";
const THRESHOLD = 20;

const docker = new Docker();

/** The smallest squid.conf that attributes the app's subnet, denies everything off its whitelist and logs the contract's JSON. */
function squidConf(appSubnet: string, app: string): string {
  return [
    "http_port 3128",
    "pid_filename /tmp/squid.pid",
    "coredump_dir /tmp",
    "cache deny all",
    `acl app_${app} src ${appSubnet}`,
    `acl ${app}_whitelist dstdomain -n allowed.example`,
    "acl SSL_ports port 443",
    "http_access deny CONNECT !SSL_ports",
    `http_access allow app_${app} ${app}_whitelist`,
    "http_access deny all",
    `note app ${app} app_${app}`,
    'logformat platform_json {"source":"egress","time":"%ts.%03tu","app":"%{app}note","client":"%>a","method":"%rm","host":"%>rd","port":"%>rP","url":"%ru","status":%>Hs,"result":"%Ss","duration_ms":%tr}',
    "access_log stdio:/dev/stdout platform_json",
    "",
  ].join("\n");
}

/** One CONNECT through the proxy from inside the app: the status line, or the error when the proxy is unreachable. */
async function probeProxy(container: Docker.Container, proxyIp: string, host: string): Promise<string> {
  const script = `printf 'CONNECT ${host}:443 HTTP/1.1\\r\\nHost: ${host}:443\\r\\n\\r\\n' | timeout 3 nc -w 2 ${proxyIp} 3128 2>&1 | head -1`;
  const result = await execIn(container, ["sh", "-c", script], { timeoutMs: 10_000 });
  return (result.stdout + result.stderr).trim();
}

test("e2e: a flooding app is banned from the real egress proxy, unbanned, and the audit log is tamper-evident", { timeout: 240_000 }, async (t) => {
  const unavailable = await dockerUnavailable(docker, [SQUID_IMAGE, APP_IMAGE]);
  if (unavailable) return t.skip(unavailable);
  const id = randomBytes(3).toString("hex");
  const stack = `mon8-${id}`;
  const work = mkdtempSync(join(tmpdir(), `${stack}-`));
  const created: { containers: Docker.Container[]; networks: Docker.Network[] } = { containers: [], networks: [] };
  let monitor: MonitorProcess | undefined;
  const phase = phaseClock(t);
  t.after(async () => {
    monitor?.kill();
    phase("cleaning up");
    for (const container of created.containers) await container.remove({ force: true }).catch(() => undefined);
    for (const network of created.networks) await network.remove().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
    phase("cleaned up");
  });

  // --- the platform's addressing for one app, in a base CIDR no one else on this engine uses ---
  let network: Docker.Network | undefined;
  let plan: ReturnType<typeof buildPlan> | undefined;
  for (let attempt = 0; attempt < 8 && !network; attempt++) {
    const baseCidr = `10.${100 + ((parseInt(id, 16) + attempt * 7) % 90)}.0.0/16`;
    const { config } = parsePlatformConfig({
      trustDomain: "e2e.platform.example",
      allowUnpinnedImages: true,
      namePrefix: stack,
      network: { baseCidr },
      apps: [{ name: APP, image: APP_IMAGE, egress: ["allowed.example"] }],
      gateway: { image: "platform/envoy:absent" },
      egress: { image: SQUID_IMAGE },
      identity: { image: "platform/keycloak:absent" },
    });
    plan = buildPlan(config, stack);
    const appNet = plan.apps[0].network;
    try {
      network = await docker.createNetwork({
        Name: appNet.dockerName,
        Internal: true,
        IPAM: { Config: [{ Subnet: appNet.subnet, Gateway: appNet.bridgeGateway }] },
        Labels: { [PLATFORM_LABEL.stack]: stack },
      });
      created.networks.push(network);
    } catch (error) {
      if (!/overlap/i.test((error as Error).message)) throw error;
    }
  }
  assert.ok(network && plan, "found a free subnet");
  const app = plan.apps[0];

  // --- the egress proxy: real Squid, JSON access log on stdout ---
  const confFile = join(work, "squid.conf");
  writeFileSync(confFile, squidConf(app.network.subnet, APP));
  chmodSync(work, 0o755);
  chmodSync(confFile, 0o644);
  const squid = await docker.createContainer({
    name: `${stack}-egress`,
    Image: SQUID_IMAGE,
    // as user proxy from the start: Squid then never needs to reopen /dev/stdout after dropping privileges
    User: "proxy",
    Cmd: ["squid", "-N", "-f", "/etc/squid/squid.conf"],
    Labels: { [PLATFORM_LABEL.role]: "egress", [PLATFORM_LABEL.stack]: stack },
    HostConfig: { Binds: [`${confFile}:/etc/squid/squid.conf:ro`], NetworkMode: app.network.dockerName, Memory: 256 * 1024 * 1024 },
    NetworkingConfig: { EndpointsConfig: { [app.network.dockerName]: { IPAMConfig: { IPv4Address: app.egressIp } } } },
  });
  created.containers.push(squid);
  await squid.start();

  // --- the app ---
  const createApp = async () => {
    const container = await docker.createContainer({
      name: app.containerName,
      Image: APP_IMAGE,
      Cmd: ["sleep", "600"],
      Labels: { [PLATFORM_LABEL.role]: "app", [PLATFORM_LABEL.app]: APP, [PLATFORM_LABEL.stack]: stack },
      HostConfig: { NetworkMode: app.network.dockerName, Memory: 64 * 1024 * 1024, PidsLimit: 64 },
      NetworkingConfig: { EndpointsConfig: { [app.network.dockerName]: { IPAMConfig: { IPv4Address: app.ip }, Aliases: [APP] } } },
    });
    created.containers.push(container);
    await container.start();
    return container;
  };
  let appContainer = await createApp();
  await waitFor("squid to answer", 30_000, async () => ((await probeProxy(appContainer, app.egressIp, "warmup.example")).startsWith("HTTP/1.1 403") ? true : undefined));

  phase("squid answers");
  // --- the monitor, as its command runs in production ---
  const files = monitorFiles(work, stack, { egressDenials: { threshold: THRESHOLD, windowSeconds: 30 } });
  const { common } = files;
  monitor = new MonitorProcess(files);
  monitor.start();
  await monitor.waitForLog(`following egress:${stack}-egress`, 30_000);

  phase("monitor follows the proxy");
  // --- the flood: 2x the threshold of CONNECTs to destinations off the whitelist (the ban may cut it short) ---
  const flood = await execIn(appContainer, ["sh", "-c", `for i in $(seq 1 ${THRESHOLD * 2}); do printf "CONNECT exfil-$i.example:443 HTTP/1.1\\r\\nHost: exfil-$i.example:443\\r\\n\\r\\n" | timeout 3 nc -w 2 ${app.egressIp} 3128 2>&1 | head -1; done`], { timeoutMs: 120_000 });
  const answers = flood.stdout.trim().split("\n");
  assert.ok(answers.filter((line) => line.startsWith("HTTP/1.1 403")).length > THRESHOLD, `the proxy denied the flood: ${answers.slice(0, 3).join(" | ")}`);

  phase("flood sent");
  // --- banned: recorded with evidence, container cut off from its app network ---
  const ban = await waitForEnforcedBan(files, APP, 30_000);
  assert.equal(ban.evidence.rule, "egressDenials");
  assert.ok(ban.evidence.samples.some((line: string) => line.includes('"result":"TCP_DENIED')), "evidence holds real Squid log lines");
  assert.deepEqual(ban.enforcement!.networks, [{ network: app.network.dockerName, ipv4Address: app.ip, aliases: [APP] }]);
  assert.deepEqual(Object.keys((await appContainer.inspect()).NetworkSettings.Networks), []);
  const whileBanned = await probeProxy(appContainer, app.egressIp, "reachability-probe.example");
  assert.ok(!whileBanned.startsWith("HTTP/"), `the banned app must not reach the proxy, got ${JSON.stringify(whileBanned)}`);

  phase("ban enforced and verified");
  // --- stats on demand ---
  const stats = await waitFor("statistics with the flood", 10_000, () => {
    const result = runCli(["stats", ...common, "--json"]);
    if (result.status !== 0) return undefined;
    const row = JSON.parse(result.stdout).apps.find((a: { app: string }) => a.app === APP);
    return row && row.window.egressDenials > THRESHOLD ? row : undefined;
  });
  assert.equal(stats.banned, true);
  assert.ok(stats.window.distinctDeniedDestinations > THRESHOLD);
  assert.match(runCli(["stats", ...common]).stdout, new RegExp(`^${APP} \\(banned\\)\\s+\\d+`, "m"));

  phase("stats checked");

  // --- the ban survives a restart of the monitor and is re-applied at start ---
  await monitor.stop();
  await network.connect({ Container: (await appContainer.inspect()).Id, EndpointConfig: { IPAMConfig: { IPv4Address: app.ip }, Aliases: [APP] } });
  assert.match(await probeProxy(appContainer, app.egressIp, "reachability-probe.example"), /^HTTP\/1\.1 /, "reconnected behind the monitor's back");
  monitor.start();
  await waitFor("the restarted monitor to cut the app off again", 30_000, async () => (Object.keys((await appContainer.inspect()).NetworkSettings.Networks).length === 0 ? true : undefined));
  await monitor.waitForLog("following egress:", 30_000, 2);
  phase("ban re-applied after a monitor restart");
  // --- a recreated container of a banned app is cut off again ---
  await appContainer.remove({ force: true });
  appContainer = await createApp();
  await waitFor("the recreated container to be cut off", 30_000, async () => (Object.keys((await appContainer.inspect()).NetworkSettings.Networks).length === 0 ? true : undefined));

  phase("recreated container cut off");
  // --- unban through the running monitor: same address and alias again ---
  const unban = runCli(["unban", APP, ...common, "--by", "e2e-test"]);
  assert.equal(unban.status, 0, unban.stderr);
  const attachment = (await appContainer.inspect()).NetworkSettings.Networks[app.network.dockerName];
  assert.equal(attachment?.IPAddress, app.ip);
  assert.ok(attachment?.Aliases?.includes(APP));
  assert.match(await probeProxy(appContainer, app.egressIp, "reachability-probe.example"), /^HTTP\/1\.1 /, "reaches the proxy again");
  assert.equal(JSON.parse(readFileSync(files.bansFile, "utf8")).bans.length, 0);

  phase("unbanned, proxy reachable again");
  // --- stop the monitor; its audit log verifies, and fails after a one-byte change ---
  await monitor.stop();
  phase("monitor stopped");
  const auditFile = files.auditFile;
  const verified = verifyAudit(files);
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /^OK /);
  const types = auditRecords(files).map((record) => record.type);
  for (const type of ["header", "start", "event", "ban", "enforcement", "unban", "stop", "checkpoint"]) assert.ok(types.includes(type), `audit log has a ${type} record`);

  phase("audit log verified");
  const bytes = readFileSync(auditFile);
  const banLine = types.indexOf("ban");
  let offset = 0;
  for (let line = 0; line < banLine; line++) offset = bytes.indexOf(0x0a, offset) + 1;
  const target = bytes.indexOf(Buffer.from('"app":"'), offset) + 7;
  bytes[target] = bytes[target] === 0x78 ? 0x79 : 0x78; // one byte of the banned app's name
  writeFileSync(auditFile, bytes);
  const tampered = verifyAudit(files);
  assert.equal(tampered.status, 1, tampered.stdout + tampered.stderr);
  assert.match(tampered.stdout, new RegExp(`modified: line ${banLine + 1} `));
});
