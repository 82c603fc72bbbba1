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
// replaces that file. `verify` thus detects a tail cut off before the latest checkpoint. The closing
// checkpoint says `"closed":true`: a log that does not end with one was not closed by its writer (still
// open, crashed, or cut), and the next open says so in a `recovery` record. After every durable append
// and on close, `onHead` receives the signed head (the checkpoint file's content): the monitor prints it,
// so an anchor exists outside the state directory too.
import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { AUDIT_FORMAT, AUDIT_VERSION, AuditKey, AuditRecord, AuditRecordType, checkpointPath, CheckpointFile, encodeRecord, signHead } from "./format";
import { AuditLogError } from "./errors";
import { readCheckpoint, verifyAuditText, VerifyReport } from "./verify";

interface AuditWriterOptions {
  syncIntervalMs?: number;
  checkpointEveryRecords?: number;
  checkpointIntervalMs?: number;
  now?: () => Date;
  /** the signed head after every durable append and on close: for the operator to keep off-host */
  onHead?: (head: CheckpointFile) => void;
}

/** What `prepare` found: a log to create, or a verified one to append to. Nothing is written yet. */
type Found = { kind: "new" } | { kind: "existing"; text: string; report: VerifyReport & { logId: string } };

/**
 * A log checked for opening, not yet touched: `AuditWriter.prepare` reads and verifies; `open()` creates or
 * appends. The monitor prepares before it creates any state, so a log it would refuse leaves nothing behind.
 */
export class PreparedAudit {
  constructor(
    readonly file: string,
    private readonly key: AuditKey,
    private readonly options: AuditWriterOptions,
    private readonly found: Found,
  ) {}

  /** true when `open()` will create a new log */
  get createsLog(): boolean {
    return this.found.kind === "new";
  }

  open(): AuditWriter {
    // prepared earlier; if the file changed since (it should not: only the lock holder writes), look again
    const current = statSize(this.file);
    const expected = this.found.kind === "new" ? undefined : Buffer.byteLength(this.found.text);
    if (current !== expected && !(this.found.kind === "new" && current === 0)) return AuditWriter.prepare(this.file, this.key, this.options).open();
    return this.found.kind === "new" ? AuditWriter.createNew(this.file, this.key, this.options) : AuditWriter.reopen(this.file, this.key, this.found.text, this.found.report, this.options);
  }
}

function statSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new AuditLogError(`cannot read audit log ${file}: ${(error as Error).message}`);
  }
}

