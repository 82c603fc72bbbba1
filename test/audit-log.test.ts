import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, appendFileSync, rmSync, existsSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { AuditKey } from "../monitor/audit/format";
import { AuditWriter } from "../monitor/audit/writer";
import { AuditLogError } from "../monitor/audit/errors";
import { readCheckpoint, verifyAuditFile, verifyAuditText } from "../monitor/audit/verify";

const KEY = AuditKey.fromText("11".repeat(32), "test");
const OTHER_KEY = AuditKey.fromText("22".repeat(32), "test");

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "audit-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A closed log with `events` event records (plus header and the closing checkpoint). */
function writeLog(file: string, events: number, options = {}): void {
  const writer = AuditWriter.open(file, KEY, { checkpointEveryRecords: 7, ...options });
  for (let i = 0; i < events; i++) writer.append("event", { i, app: `app-${i % 3}`, status: 403 });
  writer.close();
}

function lines(file: string): string[] {
  return readFileSync(file, "utf8").split("\n").slice(0, -1);
}

function writeLines(file: string, content: string[]): void {
  writeFileSync(file, content.map((l) => `${l}\n`).join(""));
}

test("an untouched log verifies, with the checkpoint covering every record", (t) => {
  const file = join(tempDir(t), "audit.jsonl");
  writeLog(file, 20);
  const report = verifyAuditFile(file, KEY);
  assert.equal(report.ok, true, JSON.stringify(report.problems));
  assert.equal(report.authenticRecords, lines(file).length);
  assert.equal(report.checkpoint?.count, lines(file).length);
  assert.deepEqual(report.warnings, []);
});

test("the key never appears in the log, and a different key is a clear error, not tampering", (t) => {
  const file = join(tempDir(t), "audit.jsonl");
  writeLog(file, 3);
  assert.ok(!readFileSync(file, "utf8").includes("11".repeat(32)));
  assert.equal(JSON.stringify({ key: KEY }), '{"key":"[audit key]"}');
  assert.throws(() => verifyAuditFile(file, OTHER_KEY), (e: unknown) => e instanceof AuditLogError && /different key/.test((e as Error).message));
});

test("foreign, empty and unreadable files give clear errors", (t) => {
  const dir = tempDir(t);
  const foreign = join(dir, "access.log");
  writeFileSync(foreign, '{"source":"egress","time":"2026-01-01T00:00:00Z"}\nhello\n');
  assert.throws(() => verifyAuditFile(foreign, KEY), /not a platform audit log/);
  const empty = join(dir, "empty.jsonl");
  writeFileSync(empty, "");
  assert.throws(() => verifyAuditFile(empty, KEY), /is empty/);
  assert.throws(() => verifyAuditFile(join(dir, "missing.jsonl"), KEY), /cannot read audit log .*ENOENT/);
  assert.throws(() => AuditWriter.open(foreign, KEY), /not a platform audit log/);
});

