// Verifies an audit log: every record's MAC, the chain of `prev` MACs, the sequence numbers, and the
// signed checkpoint beside the log (which catches a cut-off tail). Every finding names the line and/or
// the sequence numbers concerned.
import { readFileSync } from "node:fs";
import { AUDIT_FORMAT, AUDIT_VERSION, AuditKey, checkpointPath, checkpointSigningText, CheckpointFile, decodeLine } from "./format";
import { AuditLogError } from "./errors";

type AuditProblemKind = "modified" | "deleted" | "inserted" | "reordered" | "duplicated" | "spliced" | "truncated" | "checkpoint";

interface AuditProblem {
  kind: AuditProblemKind;
  /** 1-based line number in the file, when the finding is about one line */
  line?: number;
  /** sequence numbers concerned */
  seqs?: [number, number];
  message: string;
}

interface VerifyReport {
  ok: boolean;
  logId?: string;
  /** lines that are authentic records */
  authenticRecords: number;
  lines: number;
  problems: AuditProblem[];
  warnings: string[];
  /** a final line without its newline: a write cut off by a crash */
  tornTail?: { line: number; byteOffset: number; bytes: number };
  checkpoint?: { count: number; time: string };
}

interface AuthenticEntry {
  line: number;
  mac: string;
  prev: string;
}

interface DamagedEntry {
  line: number;
  claimedSeq?: number;
  claimedMac?: string;
  reason: string;
}

export function verifyAuditText(text: string, key: AuditKey, checkpoint?: CheckpointFile, sourceName = "audit log"): VerifyReport {
  if (text.length === 0) throw new AuditLogError(`${sourceName} is empty: it has no header record, so it is not (or no longer) a platform audit log`);
  const warnings: string[] = [];
  const problems: AuditProblem[] = [];
  const lines = text.split("\n");
  let tornTail: VerifyReport["tornTail"];
  if (lines[lines.length - 1] === "") lines.pop();
  else {
    const torn = lines.pop()!;
    tornTail = { line: lines.length + 1, byteOffset: Buffer.byteLength(text) - Buffer.byteLength(torn), bytes: Buffer.byteLength(torn) };
    warnings.push(`line ${tornTail.line} is incomplete (${tornTail.bytes} bytes at byte offset ${tornTail.byteOffset}, no final newline): a write cut off by a crash; it is ignored and every record before it is intact`);
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
    authentic.set(record.seq, { line, mac: record.mac, prev: record.prev });
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

  let checkpointInfo: VerifyReport["checkpoint"];
  let expectedCount = maxSeq + 1;
  if (checkpoint) {
    const { sig, ...signed } = checkpoint;
    if (key.mac(checkpointSigningText(signed)) !== sig) {
      problems.push({ kind: "checkpoint", message: "the checkpoint file fails its signature: it was modified" });
    } else if (logId && checkpoint.logId !== logId) {
      problems.push({ kind: "checkpoint", message: `the checkpoint file belongs to log ${checkpoint.logId}, not to this log (${logId})` });
    } else {
      checkpointInfo = { count: checkpoint.count, time: checkpoint.time };
      expectedCount = Math.max(expectedCount, checkpoint.count);
      const last = authentic.get(checkpoint.count - 1);
      if (last && last.mac !== checkpoint.lastMac) {
        problems.push({ kind: "checkpoint", line: last.line, seqs: [checkpoint.count - 1, checkpoint.count - 1], message: `record seq ${checkpoint.count - 1} (line ${last.line}) is not the one the checkpoint of ${checkpoint.time} signed: the log was rewritten` });
      }
    }
  } else {
    warnings.push("no checkpoint file: records cut off the end of the log cannot be detected");
  }

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
      problems.push({ kind: "truncated", seqs: [from, to], message: `the log was truncated: it ends at record seq ${maxSeq} (line ${maxSeqLine}) but the checkpoint of ${checkpointInfo?.time} counted ${checkpointInfo?.count} records, so seq ${from}..${to} were cut off${cut}` });
    } else {
      const before = authentic.get(from - 1);
      const after = authentic.get(to + 1);
      const where = [before && `after line ${before.line}`, after && `before line ${after.line}`].filter(Boolean).join(", ");
      problems.push({ kind: "deleted", seqs: [from, to], message: `record${from === to ? ` seq ${from} was` : `s seq ${from}..${to} were`} deleted${where ? ` (${where})` : ""}` });
    }
  }
  problems.sort((a, b) => (a.line ?? a.seqs?.[0] ?? 0) - (b.line ?? b.seqs?.[0] ?? 0));
  return { ok: problems.length === 0, logId, authenticRecords: authentic.size, lines: lines.length, problems, warnings, tornTail, checkpoint: checkpointInfo };
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

export function readCheckpoint(logFile: string): CheckpointFile | undefined {
  let text: string;
  try {
    text = readFileSync(checkpointPath(logFile), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new AuditLogError(`cannot read the checkpoint file ${checkpointPath(logFile)}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as CheckpointFile;
  } catch {
    return { format: AUDIT_FORMAT, logId: "", count: 0, lastMac: "", time: "", sig: "unparseable" };
  }
}

export function verifyAuditFile(file: string, key: AuditKey): VerifyReport {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new AuditLogError(`cannot read audit log ${file}: ${(error as Error).message}`);
  }
  return verifyAuditText(text, key, readCheckpoint(file), file);
}

export function formatVerifyReport(file: string, report: VerifyReport): string {
  const lines = [
    report.ok
      ? `OK ${file}: ${report.authenticRecords} records verified${report.checkpoint ? `, checkpoint of ${report.checkpoint.time} (${report.checkpoint.count} records) matches` : ""}`
      : `TAMPERED ${file}: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} (${report.authenticRecords} of ${report.lines} lines authentic)`,
    ...report.problems.map((p) => `  ${p.kind}: ${p.message}`),
    ...report.warnings.map((w) => `  warning: ${w}`),
  ];
  return lines.join("\n");
}
