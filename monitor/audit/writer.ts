// Appends to the audit log.
//
// Durability (fsync policy): records are written with group commit. `append` buffers; the buffer is
// written and fdatasync'ed at most `syncIntervalMs` (default 100 ms) later, or as soon as it holds
// 256 KiB. `appendDurable` (bans, unbans, start/stop) writes and fsyncs before it returns, so a ban is
// on disk before the monitor acts on it. A crash can therefore lose at most the last ~100 ms of
// observed events, never a ban. The file is only ever appended to (O_APPEND): a crash mid-write can
// leave a partial last line, never damage an earlier record. On the next open that partial line is
// cut off and a `recovery` record says how many bytes (and their SHA-256) were dropped.
//
// Checkpoints: every `checkpointEveryRecords` records (at most one per sync interval) or
// `checkpointIntervalMs`, and on close, a `checkpoint` record (with the record count) is appended and
// the signed checkpoint file (`<log>.checkpoint`) is atomically replaced; every durable append also
// replaces that file. `verify` thus detects a tail cut off before the latest checkpoint.
import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { AUDIT_FORMAT, AUDIT_VERSION, AuditKey, AuditRecord, AuditRecordType, checkpointPath, checkpointSigningText, CheckpointFile, encodeRecord } from "./format";
import { AuditLogError } from "./errors";
import { formatVerifyReport, readCheckpoint, verifyAuditText } from "./verify";

interface AuditWriterOptions {
  syncIntervalMs?: number;
  checkpointEveryRecords?: number;
  checkpointIntervalMs?: number;
  now?: () => Date;
}

const FLUSH_BYTES = 256 * 1024;

export class AuditWriter {
  private fd: number;
  private seq: number;
  private lastMac: string;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private recordsSinceCheckpoint = 0;
  private lastCheckpointMs: number;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly syncIntervalMs: number;
  private readonly checkpointEveryRecords: number;
  private readonly checkpointIntervalMs: number;
  private readonly now: () => Date;

  private constructor(readonly file: string, private readonly key: AuditKey, readonly logId: string, state: { fd: number; seq: number; lastMac: string }, options: AuditWriterOptions) {
    this.fd = state.fd;
    this.seq = state.seq;
    this.lastMac = state.lastMac;
    this.syncIntervalMs = options.syncIntervalMs ?? 100;
    this.checkpointEveryRecords = options.checkpointEveryRecords ?? 1000;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? 5000;
    this.now = options.now ?? (() => new Date());
    this.lastCheckpointMs = this.now().getTime();
  }

  /**
   * Opens (or creates) the log. An existing log is verified first: appending to a log that fails
   * verification would hide the tampering, so that is refused with the findings.
   */
  static open(file: string, key: AuditKey, options: AuditWriterOptions = {}): AuditWriter {
    let existing: string | undefined;
    try {
      existing = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new AuditLogError(`cannot read audit log ${file}: ${(error as Error).message}`);
    }
    if (existing === undefined || existing.length === 0) {
      const checkpoint = readCheckpoint(file);
      if (checkpoint) {
        throw new AuditLogError(`audit log ${file} is ${existing === undefined ? "missing" : "empty"}, but its checkpoint file (${checkpointPath(file)}) counted ${checkpoint.count} records on ${checkpoint.time}: the log was deleted or truncated. Restore it, or move the checkpoint file aside to start a new log.`);
      }
      // created atomically with its header (temp file, fsync, rename): a crash here leaves no half-made log
      const logId = randomBytes(12).toString("hex");
      const now = (options.now ?? (() => new Date()))();
      const header = encodeRecord({ seq: 0, type: "header", time: now.toISOString(), prev: "", data: { format: AUDIT_FORMAT, version: AUDIT_VERSION, logId, keyId: key.id } }, key);
      const temporary = `${file}.tmp-${process.pid}`;
      writeFileSync(temporary, `${header.line}\n`, { mode: 0o600 });
      const tempFd = openSync(temporary, "r");
      fsyncSync(tempFd);
      closeSync(tempFd);
      renameSync(temporary, file);
      fsyncDirectory(file);
      const writer = new AuditWriter(file, key, logId, { fd: openSync(file, "a"), seq: 1, lastMac: header.mac }, options);
      writer.writeCheckpointFile();
      writer.startTimer();
      return writer;
    }
    const report = verifyAuditText(existing, key, readCheckpoint(file), file);
    if (!report.ok || !report.logId) {
      throw new AuditLogError(`refusing to append to ${file}: it fails verification. Keep it as evidence, move it aside and restart.\n${formatVerifyReport(file, report)}`);
    }
    const fd = openSync(file, "r+");
    let tail = existing;
    let torn: { bytes: number; sha256: string } | undefined;
    if (report.tornTail) {
      const tornText = existing.slice(existing.lastIndexOf("\n") + 1);
      torn = { bytes: report.tornTail.bytes, sha256: createHash("sha256").update(tornText).digest("hex") };
      ftruncateSync(fd, report.tornTail.byteOffset);
      fsyncSync(fd);
      tail = existing.slice(0, existing.lastIndexOf("\n") + 1);
    }
    closeSync(fd);
    const lastLine = tail.slice(tail.lastIndexOf("\n", tail.length - 2) + 1, -1);
    const last = JSON.parse(lastLine) as AuditRecord;
    const writer = new AuditWriter(file, key, report.logId, { fd: openSync(file, "a"), seq: last.seq + 1, lastMac: last.mac }, options);
    if (torn) writer.appendDurable("recovery", { reason: "partial last write from a crash was cut off", droppedBytes: torn.bytes, droppedSha256: torn.sha256 });
    writer.startTimer();
    return writer;
  }