test("a key is hex only: raw text, 0x, inner whitespace, odd or short hex are refused, naming the source; the key is never quoted", () => {
  const hex = "ab".repeat(32);
  assert.equal(AuditKey.fromText(`  ${hex}\n`, "test").id, AuditKey.fromText(hex.toUpperCase(), "test").id, "surrounding whitespace and case do not matter");
  const refused: [string, RegExp][] = [
    ["", /is empty/],
    ["x".repeat(64), /is not hex \(64 characters.*never taken as raw text/],
    // the old rule took this as 64 raw bytes: the same length as a hex key, but text
    ["correct horse battery staple, correct horse battery staple!!!!!!", /is not hex/],
    [`0x${hex}`, /starts with "0x"/],
    [`${hex.slice(0, 32)} ${hex.slice(32)}`, /whitespace inside/],
    [`${hex}a`, /odd number of hex digits \(65\)/],
    ["ab".repeat(16), /is 16 bytes \(32 hex digits\), too short: use at least 32 bytes/],
  ];
  for (const [text, message] of refused) {
    assert.throws(
      () => AuditKey.fromText(text, "$SOME_SOURCE", "FIX IT"),
      (error: Error) => message.test(error.message) && error.message.startsWith("the audit key from $SOME_SOURCE ") && error.message.endsWith(": FIX IT") && (text.trim() === "" || !error.message.includes(text.trim())),
      JSON.stringify(text),
    );
  }
});

test("modification of one byte is pinpointed to its line", (t) => {
  const file = join(tempDir(t), "audit.jsonl");
  writeLog(file, 10);
  const content = lines(file);
  content[4] = content[4].replace('"status":403', '"status":200');
  writeLines(file, content);
  const report = verifyAuditFile(file, KEY);
  assert.equal(report.ok, false);
  assert.deepEqual(report.problems.map((p) => [p.kind, p.line]), [["modified", 5]]);
});

test("deletion, insertion, replay, reordering and truncation are each detected and located", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "audit.jsonl");
  writeLog(file, 12);
  const original = lines(file);

  writeLines(file, [...original.slice(0, 3), ...original.slice(5)]);
  let report = verifyAuditFile(file, KEY);
  assert.deepEqual(report.problems.map((p) => [p.kind, p.seqs]), [["deleted", [3, 4]]]);

  const forged = original[6].replace('"i":5', '"i":99');
  writeLines(file, [...original.slice(0, 6), forged, ...original.slice(6)]);
  report = verifyAuditFile(file, KEY);
  assert.deepEqual(report.problems.map((p) => [p.kind, p.line]), [["inserted", 7]]);

  writeLines(file, [...original.slice(0, 9), original[2], ...original.slice(9)]);
  report = verifyAuditFile(file, KEY);
  assert.deepEqual(report.problems.map((p) => [p.kind, p.line]), [["duplicated", 10]]);

  const swapped = [...original];
  [swapped[5], swapped[6]] = [swapped[6], swapped[5]];
  writeLines(file, swapped);
  report = verifyAuditFile(file, KEY);
  assert.deepEqual(report.problems.map((p) => [p.kind, p.line]), [["reordered", 7]]);

  writeLines(file, original.slice(0, original.length - 3));
  report = verifyAuditFile(file, KEY);
  assert.deepEqual(report.problems.map((p) => [p.kind, p.seqs]), [["truncated", [original.length - 3, original.length - 1]]]);
});

test("a records spliced in from another log with the same key are detected", (t) => {
  const dir = tempDir(t);
  const a = join(dir, "a.jsonl");
  const b = join(dir, "b.jsonl");
  writeLog(a, 6);
  writeLog(b, 6);
  const spliced = [...lines(a).slice(0, 4), lines(b)[4], ...lines(a).slice(5)];
  writeLines(a, spliced);
  const report = verifyAuditFile(a, KEY);
  assert.equal(report.ok, false);
  assert.ok(report.problems.some((p) => p.kind === "spliced" && p.line === 5), JSON.stringify(report.problems));
});

test("a modified or deleted checkpoint file is reported", (t) => {
  const file = join(tempDir(t), "audit.jsonl");
  writeLog(file, 5);
  const checkpointFile = `${file}.checkpoint`;
  const checkpoint = JSON.parse(readFileSync(checkpointFile, "utf8"));
  writeFileSync(checkpointFile, JSON.stringify({ ...checkpoint, count: checkpoint.count - 1 }));
  assert.deepEqual(verifyAuditFile(file, KEY).problems.map((p) => p.kind), ["checkpoint"]);
  // the writer creates it with the log and never removes it: a missing one is a finding, not a warning
  unlinkSync(checkpointFile);
  const report = verifyAuditFile(file, KEY);
  assert.equal(report.ok, false);
  assert.deepEqual(report.problems.map((p) => p.kind), ["checkpoint"]);
  assert.match(report.problems[0].message, /checkpoint file .*audit\.jsonl\.checkpoint is missing/);
});

