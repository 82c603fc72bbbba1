// What an attacker with write access to the state directory, but without the key, can do to the END of
// the audit log, and what the verifier and the monitor then say (docs/monitor.md, "Truncation and rollback"):
//   - cut the tail (whole lines or mid-line)            → truncated, by the checkpoint file
//   - cut the tail and delete the checkpoint file       → the missing checkpoint file is itself a finding
//   - roll log and checkpoint file back together        → undetectable in the directory: the report says how
//                                                          far it vouches; an anchor kept elsewhere detects it
//   - delete everything                                  → a new log; an anchor detects the replacement
// plus a property: a random cut point under random evidence never verifies as complete unless it is exactly
// the point the evidence vouches for (a rollback), and an ok report always says how far it is vouched for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { AuditKey, CheckpointFile, signHead } from "../monitor/audit/format";
import { AuditWriter } from "../monitor/audit/writer";
import { AuditLogError } from "../monitor/audit/errors";
import { Anchor, formatVerifyReport, readAnchors, readCheckpoint, verifyAuditFile, verifyAuditText, VerifyReport } from "../monitor/audit/verify";
import { REPO_ROOT } from "./support/stack-config";

const KEY_HEX = "5a".repeat(32);
const KEY = AuditKey.fromText(KEY_HEX, "test");
const OTHER_KEY = AuditKey.fromText("a5".repeat(32), "test");
const T0 = Date.parse("2026-11-23T12:00:00Z");

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "audit-trunc-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface History {
  file: string;
  text: string;
  /** every distinct checkpoint file the writer left behind, oldest first (what an attacker could have copied) */
  checkpoints: CheckpointFile[];
  /** byte offsets at which the log ended when each run was closed cleanly */
  closes: number[];
}

/**
 * A log written over three runs (events, a ban, clean closes), keeping a copy of every checkpoint file
 * state in between: the material of every rollback.
 */
function writeHistory(dir: string, runs = 3, eventsPerRun = 9): History {
  const file = join(dir, "audit.jsonl");
  let clock = T0;
  const options = { checkpointEveryRecords: 4, syncIntervalMs: 1, now: () => new Date((clock += 10)) };
  const checkpoints: CheckpointFile[] = [];
  const keep = () => {
    const current = readCheckpoint(file)!;
    if (checkpoints[checkpoints.length - 1]?.count !== current.count) checkpoints.push(current);
  };
  const closes: number[] = [];
  for (let run = 0; run < runs; run++) {
    const writer = AuditWriter.open(file, KEY, options);
    keep();
    writer.appendDurable("start", { run });
    keep();
    for (let i = 0; i < eventsPerRun; i++) {
      writer.append("event", { run, i, app: "app-a", status: 403 });
      keep();
    }
    writer.appendDurable("ban", { app: "app-a", run });
    keep();
    writer.close();
    keep();
    closes.push(Buffer.byteLength(readFileSync(file, "utf8")));
  }
  return { file, text: readFileSync(file, "utf8"), checkpoints, closes };
}

const recordCount = (text: string) => text.split("\n").length - 1;

function putCheckpoint(file: string, checkpoint: CheckpointFile | undefined): void {
  if (checkpoint) writeFileSync(`${file}.checkpoint`, `${JSON.stringify(checkpoint)}\n`);
  else if (existsSync(`${file}.checkpoint`)) unlinkSync(`${file}.checkpoint`);
}

const kinds = (report: VerifyReport) => report.problems.map((p) => p.kind);
const anchorOf = (head: CheckpointFile, source = "anchors line 1"): Anchor => ({ head, source });

test("a cut-off tail is detected by the checkpoint file, whether whole lines or mid-line", (t) => {
  const history = writeHistory(tempDir(t));
  const total = recordCount(history.text);
  const lines = history.text.split("\n").slice(0, -1);
  const checkpoint = readCheckpoint(history.file)!;
  assert.equal(checkpoint.count, total, "after a clean close the checkpoint file counts every record");

  const wholeLines = `${lines.slice(0, total - 5).join("\n")}\n`;
  let report = verifyAuditText(wholeLines, KEY, checkpoint);
  assert.deepEqual(kinds(report), ["truncated"]);
  assert.deepEqual(report.problems[0].seqs, [total - 5, total - 1]);
  assert.match(report.problems[0].message, /the checkpoint file of .* counted \d+ records, so seq \d+\.\.\d+ were cut off/);

  const midLine = history.text.slice(0, history.text.length - 30);
  report = verifyAuditText(midLine, KEY, checkpoint);
  assert.deepEqual(kinds(report), ["truncated"]);
  assert.match(report.problems[0].message, /is a partial write/);
  assert.equal(report.complete, false);
});

