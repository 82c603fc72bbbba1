// The audit log's record format: one JSON object per line, each authenticated by HMAC-SHA-256 over
// its own text, which includes the previous record's MAC (a MAC chain, paper IV-C).
//
//   {"seq":0,"type":"header","time":"…","prev":"","data":{"format":"platform-audit-log","version":1,"logId":"…","keyId":"…"},"mac":"<64 hex>"}
//   {"seq":1,"type":"event","time":"…","prev":"<mac of seq 0>","data":{…},"mac":"<64 hex>"}
//
// The MAC covers the exact bytes of the line without its `,"mac":"…"` suffix, so verifying never
// depends on re-serialising JSON.
import { createHash, createHmac } from "node:crypto";

export const AUDIT_FORMAT = "platform-audit-log";
export const AUDIT_VERSION = 1;
const MAC_HEX_LENGTH = 64;
const MAC_SUFFIX_LENGTH = ',"mac":"'.length + MAC_HEX_LENGTH + '"}'.length;
const MAC_SUFFIX = /,"mac":"([0-9a-f]{64})"\}$/;

export type AuditRecordType = "header" | "event" | "ban" | "unban" | "would-ban" | "enforcement" | "checkpoint" | "recovery" | "malformed" | "start" | "stop";

interface AuditRecordBody {
  seq: number;
  type: AuditRecordType;
  time: string;
  prev: string;
  data: unknown;
}

export interface AuditRecord extends AuditRecordBody {
  mac: string;
}

/** What a valid audit key is, and how to make one: said by every key error. */
export const AUDIT_KEY_RULE = "64 or more hex digits (32+ bytes)";
const MIN_KEY_BYTES = 32;

/** Key material: 32 or more bytes, given as hex; never printed. */
export class AuditKey {
  private constructor(private readonly secret: Buffer) {}

  /**
   * The key as hex text: 64+ hex digits, an even number; whitespace around it (a trailing newline) is
   * ignored. Anything else is refused, never used as raw bytes: `source` names where it came from
   * (option, environment variable, file) and `fix` says how to correct that place.
   */
  static fromText(text: string, source: string, fix = `give ${AUDIT_KEY_RULE}, e.g. from openssl rand -hex 32`): AuditKey {
    const hex = text.trim();
    const problem = keyTextProblem(hex);
    if (problem) throw new Error(`the audit key from ${source} ${problem}: ${fix}`);
    return new AuditKey(Buffer.from(hex, "hex"));
  }

  mac(text: string): string {
    return createHmac("sha256", this.secret).update(text).digest("hex");
  }

  /** Identifies the key in the log header without revealing it: tells "wrong key" apart from tampering. */
  get id(): string {
    return createHash("sha256").update(this.mac("platform-audit-key-id")).digest("hex").slice(0, 16);
  }

  toJSON(): string {
    return "[audit key]";
  }
}

/** Why `hex` (already trimmed) is not a usable key, or undefined; never quotes the key. */
function keyTextProblem(hex: string): string | undefined {
  if (hex.length === 0) return "is empty";
  if (/^0x/i.test(hex)) return 'starts with "0x"; give the hex digits alone';
  if (/\s/.test(hex) && /^[0-9a-fA-F]+$/.test(hex.replace(/\s/g, ""))) return "has whitespace inside it; give one unbroken string of hex digits";
  if (!/^[0-9a-fA-F]+$/.test(hex)) return `is not hex (${hex.length} characters, some of them not 0-9/a-f); a key is never taken as raw text`;
  if (hex.length % 2 === 1) return `has an odd number of hex digits (${hex.length}): every byte is two digits`;
  if (hex.length / 2 < MIN_KEY_BYTES) return `is ${hex.length / 2} bytes (${hex.length} hex digits), too short: use at least ${MIN_KEY_BYTES} bytes (${MIN_KEY_BYTES * 2} hex digits)`;
  return undefined;
}

/** Serialises a record body and appends its MAC. */
export function encodeRecord(body: AuditRecordBody, key: AuditKey): { line: string; mac: string } {
  const text = JSON.stringify({ seq: body.seq, type: body.type, time: body.time, prev: body.prev, data: body.data });
  const mac = key.mac(text);
  return { line: `${text.slice(0, -1)},"mac":"${mac}"}`, mac };
}

type DecodedLine =
  | { ok: true; record: AuditRecord; authentic: boolean }
  | { ok: false; reason: string; claimedSeq?: number; claimedMac?: string };

