import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { AuditKey } from "../monitor/audit/format";
import { AuditWriter } from "../monitor/audit/writer";
import { verifyAuditFile } from "../monitor/audit/verify";
import { BanStore } from "../monitor/bans";
import { Monitor } from "../monitor/detector";
import { DEFAULT_RULES, RuleSettings } from "../config/monitor";
import { formatStatsTable } from "../monitor/stats";
import { loadMonitorConfig, parseMonitorConfig } from "../monitor/config";

const KEY = AuditKey.fromText("33".repeat(32), "test");
const RULES: RuleSettings = { ...DEFAULT_RULES, egressDenials: { enabled: true, threshold: 5, windowSeconds: 10 } };
const T0 = Date.parse("2026-11-23T12:00:00Z");

function denied(app: string, i: number): string {
  return JSON.stringify({ source: "egress", time: new Date(T0 + i * 100).toISOString(), app, client: "10.208.4.20", method: "CONNECT", host: `h${i % 3}.example.org`, port: 443, url: `h${i % 3}.example.org:443`, status: 403, result: "TCP_DENIED", duration_ms: 0 });
}
function ok(app: string, i: number, status = 200): string {
  return JSON.stringify({ source: "gateway", time: new Date(T0 + i * 100).toISOString(), app, client: "10.208.5.20", peer: "-", method: "GET", path: "/", service: "weather", status, flags: "-", duration_ms: 1 });
}

function setup(t: { after: (fn: () => void) => void }, dryRun = false) {
  const dir = mkdtempSync(join(tmpdir(), "monitor-engine-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const logged: string[] = [];
  const open = () => {
    const audit = AuditWriter.open(join(dir, "audit.jsonl"), KEY);
    const bans = BanStore.load(join(dir, "bans.json"), "test");
    const monitor = new Monitor({ stack: "test", rules: RULES, statsWindowSeconds: 60, dryRun, audit, bans, log: (level, message) => logged.push(`${level}: ${message}`), now: () => T0 + 10_000 });
    return { audit, bans, monitor };
  };
  return { dir, logged, open };
}

test("crossing a threshold bans with evidence, audits durably and persists the ban", (t) => {
  const { dir, logged, open } = setup(t);
  const { audit, monitor } = open();
  for (let i = 0; i < 10; i++) monitor.ingestLine(ok("good", i), "gateway:test");
  for (let i = 0; i < 6; i++) monitor.ingestLine(denied("bad", i), "egress:test");
  // the ban record is on disk before anything else happens (appendDurable), even though the writer is still open
  const onDisk = readFileSync(join(dir, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const banRecord = onDisk.find((r) => r.type === "ban");
  assert.equal(banRecord.data.app, "bad");
  assert.equal(banRecord.data.evidence.rule, "egressDenials");
  assert.equal(banRecord.data.evidence.count, 6);
  assert.equal(banRecord.data.evidence.samples.length, 5);
  assert.equal(onDisk.filter((r) => r.type === "event").length, 6, "each denial is a security event");
  const bans = JSON.parse(readFileSync(join(dir, "bans.json"), "utf8"));
  assert.deepEqual(bans.bans.map((b: { app: string }) => b.app), ["bad"]);
  assert.match(logged.join("\n"), /banned app bad: more than 5 egress requests denied/);
  audit.close();
  assert.equal(verifyAuditFile(join(dir, "audit.jsonl"), KEY).ok, true);
});

test("bans survive a restart; unban is audited, persisted and resets the windows", async (t) => {
  const { dir, open } = setup(t);
  let { audit, monitor } = open();
  for (let i = 0; i < 6; i++) monitor.ingestLine(denied("bad", i), "egress:test");
  audit.close();

  ({ audit, monitor } = open());
  assert.equal(monitor.rules.isBanned("bad"), true, "loaded from bans.json");
  for (let i = 6; i < 20; i++) monitor.ingestLine(denied("bad", i), "egress:test");
  assert.equal(readFileSync(join(dir, "audit.jsonl"), "utf8").split('"type":"ban"').length - 1, 1, "no second ban while banned");
  await assert.rejects(monitor.unban("nobody", "test"), /"nobody" is not banned \(banned apps: bad\)/);
  const lifted = await monitor.unban("bad", "alice");
  assert.equal(lifted.evidence.rule, "egressDenials");
  assert.equal(monitor.rules.isBanned("bad"), false);
  for (let i = 20; i < 25; i++) monitor.ingestLine(denied("bad", i), "egress:test");
  assert.equal(monitor.rules.isBanned("bad"), false, "five fresh denials are not more than five");
  audit.close();
  const records = readFileSync(join(dir, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(records.find((r) => r.type === "unban").data.by, "alice");
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "bans.json"), "utf8")).bans, []);
  assert.equal(verifyAuditFile(join(dir, "audit.jsonl"), KEY).ok, true);
});

test("dry run reports what it would ban and bans nothing", (t) => {
  const { dir, logged, open } = setup(t, true);
  const { audit, bans, monitor } = open();
  // a flood of 200 denials in 20 s: reported once per 10 s window, not once per event or per 6 events
  for (let i = 0; i < 200; i++) monitor.ingestLine(denied("bad", i), "egress:test");
  audit.close();
  assert.deepEqual(bans.list(), []);
  const records = readFileSync(join(dir, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const reports = records.filter((r) => r.type === "would-ban");
  assert.deepEqual(reports.map((r) => r.data.evidence.lastTime), [new Date(T0 + 500).toISOString(), new Date(T0 + 11_000).toISOString()]);
  assert.equal(records.filter((r) => r.type === "ban").length, 0);
  assert.match(logged.join("\n"), /DRY RUN: would ban app bad/);
});

test("statistics per app match a direct count", (t) => {
  const { open } = setup(t);
  const { audit, monitor } = open();
  const statuses = [200, 200, 201, 400, 401, 403, 403, 429, 500, 503, 404];
  statuses.forEach((status, i) => monitor.ingestLine(ok("web", i, status), "gateway:test"));
  for (let i = 0; i < 4; i++) monitor.ingestLine(denied("web", i), "egress:test");
  monitor.ingestLine("not json at all", "gateway:test");
  const snapshot = monitor.snapshot();
  audit.close();
  const web = snapshot.apps.find((a) => a.app === "web")!;
  assert.deepEqual(web.window, {
    requests: 15,
    status2xx: 3,
    status4xx: 6 + 4,
    status5xx: 2,
    status400: 1,
    status401: 1,
    status403: 2 + 4,
    status429: 1,
    egressDenials: 4,
    distinctDeniedDestinations: 3,
  });
  assert.deepEqual(snapshot.lines, { total: 16, parsed: 15, malformed: 1, malformedByOrigin: { "gateway:test": 1 } });
  assert.match(formatStatsTable(snapshot), /^web\s+15\s+3\s+10\s+2\s+1\s+1\s+6\s+1\s+4\s+3\s+15$/m);
});

test("property: random garbage mixed into the stream never crashes the monitor and is counted", (t) => {
  const { open } = setup(t);
  const { audit, monitor } = open();
  let expectedMalformed = 0;
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string({ maxLength: 120 }), fc.constant(ok("a", 1))), { maxLength: 40 }), (lines) => {
      for (const line of lines) {
        const single = line.replace(/\n/g, " ");
        monitor.ingestLine(single, "fuzz");
        if (single !== ok("a", 1)) expectedMalformed++;
      }
    }),
    { numRuns: 200 },
  );
  audit.close();
  assert.equal(monitor.snapshot().lines.malformed, expectedMalformed);
});