  get nextSeq(): number {
    return this.seq;
  }

  /** Buffers a record; durable within `syncIntervalMs`. */
  append(type: AuditRecordType, data: unknown): AuditRecord {
    if (this.closed) throw new AuditLogError(`audit log ${this.file} is closed`);
    const now = this.now();
    const body = { seq: this.seq, type, time: now.toISOString(), prev: this.lastMac, data };
    const { line, mac } = encodeRecord(body, this.key);
    this.seq++;
    this.lastMac = mac;
    this.buffer.push(line, "\n");
    this.bufferedBytes += line.length + 1;
    this.recordsSinceCheckpoint++;
    if (this.bufferedBytes >= FLUSH_BYTES) this.writeBuffer();
    // at most one checkpoint per sync interval: under a flood the timer catches up, fsyncs stay bounded
    if (this.recordsSinceCheckpoint >= this.checkpointEveryRecords && now.getTime() - this.lastCheckpointMs >= this.syncIntervalMs) this.checkpoint();
    return { ...body, mac };
  }

  /** Appends and fsyncs before returning (for bans and unbans), then refreshes the checkpoint. */
  appendDurable(type: AuditRecordType, data: unknown): AuditRecord {
    const record = this.append(type, data);
    this.sync();
    this.writeCheckpointFile();
    return record;
  }

  /** Writes buffered records and fdatasyncs them. */
  sync(): void {
    if (this.closed) return;
    this.writeBuffer();
    fdatasyncSync(this.fd);
  }

  /** Appends a `checkpoint` record, syncs, and replaces the signed checkpoint file. */
  checkpoint(): void {
    this.recordsSinceCheckpoint = 0;
    this.append("checkpoint", { count: this.seq });
    this.recordsSinceCheckpoint = 0;
    this.sync();
    this.writeCheckpointFile();
  }

  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.checkpoint();
    closeSync(this.fd);
    this.closed = true;
  }

  private writeBuffer(): void {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join("");
    this.buffer = [];
    this.bufferedBytes = 0;
    const bytes = Buffer.from(text, "utf8");
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
  }

  private writeCheckpointFile(): void {
    const signed: Omit<CheckpointFile, "sig"> = { format: AUDIT_FORMAT, logId: this.logId, count: this.seq, lastMac: this.lastMac, time: this.now().toISOString() };
    const checkpoint: CheckpointFile = { ...signed, sig: this.key.mac(checkpointSigningText(signed)) };
    const target = checkpointPath(this.file);
    const temporary = `${target}.tmp-${process.pid}`;
    writeFileSync(temporary, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
    const fd = openSync(temporary, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, target);
    fsyncDirectory(target);
    this.lastCheckpointMs = this.now().getTime();
  }

  private startTimer(): void {
    this.timer = setInterval(() => {
      try {
        if (this.bufferedBytes > 0) this.sync();
        const due = this.recordsSinceCheckpoint >= this.checkpointEveryRecords || this.now().getTime() - this.lastCheckpointMs >= this.checkpointIntervalMs;
        if (this.recordsSinceCheckpoint > 0 && due) this.checkpoint();
      } catch (error) {
        process.stderr.write(`audit log ${this.file}: sync failed: ${(error as Error).message}\n`);
      }
    }, this.syncIntervalMs);
    this.timer.unref();
  }
}

function fsyncDirectory(file: string): void {
  const fd = openSync(dirname(file), "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
