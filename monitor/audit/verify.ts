// Verifies an audit log: every record's MAC, the chain of `prev` MACs, the sequence numbers, and how far
// the end of the log is vouched for: by the signed checkpoint file beside the log (mandatory: the monitor
// writes it with the log's first record), and by anchors, signed heads the operator keeps elsewhere
// (`--anchor`), or a count the operator noted (`--expect-at-least`). Every finding names the line and/or
// the sequence numbers concerned. What no verifier can see without an anchor is said in the report:
// records after the newest piece of evidence (see docs/monitor.md, "Truncation and rollback").
import { readFileSync } from "node:fs";
import { asHead, AUDIT_FORMAT, AUDIT_VERSION, AuditKey, checkpointPath, CheckpointFile, decodeLine, headIsAuthentic } from "./format";
import { AuditLogError } from "./errors";

type AuditProblemKind = "modified" | "deleted" | "inserted" | "reordered" | "duplicated" | "spliced" | "truncated" | "checkpoint" | "replaced";

interface AuditProblem {
  kind: AuditProblemKind;
  /** 1-based line number in the file, when the finding is about one line */
  line?: number;
  /** sequence numbers concerned */
  seqs?: [number, number];
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  logId?: string;
  /** the time of the header record: when this log was begun */
  begun?: string;
  /** lines that are authentic records */
  authenticRecords: number;
  lines: number;
  problems: AuditProblem[];
  warnings: string[];
  /** a final line without its newline: a write cut off by a crash (or a cut) */
  tornTail?: { line: number; byteOffset: number; bytes: number };
  checkpoint?: { count: number; time: string };
  /** evidence that records seq 0..count-1 exist: the checkpoint file, anchors, --expect-at-least */
  vouched: { count: number; by: string[] };
  /** authentic records after the vouched point: records cut off among or after them would not be seen */
  unvouched?: [number, number];
  /** the last record is the writer's closing checkpoint (the log was closed cleanly) */
  closed?: { seq: number; time: string };
  /** the authentic record with the highest seq: what a new anchor signs */
  last?: { seq: number; mac: string; time: string };
  /** no problem, no partial line, and the evidence vouches for every record present */
  complete: boolean;
}

/** A signed head kept outside the state directory, and where it was read (`anchors.jsonl line 3`). */
export interface Anchor {
  head: CheckpointFile;
  source: string;
}

interface VerifyOptions {
  anchors?: Anchor[];
  /** the operator's own count: the log must hold at least this many records */
  expectAtLeast?: number;
}

interface AuthenticEntry {
  line: number;
  mac: string;
  prev: string;
  time: string;
}

interface DamagedEntry {
  line: number;
  claimedSeq?: number;
  claimedMac?: string;
  reason: string;
}

/** One piece of evidence of how long the log was: accepted when it is authentic and for this log. */
interface Evidence {
  label: string;
  count: number;
  lastMac?: string;
}

/** The anchors whose signature fails are unusable input (exit 2), not a finding about the log. */
function checkAnchorSignatures(anchors: Anchor[], key: AuditKey): void {
  for (const { head, source } of anchors) {
    if (!headIsAuthentic(head, key)) throw new AuditLogError(`anchor ${source} is not signed with this key: it was written with another key, or edited; pass the key of this log and an unedited anchor`);
  }
}

const newestFirst = (a: Anchor, b: Anchor) => (a.head.time < b.head.time ? 1 : a.head.time > b.head.time ? -1 : 0);

/** A log with no complete record (empty, missing, cut inside its header) that evidence says was longer. */
function vanishedLogReport(what: string, checkpoint: CheckpointFile | undefined, anchors: Anchor[], key: AuditKey): VerifyReport | undefined {
  checkAnchorSignatures(anchors, key);
  const evidence = [
    ...(checkpoint && headIsAuthentic(checkpoint, key) ? [{ label: `the checkpoint file of ${checkpoint.time}`, head: checkpoint }] : []),
    ...[...anchors].sort(newestFirst).slice(0, 1).map((a) => ({ label: `anchor ${a.source} of ${a.head.time}`, head: a.head })),
  ];
  if (evidence.length === 0) return undefined;
  const problems: AuditProblem[] = evidence.map(({ label, head }) => ({
    kind: "truncated" as const,
    seqs: [0, head.count - 1] as [number, number],
    message: `the log ${what}, but ${label} counted ${head.count} records of log ${head.logId}: it was deleted or emptied`,
  }));
  return { ok: false, authenticRecords: 0, lines: 0, problems, warnings: [], vouched: { count: 0, by: [] }, complete: false };
}

