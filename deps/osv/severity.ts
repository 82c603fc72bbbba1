// How severe an advisory is: the CVSS base score of its best vector (v4, then v3.x, then v2), else the
// word its database gives (GHSA's database_specific.severity, Ubuntu's priority), else "unknown" — an
// advisory that states no severity is never taken for a low one.
import { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } from "ae-cvss-calculator";
import type { SeverityInput } from "./advisory";

export type SeverityLevel = "critical" | "high" | "medium" | "low" | "none" | "unknown";

export interface Severity {
  level: SeverityLevel;
  /** the CVSS base score, when a vector gave the level */
  score?: number;
  vector?: string;
  /** what the level came from: "CVSS v3.1", "database_specific.severity", "Ubuntu priority", "none stated" */
  source: string;
  /** vectors or words the advisory gives that could not be used (and why), each passed over for the next source */
  notes?: string[];
}

/** Higher is more severe; unknown ranks below every stated level when picking the highest known. */
export const SEVERITY_ORDER: Record<SeverityLevel, number> = { unknown: 0, none: 1, low: 2, medium: 3, high: 4, critical: 5 };

interface CvssVersion {
  label: string;
  /** higher is preferred */
  preference: number;
  /** the base score (threat, temporal and environmental metrics left out), or undefined when base metrics are missing */
  baseScore(vector: string): number | undefined;
}

/** Which CVSS version a vector is, by its prefix (v2 vectors have none). */
function cvssVersionOf(vector: string, osvType: string): CvssVersion | undefined {
  if (vector.startsWith("CVSS:4.0/")) {
    return { label: "CVSS v4.0", preference: 4, baseScore: (v) => complete(new Cvss4P0(v), (c) => c.calculateScores().baseMetricsOnly) };
  }
  if (vector.startsWith("CVSS:3.1/")) return { label: "CVSS v3.1", preference: 3, baseScore: (v) => complete(new Cvss3P1(v), (c) => c.calculateScores().base) };
  if (vector.startsWith("CVSS:3.0/")) return { label: "CVSS v3.0", preference: 3, baseScore: (v) => complete(new Cvss3P0(v), (c) => c.calculateScores().base) };
  if (osvType === "CVSS_V2" || /^\(?AV:[LAN]\/AC:/.test(vector)) {
    // NVD wrote some v2 vectors in parentheses
    return { label: "CVSS v2", preference: 2, baseScore: (v) => complete(new Cvss2(v.replace(/^\((.*)\)$/, "$1")), (c) => c.calculateScores().base) };
  }
  return undefined;
}

function complete<T extends { isBaseFullyDefined(): boolean }>(cvss: T, base: (cvss: T) => number | undefined): number | undefined {
  return cvss.isBaseFullyDefined() ? base(cvss) : undefined;
}

function cvssLevel(score: number, preference: number): SeverityLevel {
  if (preference === 2) return score >= 7 ? "high" : score >= 4 ? "medium" : "low";
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "medium";
  return score > 0 ? "low" : "none";
}

/** GHSA's words (MODERATE is medium) and Ubuntu's priorities; anything else is not a level. */
function levelFromWord(word: string): SeverityLevel | undefined {
  switch (word.trim().toLowerCase()) {
    case "critical":
      return "critical";
    case "high":
      return "high";
    case "moderate":
    case "medium":
      return "medium";
    case "low":
    case "negligible":
      return "low";
    default:
      return undefined;
  }
}

/** The severity one level of a record states (call with the affected package's own input when it has one). */
export function severityOf(input: SeverityInput): Severity {
  const notes: string[] = [];
  const result = (severity: Severity): Severity => (notes.length ? { ...severity, notes } : severity);
  const vectors = input.scores
    .filter((s) => s.type.startsWith("CVSS_"))
    .map((s, index) => ({ score: s, index, version: cvssVersionOf(s.score, s.type) }))
    .filter((entry) => {
      if (entry.version) return true;
      notes.push(`${entry.score.type} ${JSON.stringify(entry.score.score)} is not a CVSS vector this check can score`);
      return false;
    })
    .sort((a, b) => b.version!.preference - a.version!.preference || a.index - b.index);
  for (const { score, version } of vectors) {
    try {
      const base = version!.baseScore(score.score);
      if (typeof base !== "number" || !Number.isFinite(base)) {
        notes.push(`${score.type} ${JSON.stringify(score.score)} lacks some base metrics, so it has no base score`);
        continue;
      }
      return result({ level: cvssLevel(base, version!.preference), score: base, vector: score.score, source: version!.label });
    } catch (error) {
      notes.push(`${score.type} ${JSON.stringify(score.score)} is not a valid ${version!.label} vector: ${(error as Error).message}`);
    }
  }
  for (const score of input.scores.filter((s) => s.type === "Ubuntu")) {
    const level = levelFromWord(score.score);
    if (level) return result({ level, source: "Ubuntu priority" });
    notes.push(`Ubuntu severity ${JSON.stringify(score.score)} is not a known priority`);
  }
  if (input.databaseSeverity !== undefined) {
    const level = levelFromWord(input.databaseSeverity);
    if (level) return result({ level, source: "database_specific.severity" });
    notes.push(`database_specific.severity ${JSON.stringify(input.databaseSeverity)} is not a known level`);
  }
  return result({ level: "unknown", source: "none stated" });
}

/**
 * The severity of an affected package: its own severity overrides the record's when it states one;
 * what it states but cannot be used falls through to the record's.
 */
export function packageSeverity(record: SeverityInput, own: SeverityInput | undefined): Severity {
  if (!own) return severityOf(record);
  const fromOwn = severityOf(own);
  if (fromOwn.level !== "unknown") return fromOwn;
  const fromRecord = severityOf(record);
  const notes = [...(fromOwn.notes ?? []), ...(fromRecord.notes ?? [])];
  return notes.length ? { ...fromRecord, notes } : fromRecord;
}

/** The more severe of two (a stated level over unknown, then the higher level, then the higher score). */
export function moreSevere(a: Severity, b: Severity): Severity {
  const byLevel = SEVERITY_ORDER[a.level] - SEVERITY_ORDER[b.level];
  if (byLevel !== 0) return byLevel > 0 ? a : b;
  return (b.score ?? -1) > (a.score ?? -1) ? b : a;
}