test("cutting the tail AND deleting the checkpoint file is detected: the missing file is a finding, and the monitor refuses the log", (t) => {
  const history = writeHistory(tempDir(t));
  writeFileSync(history.file, history.text.slice(0, history.closes[1]));
  putCheckpoint(history.file, undefined);
  const report = verifyAuditFile(history.file, KEY);
  assert.equal(report.ok, false);
  assert.deepEqual(kinds(report), ["checkpoint"]);
  assert.match(report.problems[0].message, /is missing: the monitor writes it with the log's first record and never removes it/);
  assert.throws(() => AuditWriter.prepare(history.file, KEY), /refusing to append .*checkpoint: the checkpoint file .* is missing/);
  // only a log that is nothing but its header may lack it (the monitor stopped between the two atomic writes)
  const headerOnly = `${history.text.split("\n")[0]}\n`;
  const alone = verifyAuditText(headerOnly, KEY, undefined);
  assert.equal(alone.ok, true);
  assert.equal(alone.complete, false, "nothing vouches for it");
  assert.match(alone.warnings.join("\n"), /holds only its header/);
});

test("a rollback of log and checkpoint file together is invisible in the directory, and the report says exactly how far it vouches; an anchor or a count kept elsewhere catches it", (t) => {
  const history = writeHistory(tempDir(t));
  const final = readCheckpoint(history.file)!;
  // the attacker had copied the state after the first run; later they put that copy back
  const firstRunEnd = history.closes[0];
  const oldCheckpoint = history.checkpoints.find((c) => c.count === recordCount(history.text.slice(0, firstRunEnd)))!;
  writeFileSync(history.file, history.text.slice(0, firstRunEnd));
  putCheckpoint(history.file, oldCheckpoint);

  const report = verifyAuditFile(history.file, KEY);
  assert.equal(report.ok, true, "a consistent earlier state: nothing in the directory contradicts it");
  assert.equal(report.vouched.count, oldCheckpoint.count);
  assert.deepEqual(report.vouched.by, [`the checkpoint file of ${oldCheckpoint.time}`]);
  assert.equal(report.closed?.seq, oldCheckpoint.count - 1, "it even ends with a clean close");
  const text = formatVerifyReport(history.file, report);
  assert.match(text, new RegExp(`vouched for: seq 0\\.\\.${oldCheckpoint.count - 1}, every record present \\(the checkpoint file of ${oldCheckpoint.time}\\)`));
  assert.match(text, /note: a rollback of the log and its checkpoint file together .* cannot be seen from the state directory alone; keep anchors off-host and pass --anchor/);

  const anchored = verifyAuditFile(history.file, KEY, { anchors: [anchorOf(final, "off-host line 7")] });
  assert.deepEqual(kinds(anchored), ["truncated"]);
  assert.match(anchored.problems[0].message, new RegExp(`anchor off-host line 7 of ${final.time} counted ${final.count} records`));
  assert.doesNotMatch(formatVerifyReport(history.file, anchored, true), /note: a rollback/, "the note is for reports without external evidence");

  const counted = verifyAuditFile(history.file, KEY, { expectAtLeast: final.count });
  assert.deepEqual(kinds(counted), ["truncated"]);
  assert.match(counted.problems[0].message, new RegExp(`--expect-at-least ${final.count} counted ${final.count} records`));

  // rolling back the log alone is caught by the current checkpoint file
  putCheckpoint(history.file, final);
  assert.deepEqual(kinds(verifyAuditFile(history.file, KEY)), ["truncated"]);
});

test("a cut inside the records after the newest checkpoint looks like a crash: the report says they are not vouched for, and the reopened log records the ambiguity", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "audit.jsonl");
  const writer = AuditWriter.open(file, KEY, { checkpointEveryRecords: 1000, checkpointIntervalMs: 3_600_000 });
  writer.appendDurable("ban", { app: "a" });
  const vouched = readCheckpoint(file)!.count;
  for (let i = 0; i < 6; i++) writer.append("event", { i });
  writer.sync();
  // the monitor is killed: no closing checkpoint; then an attacker cuts two records and half of a third
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n").slice(0, -1);
  const cut = `${lines.slice(0, lines.length - 3).join("\n")}\n${lines[lines.length - 3].slice(0, 40)}`;
  writeFileSync(file, cut);

  const report = verifyAuditFile(file, KEY);
  assert.equal(report.ok, true, "indistinguishable from a crash mid-write");
  assert.equal(report.complete, false);
  assert.equal(report.vouched.count, vouched);
  assert.deepEqual(report.unvouched, [vouched, lines.length - 4]);
  assert.equal(report.closed, undefined);
  const said = formatVerifyReport(file, report);
  assert.match(said, new RegExp(`not vouched for: seq ${vouched}\\.\\.${lines.length - 4} came after the newest checkpoint; they are authentic, but had records after seq ${lines.length - 4} .* been cut off, nothing here could tell`));
  assert.match(said, new RegExp(`end: no clean close after seq ${lines.length - 4}: a monitor is still writing it, it crashed, or the log was cut there`));
  assert.match(said, /warning: line \d+ is incomplete .*a write cut off by a crash, or a cut made to look like one/);

  const reopened = AuditWriter.open(file, KEY);
  reopened.close();
  const recovery = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l)).find((r) => r.type === "recovery");
  assert.equal(recovery.data.previousEnd.seq, lines.length - 4);
  assert.equal(recovery.data.previousEnd.closedCleanly, false);
  assert.equal(recovery.data.vouchedByCheckpoint, vouched);
  assert.equal(recovery.data.droppedBytes, 40);
  const after = verifyAuditFile(file, KEY);
  assert.equal(after.complete, true);
  assert.ok(after.closed);
});