/**
 * Verifies the text of a log. `checkpoint` is the signed checkpoint file beside it (undefined: none
 * exists, which is itself a finding once the log holds more than its header).
 */
export function verifyAuditText(text: string, key: AuditKey, checkpoint?: CheckpointFile, sourceName = "audit log", options: VerifyOptions = {}): VerifyReport {
  const anchors = options.anchors ?? [];
  checkAnchorSignatures(anchors, key);
  const warnings: string[] = [];
  const problems: AuditProblem[] = [];
  const lines = text.split("\n");
  let tornTail: VerifyReport["tornTail"];
  if (lines[lines.length - 1] === "") lines.pop();
  else {
    const torn = lines.pop()!;
    tornTail = { line: lines.length + 1, byteOffset: Buffer.byteLength(text) - Buffer.byteLength(torn), bytes: Buffer.byteLength(torn) };
  }
  if (lines.length === 0) {
    const what = text.length === 0 ? "is empty" : "holds no complete record (only a partial first line)";
    const vanished = vanishedLogReport(what, checkpoint, anchors, key);
    if (vanished) return vanished;
    throw new AuditLogError(`${sourceName} ${what}: it has no header record, so it is not (or no longer) a platform audit log`);
  }

  const decoded = lines.map((line) => decodeLine(line, key));
  const header = decoded.find((d) => d.ok && d.record.type === "header" && (d.record.data as { format?: unknown })?.format === AUDIT_FORMAT);
  if (!header || !header.ok) {
    if (!decoded.slice(0, 10).some((d) => d.ok)) {
      throw new AuditLogError(`${sourceName} is not a platform audit log: its first lines are not audit records (expected JSON lines with seq, type, time, prev, data and mac, starting with a "${AUDIT_FORMAT}" header)`);
    }
    warnings.push("no header record found: the key id and log id cannot be checked");
  }
  const headerData = header && header.ok ? (header.record.data as { version?: unknown; logId?: unknown; keyId?: unknown }) : undefined;
  if (headerData) {
    if (headerData.version !== AUDIT_VERSION) throw new AuditLogError(`${sourceName} has format version ${JSON.stringify(headerData.version)}; this monitor reads version ${AUDIT_VERSION}`);
    if (headerData.keyId !== key.id) {
      throw new AuditLogError(`${sourceName} was written with a different key (key id ${String(headerData.keyId)}, the given key has id ${key.id}): pass the key this log was written with`);
    }
  }
  const logId = typeof headerData?.logId === "string" ? headerData.logId : undefined;
  const begun = header && header.ok && header.authentic ? header.record.time : undefined;

  const authentic = new Map<number, AuthenticEntry>();
  const damaged: DamagedEntry[] = [];
  // file order of authentic seqs, to find each damaged line's neighbours
  const orderedAuthentic: { line: number; seq: number }[] = [];
  let maxSeq = -1;
  let maxSeqLine = 0;
  decoded.forEach((entry, index) => {
    const line = index + 1;
    if (!entry.ok) {
      damaged.push({ line, claimedSeq: entry.claimedSeq, claimedMac: entry.claimedMac, reason: entry.reason });
      return;
    }
    const { record } = entry;
    if (!entry.authentic) {
      damaged.push({ line, claimedSeq: record.seq, claimedMac: record.mac, reason: "its MAC does not match its content" });
      return;
    }
    const seen = authentic.get(record.seq);
    if (seen) {
      problems.push({ kind: "duplicated", line, seqs: [record.seq, record.seq], message: `line ${line} repeats record seq ${record.seq} of line ${seen.line} (a replayed copy)` });
      return;
    }
    authentic.set(record.seq, { line, mac: record.mac, prev: record.prev, time: record.time });
    orderedAuthentic.push({ line, seq: record.seq });
    if (record.seq < maxSeq) {
      problems.push({ kind: "reordered", line, seqs: [record.seq, record.seq], message: `line ${line} holds record seq ${record.seq} after seq ${maxSeq} (line ${maxSeqLine}): records were reordered` });
    } else {
      maxSeq = record.seq;
      maxSeqLine = line;
    }
  });

  for (const [seq, entry] of authentic) {
    if (seq === 0) {
      if (entry.prev !== "") problems.push({ kind: "spliced", line: entry.line, seqs: [0, 0], message: `line ${entry.line}: record seq 0 must start the chain` });
      continue;
    }
    const predecessor = authentic.get(seq - 1);
    if (predecessor && entry.prev !== predecessor.mac) {
      problems.push({ kind: "spliced", line: entry.line, seqs: [seq, seq], message: `line ${entry.line}: record seq ${seq} does not chain to record seq ${seq - 1} (line ${predecessor.line}): it comes from another log` });
    }
  }

  // how long the log was, by the evidence: records seq 0..count-1 must exist, record count-1 must be the one signed
  const evidence: Evidence[] = [];
  const checkLastRecord = (label: string, count: number, lastMac: string) => {
    const last = authentic.get(count - 1);
    if (last && last.mac !== lastMac) {
      problems.push({ kind: "checkpoint", line: last.line, seqs: [count - 1, count - 1], message: `record seq ${count - 1} (line ${last.line}) is not the one ${label} signed: the log was rewritten` });
    }
  };
  let checkpointInfo: VerifyReport["checkpoint"];
  if (checkpoint) {
    if (!headIsAuthentic(checkpoint, key)) {
      problems.push({ kind: "checkpoint", message: "the checkpoint file fails its signature: it was modified" });
    } else if (logId && checkpoint.logId !== logId) {
      problems.push({ kind: "checkpoint", message: `the checkpoint file belongs to log ${checkpoint.logId}, not to this log (${logId})` });
    } else {
      checkpointInfo = { count: checkpoint.count, time: checkpoint.time };
      evidence.push({ label: `the checkpoint file of ${checkpoint.time}`, count: checkpoint.count, lastMac: checkpoint.lastMac });
    }
  } else if (maxSeq >= 1) {
    problems.push({
      kind: "checkpoint",
      message: `the checkpoint file${sourceName === "audit log" ? "" : ` ${checkpointPath(sourceName)}`} is missing: the monitor writes it with the log's first record and never removes it, so it was deleted (or not copied along with the log); without it a cut-off end cannot be detected`,
    });
  } else {
    warnings.push("no checkpoint file: the log holds only its header (the monitor stopped right after creating it)");
  }

  if (anchors.length > 0) {
    const [newest] = [...anchors].sort(newestFirst);
    if (logId && newest.head.logId !== logId) {
      problems.push({
        kind: "replaced",
        message: `the newest anchor (${newest.source}, ${newest.head.time}) vouches for log ${newest.head.logId} with ${newest.head.count} records, but this is log ${logId}${begun ? `, begun ${begun}` : ""}: the anchored log was deleted or replaced by a new one`,
      });
    }
    const others = anchors.filter((a) => logId && a.head.logId !== logId && a !== newest);
    if (others.length > 0) warnings.push(`${others.length} older anchor${others.length === 1 ? " is" : "s are"} for other logs (${[...new Set(others.map((a) => a.head.logId))].join(", ")}) and ${others.length === 1 ? "was" : "were"} not checked`);
    for (const { head, source } of anchors) {
      if (logId && head.logId !== logId) continue;
      evidence.push({ label: `anchor ${source} of ${head.time}`, count: head.count, lastMac: head.lastMac });
    }
  }
  if (options.expectAtLeast !== undefined) evidence.push({ label: `--expect-at-least ${options.expectAtLeast}`, count: options.expectAtLeast });
  for (const e of evidence) if (e.lastMac !== undefined) checkLastRecord(e.label, e.count, e.lastMac);

  const longest = evidence.reduce<Evidence | undefined>((best, e) => (!best || e.count > best.count ? e : best), undefined);
  const expectedCount = Math.max(maxSeq + 1, longest?.count ?? 0);
  const missing = new Set<number>();
  for (let seq = 0; seq < expectedCount; seq++) if (!authentic.has(seq)) missing.add(seq);

  for (const entry of damaged) {
    const neighbours = neighbourSeqs(orderedAuthentic, entry.line);
    let slot: number | undefined;
    if (entry.claimedSeq !== undefined && (missing.has(entry.claimedSeq) || (entry.claimedSeq === maxSeq + 1 && neighbours.next === undefined))) slot = entry.claimedSeq;
    else if (neighbours.previous !== undefined && missing.has(neighbours.previous + 1) && (neighbours.next === undefined || neighbours.next === neighbours.previous + 2)) slot = neighbours.previous + 1;
    if (slot !== undefined) {
      missing.delete(slot);
      problems.push({ kind: "modified", line: entry.line, seqs: [slot, slot], message: `line ${entry.line} (record seq ${slot}) was modified: ${entry.reason}` });
    } else if (entry.claimedSeq !== undefined && authentic.has(entry.claimedSeq)) {
      problems.push({ kind: "inserted", line: entry.line, seqs: [entry.claimedSeq, entry.claimedSeq], message: `line ${entry.line} was inserted: it claims seq ${entry.claimedSeq}, which is the authentic record on line ${authentic.get(entry.claimedSeq)!.line}, and ${entry.reason}` });
    } else {
      problems.push({ kind: "inserted", line: entry.line, message: `line ${entry.line} was inserted or modified: ${entry.reason}` });
    }
  }

  for (const [from, to] of ranges([...missing].sort((a, b) => a - b))) {
    if (from > maxSeq) {
      const cut = tornTail ? ` (line ${tornTail.line} is a partial write)` : "";
      problems.push({ kind: "truncated", seqs: [from, to], message: `the log was truncated: it ends at record seq ${maxSeq} (line ${maxSeqLine}) but ${longest?.label} counted ${longest?.count} records, so seq ${from}..${to} were cut off${cut}` });
    } else {
      const before = authentic.get(from - 1);
      const after = authentic.get(to + 1);
      const where = [before && `after line ${before.line}`, after && `before line ${after.line}`].filter(Boolean).join(", ");
      problems.push({ kind: "deleted", seqs: [from, to], message: `record${from === to ? ` seq ${from} was` : `s seq ${from}..${to} were`} deleted${where ? ` (${where})` : ""}` });
    }
  }
  if (tornTail) {
    const cutOrCrash = tornTail.line === maxSeqLine + 1 ? "a write cut off by a crash, or a cut made to look like one" : "after damaged lines";
    warnings.push(`line ${tornTail.line} is incomplete (${tornTail.bytes} bytes at byte offset ${tornTail.byteOffset}, no final newline): ${cutOrCrash}; it is ignored`);
  }
  problems.sort((a, b) => (a.line ?? a.seqs?.[0] ?? 0) - (b.line ?? b.seqs?.[0] ?? 0));

  const vouchedCount = Math.min(longest?.count ?? 0, maxSeq + 1);
  const lastEntry = authentic.get(maxSeq);
  const closed = lastEntry ? closingOf(lines[lastEntry.line - 1], maxSeq) : undefined;
  const ok = problems.length === 0;
  return {
    ok,
    logId,
    begun,
    authenticRecords: authentic.size,
    lines: lines.length,
    problems,
    warnings,
    tornTail,
    checkpoint: checkpointInfo,
    vouched: { count: vouchedCount, by: evidence.filter((e) => e.count >= vouchedCount && vouchedCount > 0).map((e) => e.label) },
    ...(vouchedCount < maxSeq + 1 ? { unvouched: [vouchedCount, maxSeq] as [number, number] } : {}),
    ...(closed ? { closed } : {}),
    ...(lastEntry ? { last: { seq: maxSeq, mac: lastEntry.mac, time: lastEntry.time } } : {}),
    complete: ok && !tornTail && vouchedCount === maxSeq + 1,
  };
}

