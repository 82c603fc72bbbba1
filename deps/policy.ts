// The admission policy applied to what the matcher found: which vulnerabilities reject an app, which
// are waived by a current exception, and which exceptions have run out (they reject again).
import { AdmissionConfig, AdmissionException, exceptionEnd, SEVERITY_LEVELS } from "../config/admission";
import type { Vulnerability } from "./osv/match";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ExceptionState {
  /** the id the exception names (may be an alias of the vulnerability's primary id) */
  id: string;
  reason: string;
  expires: string;
  expired: boolean;
  /** whole days until the end of its expiry day; negative once expired */
  daysLeft: number;
}

export interface AssessedVulnerability extends Vulnerability {
  /** whether this vulnerability alone rejects the app */
  rejects: boolean;
  /** why it rejects or not, in one phrase */
  ruling: string;
  exception?: ExceptionState;
}

function exceptionFor(vulnerability: Vulnerability, app: string | undefined, exceptions: readonly AdmissionException[]): AdmissionException | undefined {
  const ids = new Set([vulnerability.id, ...vulnerability.aliases].map((id) => id.toUpperCase()));
  const applicable = exceptions.filter((entry) => ids.has(entry.id.toUpperCase()) && (!entry.apps || (app !== undefined && entry.apps.includes(app))));
  // the one that lasts longest: an operator who renewed an exception means the renewal
  return applicable.sort((a, b) => b.expires.localeCompare(a.expires))[0];
}

export function exceptionState(entry: AdmissionException, now: Date): ExceptionState {
  const end = exceptionEnd(entry.expires).getTime();
  return { id: entry.id, reason: entry.reason, expires: entry.expires, expired: end < now.getTime(), daysLeft: Math.floor((end - now.getTime()) / DAY_MS) };
}

/** Whether a vulnerability's severity alone reaches the policy's rejection line. */
export function severityRejects(level: Vulnerability["severity"]["level"], policy: AdmissionConfig): boolean {
  if (level === "unknown") return policy.unknownSeverity === "reject";
  return SEVERITY_LEVELS.indexOf(level) >= SEVERITY_LEVELS.indexOf(policy.rejectAtOrAbove);
}

export function assessVulnerability(vulnerability: Vulnerability, policy: AdmissionConfig, app: string | undefined, now: Date): AssessedVulnerability {
  const level = vulnerability.severity.level;
  const reaches = severityRejects(level, policy);
  const severityText = level === "unknown" ? "severity unknown" : `severity ${level}`;
  const entry = exceptionFor(vulnerability, app, policy.exceptions);
  const exception = entry && exceptionState(entry, now);
  if (!reaches) {
    const below = level === "unknown" ? "unknown severity is reported (platform:admission.unknownSeverity: report)" : `below the rejection line (${policy.rejectAtOrAbove})`;
    return { ...vulnerability, rejects: false, ruling: `${severityText}: ${below}`, ...(exception ? { exception } : {}) };
  }
  if (exception && !exception.expired) {
    return { ...vulnerability, rejects: false, ruling: `${severityText}: excepted until ${exception.expires} (${exception.reason})`, exception };
  }
  if (exception) {
    return { ...vulnerability, rejects: true, ruling: `${severityText}: the exception for ${exception.id} expired on ${exception.expires}, so it rejects again`, exception };
  }
  const line = level === "unknown" ? "no advisory states a severity (platform:admission.unknownSeverity: reject)" : `at or above ${policy.rejectAtOrAbove}`;
  return { ...vulnerability, rejects: true, ruling: `${severityText}: ${line}` };
}