test("an unclean end without a partial line is recorded on reopen too; a clean close is not", (t) => {
  const file = join(tempDir(t), "audit.jsonl");
  const writer = AuditWriter.open(file, KEY);
  writer.appendDurable("ban", { app: "a" });
  // killed: never closed
  const reopened = AuditWriter.open(file, KEY);
  reopened.close();
  const again = AuditWriter.open(file, KEY);
  again.close();
  const recoveries = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((r) => r.type === "recovery");
  assert.equal(recoveries.length, 1, "one for the kill, none for the clean close");
  assert.match(recoveries[0].data.reason, /not closed by its writer: a crash, a kill, or records cut off after seq 1/);
  assert.equal(recoveries[0].data.droppedBytes, undefined);
});

test("deleting everything: without evidence a new log is all there is; an anchor reports the deletion and the replacement", (t) => {
  const dir = tempDir(t);
  const history = writeHistory(dir, 1);
  const anchor = anchorOf(readCheckpoint(history.file)!);
  unlinkSync(history.file);
  unlinkSync(`${history.file}.checkpoint`);
  assert.throws(() => verifyAuditFile(history.file, KEY), /cannot read audit log .*ENOENT/, "alone, a verifier knows of no log");
  const gone = verifyAuditFile(history.file, KEY, { anchors: [anchor] });
  assert.deepEqual(kinds(gone), ["truncated"]);
  assert.match(gone.problems[0].message, new RegExp(`the log is missing, but anchor anchors line 1 of .* counted ${anchor.head.count} records of log ${anchor.head.logId}: it was deleted or emptied`));

  // the monitor starts afresh: a valid new log, which the anchor does not vouch for
  AuditWriter.open(history.file, KEY).close();
  assert.equal(verifyAuditFile(history.file, KEY).ok, true);
  const replaced = verifyAuditFile(history.file, KEY, { anchors: [anchor] });
  assert.deepEqual(kinds(replaced), ["replaced"]);
  assert.match(replaced.problems[0].message, new RegExp(`the newest anchor \\(anchors line 1, .*\\) vouches for log ${anchor.head.logId} with ${anchor.head.count} records, but this is log [0-9a-f]{24}, begun .*: the anchored log was deleted or replaced by a new one`));
});

test("an emptied or missing log whose checkpoint file remains is a finding, not an unusable file", (t) => {
  const history = writeHistory(tempDir(t), 1);
  writeFileSync(history.file, "");
  let report = verifyAuditFile(history.file, KEY);
  assert.deepEqual(kinds(report), ["truncated"]);
  assert.match(report.problems[0].message, /the log is empty, but the checkpoint file of .* counted \d+ records/);
  writeFileSync(history.file, history.text.slice(0, 50));
  report = verifyAuditFile(history.file, KEY);
  assert.match(report.problems[0].message, /holds no complete record/);
  unlinkSync(history.file);
  report = verifyAuditFile(history.file, KEY);
  assert.match(report.problems[0].message, /the log is missing, but the checkpoint file/);
});