test("platform:monitor config: defaults, overrides, and errors that name the field", () => {
  const defaults = parseMonitorConfig(undefined, "test");
  assert.deepEqual(defaults.rules, DEFAULT_RULES);
  assert.equal(defaults.dryRun, false);
  const custom = parseMonitorConfig({ rules: { requestRate: { threshold: 500 } }, dryRun: true }, "test");
  assert.deepEqual(custom.rules.requestRate, { enabled: true, threshold: 500, windowSeconds: 5 });
  assert.throws(() => parseMonitorConfig({ rules: { requestRate: { threshold: -1 } } }, "test"), /platform:monitor\.rules\.requestRate\.threshold: requestRate\.threshold must be an integer at least 0/);
  assert.throws(() => parseMonitorConfig({ rules: { sqlInjection: {} } }, "test"), /platform:monitor\.rules\.sqlInjection: unknown key/);
  assert.throws(() => parseMonitorConfig({ enabled: true }, "test"), /platform:monitor\.image: the monitor is enabled/);
  assert.throws(() => parseMonitorConfig({ audit: { keySource: "config" } }, "test"), /platform:monitor\.audit\.key: keySource is "config"/);
  const { config, source } = loadMonitorConfig("nope", undefined, { PLATFORM_MONITOR_CONFIG: JSON.stringify({ statsWindowSeconds: 30 }) });
  assert.equal(config.statsWindowSeconds, 30);
  assert.equal(source, "PLATFORM_MONITOR_CONFIG");
});