test("a torn last write (crash mid-record) leaves earlier records intact and is recovered on reopen", (t) => {
  const file = join(tempDir(t), "audit.jsonl");
  const writer = AuditWriter.open(file, KEY, { checkpointEveryRecords: 1000 });
  for (let i = 0; i < 5; i++) writer.appendDurable("ban", { app: `a${i}` });
  writer.append("event", { i: "not yet synced" });
  writer.sync();
  // simulate the crash: the process dies while writing the next record, half of it reaches the disk
  const fullLine = lines(file)[lines(file).length - 1];
  appendFileSync(file, fullLine.slice(0, Math.floor(fullLine.length / 2)));
  const before = readFileSync(file, "utf8");

  const report = verifyAuditText(before, KEY, readCheckpoint(file));
  assert.equal(report.ok, true, JSON.stringify(report.problems));
  assert.equal(report.tornTail?.line, lines(file).length + 1);
  assert.match(report.warnings.join("\n"), /cut off by a crash/);

  // the crashed process never closes; a new one reopens the same file
  const reopened = AuditWriter.open(file, KEY);
  reopened.appendDurable("event", { after: "restart" });
  reopened.close();
  const after = readFileSync(file, "utf8");
  const intactPrefix = before.slice(0, before.lastIndexOf("\n") + 1);
  assert.ok(after.startsWith(intactPrefix), "earlier records are byte-for-byte unchanged");
  const recovery = lines(file).map((l) => JSON.parse(l)).find((r) => r.type === "recovery");
  assert.equal(recovery.data.droppedBytes, Buffer.byteLength(before) - Buffer.byteLength(intactPrefix));
  assert.equal(verifyAuditFile(file, KEY).ok, true);
});

test("a torn write of a record the checkpoint already counted is truncation, not a crash", (t) => {
  const file = join(tempDir(t), "audit.jsonl");
  writeLog(file, 4);
  const text = readFileSync(file, "utf8");
  writeFileSync(file, text.slice(0, text.length - 20));
  const report = verifyAuditFile(file, KEY);
  assert.equal(report.ok, false);
  assert.deepEqual(report.problems.map((p) => p.kind), ["truncated"]);
});

test("reopening a tampered log for appending is refused with the findings", (t) => {
  const file = join(tempDir(t), "audit.jsonl");
  writeLog(file, 4);
  const content = lines(file);
  content.splice(2, 1);
  writeLines(file, content);
  assert.throws(() => AuditWriter.open(file, KEY), (error: Error) => /^refusing to append to .*audit\.jsonl: it fails verification \(1 problem, first: deleted: record seq 2 was deleted.*move .* aside/.test(error.message) && !error.message.includes("\n"));
});

type Edit =
  | { kind: "modify"; line: number; position: number; char: string }
  | { kind: "delete"; line: number; count: number }
  | { kind: "insert"; line: number; from: number }
  | { kind: "forge"; line: number; text: string }
  | { kind: "swap"; line: number; other: number }
  | { kind: "truncate"; keep: number; partial: number };

const editArbitrary = (lineCount: number): fc.Arbitrary<Edit> =>
  fc.oneof(
    fc.record({ kind: fc.constant("modify" as const), line: fc.nat(lineCount - 1), position: fc.nat(), char: fc.constantFrom("0", "a", "x", "}", '"', " ", "\\", "Z") }),
    fc.record({ kind: fc.constant("delete" as const), line: fc.nat(lineCount - 1), count: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant("insert" as const), line: fc.nat(lineCount), from: fc.nat(lineCount - 1) }),
    fc.record({ kind: fc.constant("forge" as const), line: fc.nat(lineCount), text: fc.string({ maxLength: 80 }).filter((s) => !s.includes("\n")) }),
    fc.record({ kind: fc.constant("swap" as const), line: fc.nat(lineCount - 1), other: fc.nat(lineCount - 1) }),
    fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat(lineCount - 1), partial: fc.nat(200) }),
  );

