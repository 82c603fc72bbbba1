// `platform:admission`: what a third party's app must pass before it is admitted, and how long a
// vendor has to fix what it may not keep (the paper's "update within a time span", V-B).
import { z } from "zod";
import { boundedNumber } from "./primitives";

/** Severity levels from least to most severe; "unknown" is ranked by `unknownSeverity`, never as low. */
export const SEVERITY_LEVELS = ["none", "low", "medium", "high", "critical"] as const;
export type SeverityLevel = (typeof SEVERITY_LEVELS)[number];

const ADVISORY_ID = /^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9._:-]+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The last instant an exception holds: the end of its expiry day, UTC. */
export function exceptionEnd(expires: string): Date {
  return new Date(`${expires}T23:59:59.999Z`);
}

const expiryDate = z
  .preprocess((value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : value), z.string({ error: "expected a date YYYY-MM-DD" }))
  .superRefine((value, ctx) => {
    const match = ISO_DATE.exec(value);
    const date = match && new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
    if (!match || !date || date.getUTCMonth() !== +match[2] - 1 || date.getUTCDate() !== +match[3]) {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} is not a date: write it as YYYY-MM-DD, e.g. 2027-01-31 (the exception holds through that day, UTC)` });
    }
  });

const exception = z.strictObject({
  /** the advisory it waives: its OSV id or any alias (CVE-..., GHSA-..., DSA-...) */
  id: z.string({ error: "expected a string: an advisory id such as CVE-2024-3094 or GHSA-xxxx-xxxx-xxxx" }).regex(ADVISORY_ID, {
    error: "expected an advisory id such as CVE-2024-3094, GHSA-xxxx-xxxx-xxxx or DSA-5678-1",
  }),
  /** why the platform accepts the risk until the expiry; shown in every report */
  reason: z.string({ error: "expected a string: why this advisory is accepted until it expires" }).trim().min(10, { error: "give a reason of at least 10 characters: it is shown in every report and audit" }).max(500, { error: "keep the reason under 500 characters" }),
  /** the exception holds through this day (UTC); afterwards the advisory rejects again */
  expires: expiryDate,
  /** the apps it applies to; all apps when absent */
  apps: z.array(z.string({ error: "expected an app name" }), { error: "expected a list of app names" }).min(1, { error: "list at least one app, or leave apps out to apply to all" }).optional(),
});
export type AdmissionException = z.output<typeof exception>;

export const admissionConfig = z
  .strictObject({
    /** an app with a vulnerability at or above this severity is rejected */
    rejectAtOrAbove: z.enum(SEVERITY_LEVELS, { error: `expected one of ${SEVERITY_LEVELS.join(", ")}` }).default("high"),
    /** a vulnerability whose severity no advisory states: rejects (default), or is reported and admitted */
    unknownSeverity: z.enum(["reject", "report"], { error: "expected reject or report" }).default("reject"),
    /** packages the image holds that its SBOM leaves out: reported (default), or a reason to reject */
    incompleteSbom: z.enum(["reject", "report"], { error: "expected reject or report" }).default("report"),
    /** the OSV database directory (osv.dev's per-ecosystem exports), when a command is not given --vuln-db */
    vulnDb: z.string({ error: "expected a directory path" }).min(1, { error: "expected a directory path" }).optional(),
    /** where admission records are kept, per stack (relative to the project directory) */
    recordsDir: z.string({ error: "expected a directory path" }).min(1, { error: "expected a directory path" }).default("admissions"),
    /** the standing re-check names exceptions that expire within this many days */
    deadlineNoticeDays: boundedNumber("deadlineNoticeDays", 0, 365, { integer: true }).default(14),
    exceptions: z.array(exception, { error: "expected a list of exceptions" }).max(1000, { error: "give at most 1000 exceptions" }).default([]),
  })
  .prefault({})
  .superRefine((admission, ctx) => {
    const seen = new Map<string, number>();
    admission.exceptions.forEach((entry, index) => {
      for (const app of entry.apps ?? [undefined]) {
        const key = `${entry.id.toUpperCase()}|${app ?? "*"}`;
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.addIssue({ code: "custom", path: ["exceptions", index, "id"], message: `${entry.id} is already excepted${app ? ` for ${app}` : ""} by exceptions[${first}]: keep one entry per advisory and app` });
        }
        seen.set(key, index);
      }
    });
  });
export type AdmissionConfig = z.output<typeof admissionConfig>;