/** One line: the file, the first finding, and what to do; `monitor verify` lists every finding. */
function refusal(file: string, report: VerifyReport): AuditLogError {
  const [first] = report.problems;
  const findings = first ? `${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}, first: ${first.kind}: ${first.message}` : "it has no header record with a log id";
  return new AuditLogError(`refusing to append to ${file}: it fails verification (${findings}). Keep it as evidence: move ${file} and ${checkpointPath(file)} aside and restart to begin a new log; monitor verify ${file} lists every finding`);
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
  private readonly options: AuditWriterOptions;

  private constructor(readonly file: string, private readonly key: AuditKey, readonly logId: string, state: { fd: number; seq: number; lastMac: string }, options: AuditWriterOptions) {
    this.fd = state.fd;
    this.seq = state.seq;
    this.lastMac = state.lastMac;
    this.syncIntervalMs = options.syncIntervalMs ?? 100;
    this.checkpointEveryRecords = options.checkpointEveryRecords ?? 1000;
    this.checkpointIntervalMs = options.checkpointIntervalMs ?? 5000;
    this.now = options.now ?? (() => new Date());
    this.options = options;
    this.lastCheckpointMs = this.now().getTime();
  }

  /**
   * Opens (or creates) the log. An existing log is verified first: appending to a log that fails
   * verification would hide the tampering, so that is refused with the findings.
   */
  static open(file: string, key: AuditKey, options: AuditWriterOptions = {}): AuditWriter {
    return AuditWriter.prepare(file, key, options).open();
  }

  /** Reads and verifies, writes nothing: throws what `open` would refuse. */
  static prepare(file: string, key: AuditKey, options: AuditWriterOptions = {}): PreparedAudit {
    const checkpoint = readCheckpoint(file);
    let existing: string | undefined;
    try {
      existing = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new AuditLogError(`cannot read audit log ${file}: ${(error as Error).message}`);
    }
    if (existing === undefined || existing.length === 0) {
      if (checkpoint) {
        throw new AuditLogError(`audit log ${file} is ${existing === undefined ? "missing" : "empty"}, but its checkpoint file (${checkpointPath(file)}) counted ${checkpoint.count} records on ${checkpoint.time}: the log was deleted or truncated. Restore it, or move the checkpoint file aside to start a new log.`);
      }
      return new PreparedAudit(file, key, options, { kind: "new" });
    }
    const report = verifyAuditText(existing, key, checkpoint, file);
    if (!report.ok || !report.logId) throw refusal(file, report);
    return new PreparedAudit(file, key, options, { kind: "existing", text: existing, report: report as VerifyReport & { logId: string } });
  }

  /** A new log, created atomically with its header (temp file, fsync, rename): a crash here leaves no half-made log. */
  static createNew(file: string, key: AuditKey, options: AuditWriterOptions): AuditWriter {
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

  /**
   * Appends to a verified log. A partial last line (a crash mid-write) is cut off; when the log did not end
   * with its writer's closing checkpoint (crash, kill, or a cut the verifier cannot tell from one), a
   * `recovery` record keeps what was found, so the ambiguity stays on record.
   */
  static reopen(file: string, key: AuditKey, existing: string, report: VerifyReport & { logId: string }, options: AuditWriterOptions): AuditWriter {
    const fd = openSync(file, "r+");
    let tail = existing;
    let torn: { droppedBytes: number; droppedSha256: string } | undefined;
    if (report.tornTail) {
      const tornText = existing.slice(existing.lastIndexOf("\n") + 1);
      torn = { droppedBytes: report.tornTail.bytes, droppedSha256: createHash("sha256").update(tornText).digest("hex") };
      ftruncateSync(fd, report.tornTail.byteOffset);
      fsyncSync(fd);
      tail = existing.slice(0, existing.lastIndexOf("\n") + 1);
    }
    closeSync(fd);
    const lastLine = tail.slice(tail.lastIndexOf("\n", tail.length - 2) + 1, -1);
    const last = JSON.parse(lastLine) as AuditRecord;
    const writer = new AuditWriter(file, key, report.logId, { fd: openSync(file, "a"), seq: last.seq + 1, lastMac: last.mac }, options);
    if (torn || !report.closed) {
      writer.appendDurable("recovery", {
        reason: torn ? "partial last write from a crash was cut off" : `the log was not closed by its writer: a crash, a kill, or records cut off after seq ${last.seq}`,
        previousEnd: { seq: last.seq, type: last.type, time: last.time, closedCleanly: report.closed !== undefined },
        vouchedByCheckpoint: report.vouched.count,
        ...(torn ?? {}),
      });
    }
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
    const head = this.writeCheckpointFile();
    // `stop` is followed at once by the closing checkpoint, which reports its own head
    if (type !== "stop") this.options.onHead?.(head);
    return record;
  }

  /** Writes buffered records and fdatasyncs them. */
  sync(): void {
    if (this.closed) return;
    this.writeBuffer();
    fdatasyncSync(this.fd);
  }

  /** Appends a `checkpoint` record (the closing one says so), syncs, and replaces the signed checkpoint file. */
  checkpoint(closing = false): CheckpointFile {
    this.recordsSinceCheckpoint = 0;
    this.append("checkpoint", closing ? { count: this.seq, closed: true } : { count: this.seq });
    this.recordsSinceCheckpoint = 0;
    this.sync();
    return this.writeCheckpointFile();
  }

  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    const head = this.checkpoint(true);
    closeSync(this.fd);
    this.closed = true;
    this.options.onHead?.(head);
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

  private writeCheckpointFile(): CheckpointFile {
    const checkpoint = signHead({ logId: this.logId, count: this.seq, lastMac: this.lastMac, time: this.now().toISOString() }, this.key);
    const target = checkpointPath(this.file);
    const temporary = `${target}.tmp-${process.pid}`;
    writeFileSync(temporary, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
    const fd = openSync(temporary, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, target);
    fsyncDirectory(target);
    this.lastCheckpointMs = this.now().getTime();
    return checkpoint;
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