/** The writer's closing checkpoint (`{"count":…,"closed":true}`) as the last record: the log was closed cleanly. */
function closingOf(line: string, seq: number): { seq: number; time: string } | undefined {
  try {
    const record = JSON.parse(line) as { type?: string; time?: string; data?: { closed?: unknown } };
    return record.type === "checkpoint" && record.data?.closed === true && typeof record.time === "string" ? { seq, time: record.time } : undefined;
  } catch {
    return undefined;
  }
}

function neighbourSeqs(ordered: { line: number; seq: number }[], line: number): { previous?: number; next?: number } {
  let previous: number | undefined;
  let next: number | undefined;
  for (const entry of ordered) {
    if (entry.line < line) previous = entry.seq;
    else {
      next = entry.seq;
      break;
    }
  }
  return { previous, next };
}

function ranges(sorted: number[]): [number, number][] {
  const result: [number, number][] = [];
  for (const value of sorted) {
    const last = result[result.length - 1];
    if (last && last[1] === value - 1) last[1] = value;
    else result.push([value, value]);
  }
  return result;
}

/** The checkpoint file beside the log; undefined when there is none. An unreadable one fails its signature. */
export function readCheckpoint(logFile: string): CheckpointFile | undefined {
  let text: string;
  try {
    text = readFileSync(checkpointPath(logFile), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new AuditLogError(`cannot read the checkpoint file ${checkpointPath(logFile)}: ${(error as Error).message}`);
  }
  let head: CheckpointFile | string;
  try {
    head = asHead(JSON.parse(text));
  } catch {
    head = "is not JSON";
  }
  return typeof head === "string" ? { format: AUDIT_FORMAT, logId: "", count: 0, lastMac: "", time: "", sig: "unparseable" } : head;
}

/**
 * The signed heads in an anchor file: one per line, each a JSON object from its first `{` on, so a copy of
 * the checkpoint file, the output of `monitor anchor`, and the monitor's own `... audit head: {...}` log
 * lines all serve. Blank lines are skipped; anything else is an error naming the line (exit 2).
 */
export function readAnchors(file: string): Anchor[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new AuditLogError(`cannot read the anchor file ${file} (--anchor): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; pass a file of signed heads (monitor anchor, or a copy of the .checkpoint file)`);
  }
  const anchors: Anchor[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const source = `${file} line ${index + 1}`;
    const brace = line.indexOf("{");
    let head: CheckpointFile | string = "holds no JSON object";
    if (brace !== -1) {
      try {
        head = asHead(JSON.parse(line.slice(brace)));
      } catch {
        head = "is not JSON from its first {";
      }
    }
    if (typeof head === "string") throw new AuditLogError(`anchor ${source} ${head}: an anchor file holds signed heads, one per line (monitor anchor, or a copy of the .checkpoint file)`);
    anchors.push({ head, source });
  });
  if (anchors.length === 0) throw new AuditLogError(`the anchor file ${file} (--anchor) holds no signed head: fill it with monitor anchor, or a copy of the .checkpoint file`);
  return anchors;
}

