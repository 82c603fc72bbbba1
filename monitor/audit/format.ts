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

/** Key material: at least 32 bytes; never printed. */
export class AuditKey {
  private constructor(private readonly secret: Buffer) {}

  static from(secret: Buffer, source: string): AuditKey {
    if (secret.length < 32) throw new Error(`audit key from ${source} is ${secret.length} bytes: use at least 32 bytes (e.g. 64 hex characters from a Pulumi secret)`);
    return new AuditKey(Buffer.from(secret));
  }

  /** A hex string (64+ characters) is decoded; anything else is used as raw bytes. */
  static fromText(text: string, source: string): AuditKey {
    const trimmed = text.trim();
    return AuditKey.from(/^([0-9a-fA-F]{2}){32,}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "utf8"), source);
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

/** The signed checkpoint kept beside the log: how many records existed and the MAC of the last one. */
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

export function checkpointPath(logFile: string): string {
  return `${logFile}.checkpoint`;
}
