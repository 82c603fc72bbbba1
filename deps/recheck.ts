// The standing re-check: every app admitted to a stack, its recorded SBOM and image inventory matched
// again against a newer database and the stack's current policy; what changed since the last run
// (or the admission), and the exceptions whose deadline comes near or has passed.
import type { AdmissionConfig } from "../config/admission";
import { assessComponents, DatabaseSummary, summariseDatabase } from "./check";
import type { AdvisoryDatabase } from "./osv/load";
import { AdmissionRecord, readAdmissionRecords, readRecheckState, vulnerabilityKeys, writeRecheckState } from "./records";

export interface RecheckFinding {
  purl: string;
  id: string;
  aliases: string[];
  severity: string;
  fixed: string[];
  rejects: boolean;
  ruling: string;
}

export interface Deadline {
  /** the vulnerability's primary id */
  vulnerability: string;
  /** the id the exception names (the primary id or an alias) */
  id: string;
  purl: string;
  expires: string;
  daysLeft: number;
  expired: boolean;
  reason: string;
}

export interface RecheckedApp {
  app: string;
  /** rejects: it would not be admitted today; ok: it would */
  status: "ok" | "rejects";
  admittedAt: string;
  /** what this run is compared with: the previous re-check, or the admission itself */
  comparedWith: { kind: "previous re-check" | "admission"; at: string };
  reasons: string[];
  newFindings: RecheckFinding[];
  /** advisories that no longer match (fixed records, withdrawn, or the exception's id went away) */
  resolved: string[];
  deadlines: Deadline[];
  unchecked: number;
}

export interface RecheckReport {
  stack: string;
  checkedAt: string;
  database: DatabaseSummary;
  /** attention: an app would be rejected today, an app was never admitted, or a record is unreadable (exit 1); notice: only deadlines are near (exit 0) */
  verdict: "ok" | "notice" | "attention";
  apps: RecheckedApp[];
  /** apps of the stack's config that have no admission record: never checked */
  notAdmitted: string[];
  /** records of apps that are no longer in the stack's config */
  orphanRecords: string[];
  unreadableRecords: { file: string; problem: string }[];
}

export interface RecheckInput {
  stack: string;
  recordsDir: string;
  database: AdvisoryDatabase;
  policy: AdmissionConfig;
  /** the apps the stack's config declares */
  stackApps: readonly string[];
  now?: Date;
  /** keep this run's findings for the next run's comparison (default true) */
  remember?: boolean;
}

function recheckApp(record: AdmissionRecord, input: RecheckInput, now: Date): RecheckedApp {
  const { findings, unchecked, reasons } = assessComponents(record.components, input.database, input.policy, record.app, now);
  const current = vulnerabilityKeys({ findings });
  const previous = readRecheckState(input.recordsDir, input.stack, record.app);
  const before = new Set(previous?.knownVulnerabilities ?? record.knownVulnerabilities);
  const now_ = new Set(current);
  const newFindings = findings.flatMap((f) =>
    f.vulnerabilities
      .filter((v) => !before.has(`${f.purl} ${v.id}`))
      .map((v) => ({ purl: f.purl, id: v.id, aliases: v.aliases, severity: v.severity.level, fixed: v.fixed, rejects: v.rejects, ruling: v.ruling })),
  );
  const deadlines = findings.flatMap((f) =>
    f.vulnerabilities
      .filter((v) => v.exception && (v.exception.expired || v.exception.daysLeft <= input.policy.deadlineNoticeDays))
      .map((v) => ({ vulnerability: v.id, id: v.exception!.id, purl: f.purl, expires: v.exception!.expires, daysLeft: v.exception!.daysLeft, expired: v.exception!.expired, reason: v.exception!.reason })),
  );
  if (input.remember !== false) {
    writeRecheckState(input.recordsDir, input.stack, record.app, { checkedAt: now.toISOString(), database: summariseDatabase(input.database), knownVulnerabilities: current });
  }
  return {
    app: record.app,
    status: reasons.length ? "rejects" : "ok",
    admittedAt: record.admittedAt,
    comparedWith: previous ? { kind: "previous re-check", at: previous.checkedAt } : { kind: "admission", at: record.admittedAt },
    reasons,
    newFindings,
    resolved: [...before].filter((key) => !now_.has(key)).sort(),
    deadlines,
    unchecked: unchecked.length,
  };
}

export function recheckStack(input: RecheckInput): RecheckReport {
  const now = input.now ?? new Date();
  const { records, unreadable } = readAdmissionRecords(input.recordsDir, input.stack);
  const apps = records.map((record) => recheckApp(record, input, now));
  const recorded = new Set(records.map((r) => r.app));
  const notAdmitted = input.stackApps.filter((app) => !recorded.has(app));
  const orphanRecords = records.map((r) => r.app).filter((app) => !input.stackApps.includes(app));
  const attention = apps.some((a) => a.status === "rejects") || notAdmitted.length > 0 || unreadable.length > 0;
  const notice = apps.some((a) => a.deadlines.length > 0 || a.newFindings.length > 0);
  return {
    stack: input.stack,
    checkedAt: now.toISOString(),
    database: summariseDatabase(input.database),
    verdict: attention ? "attention" : notice ? "notice" : "ok",
    apps,
    notAdmitted,
    orphanRecords,
    unreadableRecords: unreadable,
  };
}