// What encodeRecord writes first; lets verification skip JSON.parse for authentic lines.
const RECORD_PREFIX = /^\{"seq":(\d+),"type":"([a-z-]+)","time":"([^"\\]*)","prev":"([0-9a-f]*)","data":/;

/** Parses one line and checks its own MAC (not yet its place in the chain). */
export function decodeLine(line: string, key: AuditKey): DecodedLine {
  const prefix = RECORD_PREFIX.exec(line);
  const fastSuffix = prefix && MAC_SUFFIX.exec(line);
  if (prefix && fastSuffix && prefix[2] !== "header") {
    const mac = fastSuffix[1];
    if (key.mac(`${line.slice(0, line.length - MAC_SUFFIX_LENGTH)}}`) === mac) {
      // authentic means written by encodeRecord, i.e. valid JSON with exactly these fields
      const record: AuditRecord = { seq: Number(prefix[1]), type: prefix[2] as AuditRecordType, time: prefix[3], prev: prefix[4], data: undefined, mac };
      return { ok: true, record, authentic: true };
    }
  }
  const suffix = MAC_SUFFIX.exec(line);
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, reason: "not valid JSON", ...claims(line) };
  }
  if (!suffix) return { ok: false, reason: 'does not end with a "mac" field', ...claims(line) };
  const record = parsed as Partial<AuditRecord>;
  if (typeof record !== "object" || record === null || !Number.isInteger(record.seq) || typeof record.type !== "string" || typeof record.prev !== "string" || typeof record.time !== "string") {
    return { ok: false, reason: "is not an audit record (seq, type, time, prev)", ...claims(line) };
  }
  const body = `${line.slice(0, line.length - MAC_SUFFIX_LENGTH)}}`;
  return { ok: true, record: record as AuditRecord, authentic: key.mac(body) === suffix[1] };
}

/** Best-effort seq and MAC of a damaged line, for pinpointing. */
function claims(line: string): { claimedSeq?: number; claimedMac?: string } {
  const seq = /^\{"seq":(\d+),/.exec(line);
  const mac = /"mac":"([0-9a-f]{64})"/.exec(line);
  return { claimedSeq: seq ? Number(seq[1]) : undefined, claimedMac: mac ? mac[1] : undefined };
}

/**
 * A signed head: "log `logId` held `count` records, the last with MAC `lastMac`, at `time`". The checkpoint
 * file beside the log is one; so is an anchor (`monitor anchor`, the monitor's `audit head:` log lines, a
 * copy of the checkpoint file) that the operator keeps where an attacker of the state directory cannot
 * reach. Only the key can sign one, so a head can neither be forged nor lowered to fit a shortened log.
 */
export interface CheckpointFile {
  format: typeof AUDIT_FORMAT;
  logId: string;
  count: number;
  lastMac: string;
  time: string;
  sig: string;
}

export function checkpointSigningText(c: Omit<CheckpointFile, "sig">): string {
  return JSON.stringify(["checkpoint", c.format, c.logId, c.count, c.lastMac, c.time]);
}

export function signHead(head: Omit<CheckpointFile, "format" | "sig">, key: AuditKey): CheckpointFile {
  const signed = { format: AUDIT_FORMAT, logId: head.logId, count: head.count, lastMac: head.lastMac, time: head.time } as const;
  return { ...signed, sig: key.mac(checkpointSigningText(signed)) };
}

/** The head's signature matches `key` and its fields have their types. */
export function headIsAuthentic(head: CheckpointFile, key: AuditKey): boolean {
  const { sig, ...signed } = head;
  return typeof sig === "string" && key.mac(checkpointSigningText(signed)) === sig;
}

/** A parsed JSON value as a head, or why it is not one. */
export function asHead(value: unknown): CheckpointFile | string {
  const head = value as Partial<CheckpointFile> | null;
  if (typeof head !== "object" || head === null || Array.isArray(head)) return "is not a JSON object";
  if (head.format !== AUDIT_FORMAT) return `is not a signed head of a ${AUDIT_FORMAT} (its "format" is ${JSON.stringify(head.format)})`;
  if (typeof head.logId !== "string" || !Number.isInteger(head.count) || (head.count as number) < 1 || typeof head.lastMac !== "string" || typeof head.time !== "string" || typeof head.sig !== "string") {
    return "lacks one of logId, count (a positive integer), lastMac, time, sig";
  }
  return head as CheckpointFile;
}

export function checkpointPath(logFile: string): string {
  return `${logFile}.checkpoint`;
}