test("anchors: signed heads from a copy of the checkpoint file or the monitor's own log lines; forged, edited or foreign ones are refused", (t) => {
  const dir = tempDir(t);
  const history = writeHistory(dir, 2);
  const current = readCheckpoint(history.file)!;
  const anchorFile = join(dir, "anchors.txt");
  // what `docker logs <monitor> | grep "audit head:"` gives, plus a plain copy of the checkpoint file
  writeFileSync(anchorFile, [`2026-11-23T12:00:01.000Z monitor info: audit head: ${JSON.stringify(history.checkpoints[2])}`, "", JSON.stringify(current)].join("\n"));
  const anchors = readAnchors(anchorFile);
  assert.deepEqual(anchors.map((a) => [a.source, a.head.count]), [[`${anchorFile} line 1`, history.checkpoints[2].count], [`${anchorFile} line 3`, current.count]]);
  const report = verifyAuditFile(history.file, KEY, { anchors });
  assert.equal(report.complete, true);
  assert.ok(report.vouched.by.includes(`anchor ${anchorFile} line 3 of ${current.time}`), JSON.stringify(report.vouched));

  // lowering the count of a head (to fit a shortened log) breaks its signature: unusable input, exit 2
  const lowered = { ...current, count: current.count - 3 };
  assert.throws(() => verifyAuditFile(history.file, KEY, { anchors: [anchorOf(lowered)] }), (e: unknown) => e instanceof AuditLogError && /anchor anchors line 1 is not signed with this key/.test((e as Error).message));
  assert.throws(() => verifyAuditFile(history.file, OTHER_KEY, { anchors: [anchorOf(current)] }), AuditLogError);
  writeFileSync(anchorFile, "just a note\n");
  assert.throws(() => readAnchors(anchorFile), /anchor .* line 1 holds no JSON object/);
  writeFileSync(anchorFile, '{"format":"something-else"}\n');
  assert.throws(() => readAnchors(anchorFile), /is not a signed head of a platform-audit-log/);
  writeFileSync(anchorFile, "\n\n");
  assert.throws(() => readAnchors(anchorFile), /holds no signed head/);
  assert.throws(() => readAnchors(join(dir, "nope")), /cannot read the anchor file .*nope \(--anchor\): ENOENT/);

  // anchors of an earlier log (the operator began a new one) are named, not checked, while the newest matches
  const otherDir = tempDir(t);
  const other = writeHistory(otherDir, 1);
  const older = { ...readCheckpoint(other.file)!, time: "2026-01-01T00:00:00.000Z" };
  const resigned = signHead(older, KEY);
  const mixed = verifyAuditFile(history.file, KEY, { anchors: [anchorOf(resigned, "a line 1"), anchorOf(current, "a line 2")] });
  assert.equal(mixed.ok, true, JSON.stringify(mixed.problems));
  assert.match(mixed.warnings.join("\n"), new RegExp(`1 older anchor is for other logs \\(${older.logId}\\) and was not checked`));
});

test("monitor verify and monitor anchor through the CLI: exit codes, the anchor file grows only for a log that verifies", (t) => {
  const dir = tempDir(t);
  const history = writeHistory(dir, 1);
  const keyFile = join(dir, "key");
  writeFileSync(keyFile, `${KEY_HEX}\n`);
  const anchors = join(dir, "offhost", "anchors.jsonl");
  const cli = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "monitor/cli.ts"), ...args, "--audit-key-file", keyFile], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });

  let result = cli("anchor", history.file, "--anchor", anchors);
  assert.equal(result.status, 2, "its directory must exist: nothing is created");
  assert.match(result.stderr, /^monitor: --anchor .*anchors\.jsonl: its directory .*offhost does not exist/);
  assert.equal(result.stderr.trim().split("\n").length, 1);

  const anchorFile = join(dir, "anchors.jsonl");
  result = cli("anchor", history.file, "--anchor", anchorFile);
  assert.equal(result.status, 0, result.stderr);
  const head = JSON.parse(result.stdout);
  assert.equal(head.count, recordCount(history.text));
  assert.equal(readFileSync(anchorFile, "utf8"), result.stdout);

  result = cli("verify", history.file, "--anchor", anchorFile);
  assert.equal(result.status, 0, result.stdout);
  assert.match(result.stdout, /^OK .*\n {2}vouched for: seq 0\.\.\d+, every record present \(the checkpoint file of .*; anchor .*anchors\.jsonl line 1 of .*\)/);

  // roll back log and checkpoint file: the directory alone still verifies, the anchor does not
  const early = history.checkpoints[3];
  writeFileSync(history.file, history.text.split("\n").slice(0, early.count).map((l) => `${l}\n`).join(""));
  putCheckpoint(history.file, early);
  result = cli("verify", history.file);
  assert.equal(result.status, 0, result.stdout);
  assert.match(result.stdout, /end: no clean close after seq \d+/);
  result = cli("verify", history.file, "--anchor", anchorFile);
  assert.equal(result.status, 1, result.stdout);
  assert.match(result.stdout, /^TAMPERED .*\n {2}truncated: the log was truncated/);
  result = cli("verify", history.file, "--expect-at-least", String(head.count));
  assert.equal(result.status, 1);
  result = cli("anchor", history.file, "--anchor", anchorFile);
  assert.equal(result.status, 1, "no anchor for a log that fails");
  assert.match(result.stderr, /no anchor written/);
  assert.equal(readFileSync(anchorFile, "utf8").trim().split("\n").length, 1);

  for (const bad of ["0", "-3", "1.5", "ten"]) {
    result = cli("verify", history.file, `--expect-at-least=${bad}`);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^monitor: --expect-at-least must be a record count of 1 or more/);
  }
  result = cli("verify", history.file, "--anchor", join(dir, "missing"));
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^monitor: cannot read the anchor file .*missing \(--anchor\): ENOENT/);
  result = cli("verify", history.file, "--json");
  assert.equal(result.status, 0);
  const json = JSON.parse(result.stdout);
  assert.equal(json.vouched.count, early.count);
  assert.equal(json.complete, true);
});

