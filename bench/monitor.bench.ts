// Monitor throughput: log lines per second through parse + windows + rules + audit append (with the
// real fsync policy), and audit-log verification speed. Run: npx tsx bench/monitor.bench.ts
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditKey } from "../monitor/audit/format";
import { AuditWriter } from "../monitor/audit/writer";
import { verifyAuditFile } from "../monitor/audit/verify";
import { BanStore } from "../monitor/bans";
import { Monitor } from "../monitor/detector";
import { DEFAULT_RULES } from "../config/monitor";

const TARGET_LINES_PER_SECOND = 50_000;
const LINES = 300_000;
const APPS = 40;

function gatewayLine(app: number, timeMs: number, status: number): string {
  return JSON.stringify({ source: "gateway", time: new Date(timeMs).toISOString(), app: `app-${app}`, client: `10.208.${4 + app}.20`, peer: `spiffe://dev.platform.example/app/app-${app}`, method: "GET", path: "/v1/forecast?city=berlin", service: "weather", status, flags: status === 429 ? "RL" : "-", duration_ms: 4 });
}
function egressLine(app: number, timeMs: number, denied: boolean): string {
  const host = denied ? `exfil-${timeMs % 97}.example.org` : "api.example.com";
  return JSON.stringify({ source: "egress", time: (timeMs / 1000).toFixed(3), app: `app-${app}`, client: `10.208.${4 + app}.20`, method: "CONNECT", host, port: 443, url: `${host}:443`, status: denied ? 403 : 200, result: denied ? "TCP_DENIED" : "TCP_TUNNEL", duration_ms: 12 });
}

/** `securityShare` of the lines are denials/401/403/429 (audited); timestamps advance 1 ms per line. */
function makeChunks(securityShare: number): { chunks: string[]; bytes: number } {
  const start = Date.parse("2026-11-23T12:00:00Z");
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const app = i % APPS;
    const security = (i * 7919) % 1000 < securityShare * 1000;
    const kind = i % 4;
    if (kind < 2) lines.push(gatewayLine(app, start + i, security ? [401, 403, 429][i % 3] : 200));
    else lines.push(egressLine(app, start + i, security));
  }
  const text = `${lines.join("\n")}\n`;
  const chunks: string[] = [];
  for (let offset = 0; offset < text.length; offset += 64 * 1024) chunks.push(text.slice(offset, offset + 64 * 1024));
  return { chunks, bytes: Buffer.byteLength(text) };
}

function run(label: string, securityShare: number, dir: string, key: AuditKey) {
  const { chunks, bytes } = makeChunks(securityShare);
  const file = join(dir, `${label}.jsonl`);
  const audit = AuditWriter.open(file, key);
  // thresholds high enough that nobody is banned: every line goes the full way through the rules
  const rules = Object.fromEntries(Object.entries(DEFAULT_RULES).map(([name, r]) => [name, { ...r, threshold: 1_000_000 }])) as typeof DEFAULT_RULES;
  const monitor = new Monitor({ stack: "bench", rules, statsWindowSeconds: 60, dryRun: false, audit, bans: BanStore.load(join(dir, `${label}-bans.json`), "bench"), log: () => undefined });
  const splitter = monitor.splitter("bench");
  const startedAt = process.hrtime.bigint();
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  audit.close(); // includes the final write, fsync and checkpoint
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const snapshot = monitor.snapshot();
  if (snapshot.lines.parsed !== LINES) throw new Error(`parsed ${snapshot.lines.parsed} of ${LINES} lines`);
  return { label, seconds, linesPerSecond: LINES / seconds, mbPerSecond: bytes / 1e6 / seconds, file, auditRecords: audit.nextSeq };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "monitor-bench-"));
  try {
    const key = AuditKey.fromText("ab".repeat(32), "bench");
    console.log(`monitor throughput: ${LINES.toLocaleString("en")} lines, ${APPS} apps, end to end (split, parse, stats, 4 rules, HMAC audit append, fsync policy: group commit every 100 ms, checkpoint every 1000 records at most 10 per second)`);
    const results = [run("mixed-5pct-security", 0.05, dir, key), run("mixed-30pct-security", 0.3, dir, key), run("all-security", 1, dir, key)];
    for (const r of results) {
      const verdict = r.linesPerSecond >= TARGET_LINES_PER_SECOND ? "meets" : "MISSES";
      console.log(`  ${r.label.padEnd(22)} ${Math.round(r.linesPerSecond).toLocaleString("en").padStart(9)} lines/s  (${r.mbPerSecond.toFixed(1)} MB/s, ${r.auditRecords.toLocaleString("en")} audit records, ${r.seconds.toFixed(2)} s) ${verdict} the ${TARGET_LINES_PER_SECOND.toLocaleString("en")} lines/s target (x${(r.linesPerSecond / TARGET_LINES_PER_SECOND).toFixed(2)})`);
    }
    const largest = results[results.length - 1];
    const size = statSync(largest.file).size;
    const startedAt = process.hrtime.bigint();
    const report = verifyAuditFile(largest.file, key);
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    if (!report.ok) throw new Error("the benchmark's own audit log failed verification");
    console.log(`audit verify: ${report.authenticRecords.toLocaleString("en")} records (${(size / 1e6).toFixed(1)} MB) in ${seconds.toFixed(2)} s = ${Math.round(report.authenticRecords / seconds).toLocaleString("en")} records/s, ${(size / 1e6 / seconds).toFixed(1)} MB/s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