/** Reads and verifies a log file. The checkpoint is read first: it never counts records the log text read afterwards lacks. */
export function verifyAuditFile(file: string, key: AuditKey, options: VerifyOptions = {}): VerifyReport {
  const checkpoint = readCheckpoint(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      const vanished = vanishedLogReport("is missing", checkpoint, options.anchors ?? [], key);
      if (vanished) return vanished;
    }
    throw new AuditLogError(`cannot read audit log ${file}: ${(error as Error).message}`);
  }
  return verifyAuditText(text, key, checkpoint, file, options);
}

/** `seq a..b` or `seq a`. */
function seqRange(from: number, to: number): string {
  return from === to ? `seq ${from}` : `seq ${from}..${to}`;
}

/** Where the end of the log stands: always said, because it is what no MAC can prove. */
function endLines(report: VerifyReport, anchored: boolean): string[] {
  const lines: string[] = [];
  const present = report.vouched.count + (report.unvouched ? report.unvouched[1] - report.unvouched[0] + 1 : 0);
  if (report.vouched.count === 0) lines.push("vouched for: no record (no checkpoint file or anchor covers any)");
  else lines.push(`vouched for: ${seqRange(0, report.vouched.count - 1)}${report.unvouched ? "" : ", every record present"} (${report.vouched.by.join("; ")})`);
  if (report.unvouched) {
    const [from, to] = report.unvouched;
    lines.push(`not vouched for: ${seqRange(from, to)} came after the newest checkpoint; they are authentic, but had records after seq ${to} (or among ${seqRange(from, to)}) been cut off, nothing here could tell`);
  }
  if (present > 0) {
    lines.push(
      report.closed
        ? `end: the monitor closed the log cleanly at ${report.closed.time} (seq ${report.closed.seq})`
        : `end: no clean close after seq ${present - 1}: a monitor is still writing it, it crashed, or the log was cut there`,
    );
  }
  if (!anchored) lines.push("note: a rollback of the log and its checkpoint file together to an earlier state cannot be seen from the state directory alone; keep anchors off-host and pass --anchor (docs/monitor.md, \"Truncation and rollback\")");
  return lines;
}

export function formatVerifyReport(file: string, report: VerifyReport, anchored = false): string {
  const lines = [
    report.ok
      ? `OK ${file}: ${report.authenticRecords} records authentic and chained${report.logId ? ` (log ${report.logId}${report.begun ? `, begun ${report.begun}` : ""})` : ""}`
      : `TAMPERED ${file}: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} (${report.authenticRecords} of ${report.lines} lines authentic)`,
    ...report.problems.map((p) => `  ${p.kind}: ${p.message}`),
    ...endLines(report, anchored).map((l) => `  ${l}`),
    ...report.warnings.map((w) => `  warning: ${w}`),
  ];
  return lines.join("\n");
}