/** Where the cut leaves the log: complete lines kept, and whether a partial line follows. */
function cutShape(text: string, at: number): { records: number; partial: boolean } {
  const kept = text.slice(0, at);
  return { records: recordCount(kept), partial: kept.length > 0 && !kept.endsWith("\n") };
}

test("property: a random cut under random evidence is never complete unless it is exactly where the evidence ends, and an ok report says how far it is vouched for", { timeout: 180_000 }, (t) => {
  const history = writeHistory(tempDir(t));
  const { text, checkpoints } = history;
  const total = recordCount(text);
  const current = checkpoints[checkpoints.length - 1];
  assert.equal(current.count, total);
  // the evidence the verifier gets: the checkpoint file as the writer left it, deleted, or rolled back to an
  // older copy; and perhaps an anchor the operator kept (any head the monitor ever printed)
  const evidence = fc.record({
    checkpoint: fc.oneof(fc.constant("current" as const), fc.constant("deleted" as const), fc.nat(checkpoints.length - 1)),
    anchor: fc.option(fc.nat(checkpoints.length - 1), { nil: undefined }),
  });
  // cut anywhere, and often exactly at a line end (where a rollback to an older copy cuts)
  const lineEnds = [...text.matchAll(/\n/g)].map((m) => m.index! + 1);
  const cutPoint = fc.oneof(fc.nat(text.length), fc.constantFrom(0, ...lineEnds));
  fc.assert(
    fc.property(cutPoint, evidence, (at, chosen) => {
      const checkpoint = chosen.checkpoint === "current" ? current : chosen.checkpoint === "deleted" ? undefined : checkpoints[chosen.checkpoint];
      const anchors = chosen.anchor === undefined ? [] : [anchorOf(checkpoints[chosen.anchor])];
      const vouchedBy = Math.max(checkpoint?.count ?? 0, ...anchors.map((a) => a.head.count));
      const { records, partial } = cutShape(text, at);
      const cut = at < text.length;
      let report: VerifyReport;
      try {
        report = verifyAuditText(text.slice(0, at), KEY, checkpoint, "audit log", { anchors });
      } catch (error) {
        // no complete record and nothing that says there were any: not a log at all (exit 2), never "intact"
        assert.ok(error instanceof AuditLogError);
        assert.equal(records, 0);
        assert.equal(vouchedBy, 0);
        return;
      }
      if (!report.ok) return; // detected
      // it verified: only when the cut is at or after everything the evidence vouches for
      assert.ok(records >= vouchedBy, `cut at ${records} records${partial ? " + partial" : ""} verified although ${vouchedBy} are vouched for`);
      assert.ok(checkpoint !== undefined || records <= 1, "without its checkpoint file only a bare header verifies");
      assert.equal(report.vouched.count, vouchedBy, "the report says how far it vouches");
      if (report.complete) {
        assert.equal(records, vouchedBy, "complete only exactly at the point the evidence vouches for");
        assert.equal(partial, false);
        if (checkpoint === current) assert.equal(cut, false, "with the current checkpoint file every cut is detected");
      } else {
        assert.ok(partial || records > vouchedBy, "an incomplete report has an unvouched tail or a partial line");
        if (records > vouchedBy) assert.deepEqual(report.unvouched, [vouchedBy, records - 1]);
        if (partial) assert.ok(report.tornTail);
      }
    }),
    { numRuns: 1500 },
  );
});