/** Applies an edit; returns undefined when it would leave the file unchanged. */
function applyEdit(original: string[], edit: Edit): string | undefined {
  const content = [...original];
  switch (edit.kind) {
    case "modify": {
      const line = content[edit.line];
      const position = edit.position % line.length;
      if (line[position] === edit.char) return undefined;
      content[edit.line] = line.slice(0, position) + edit.char + line.slice(position + 1);
      break;
    }
    case "delete":
      content.splice(edit.line, edit.count);
      break;
    case "insert":
      content.splice(edit.line, 0, original[edit.from]);
      break;
    case "forge":
      content.splice(edit.line, 0, edit.text);
      break;
    case "swap":
      if (edit.line === edit.other) return undefined;
      [content[edit.line], content[edit.other]] = [content[edit.other], content[edit.line]];
      break;
    case "truncate": {
      const text = content.slice(0, edit.keep).map((l) => `${l}\n`).join("") + content[edit.keep].slice(0, edit.partial % content[edit.keep].length);
      return text;
    }
  }
  return content.map((l) => `${l}\n`).join("");
}

test("property: every random edit is detected and the finding points at the edit", { timeout: 120_000 }, (t) => {
  const file = join(tempDir(t), "audit.jsonl");
  writeLog(file, 25);
  const original = lines(file);
  const checkpoint = readCheckpoint(file);
  fc.assert(
    fc.property(editArbitrary(original.length), (edit) => {
      const edited = applyEdit(original, edit);
      fc.pre(edited !== undefined);
      let report;
      try {
        report = verifyAuditText(edited!, KEY, checkpoint);
      } catch (error) {
        // only possible when the edit destroyed the header and the first lines beyond recognition
        assert.ok(error instanceof AuditLogError);
        return;
      }
      assert.equal(report.ok, false, `undetected ${JSON.stringify(edit)}`);
      const lineNumbers = report.problems.map((p) => p.line);
      const seqs = report.problems.flatMap((p) => (p.seqs ? [p.seqs] : []));
      const coversSeq = (seq: number) => seqs.some(([from, to]) => from <= seq && seq <= to);
      switch (edit.kind) {
        case "modify":
          assert.ok(lineNumbers.includes(edit.line + 1), `modify of line ${edit.line + 1}: ${JSON.stringify(report.problems)}`);
          break;
        case "delete":
          assert.ok(coversSeq(edit.line), `delete of seq ${edit.line}: ${JSON.stringify(report.problems)}`);
          break;
        case "insert":
        case "forge":
          // an exact copy is indistinguishable from its original: either of the two lines may be named
          const copyOfLine = edit.kind === "insert" ? (edit.from < edit.line ? edit.from + 1 : edit.from + 2) : -1;
          assert.ok(lineNumbers.includes(edit.line + 1) || lineNumbers.includes(copyOfLine), `insert at line ${edit.line + 1}: ${JSON.stringify(report.problems)}`);
          break;
        case "swap":
          assert.ok(report.problems.some((p) => p.kind === "reordered"), `swap: ${JSON.stringify(report.problems)}`);
          break;
        case "truncate":
          assert.ok(coversSeq(edit.keep), `truncate at seq ${edit.keep}: ${JSON.stringify(report.problems)}`);
          break;
      }
    }),
    { numRuns: 400 },
  );
});

test("checkpoint file exists after open and the writer keeps working across a clean reopen", (t) => {
  const file = join(tempDir(t), "audit.jsonl");
  writeLog(file, 3);
  assert.ok(existsSync(`${file}.checkpoint`));
  const writer = AuditWriter.open(file, KEY);
  writer.append("event", { more: true });
  writer.close();
  const report = verifyAuditFile(file, KEY);
  assert.equal(report.ok, true, JSON.stringify(report.problems));
});

test("a deleted or emptied log is not silently replaced by a new one", (t) => {
  const file = join(tempDir(t), "audit.jsonl");
  writeLog(file, 3);
  const count = lines(file).length;
  writeFileSync(file, "");
  assert.throws(() => AuditWriter.open(file, KEY), new RegExp(`is empty, but its checkpoint file .* counted ${count} records.*deleted or truncated`, "s"));
  unlinkSync(file);
  assert.throws(() => AuditWriter.open(file, KEY), /is missing, but its checkpoint file/);
});
