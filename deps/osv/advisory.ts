// The part of an OSV record that matching and reporting need, kept small: a full export holds ~100,000
// records, and `details`, `references` and most `database_specific` data are never read again.
import { normalisePypiName } from "../ecosystems";

/** One `severity[]` entry as the record gives it: `CVSS_V3` and a vector, or `Ubuntu` and a word. */
export interface SeverityScore {
  type: string;
  score: string;
}

/** Everything a severity can be derived from, at one level (the record, or one affected package). */
export interface SeverityInput {
  scores: SeverityScore[];
  /** `database_specific.severity` (GHSA: CRITICAL, HIGH, MODERATE, LOW) */
  databaseSeverity?: string;
}

export type RangeEventKind = "introduced" | "fixed" | "last_affected" | "limit";

export interface RangeEvent {
  kind: RangeEventKind;
  version: string;
}

export interface AdvisoryRange {
  /** SEMVER, ECOSYSTEM or GIT (other types are kept and ignored when matching) */
  type: string;
  events: RangeEvent[];
}

/** The record-level facts of one advisory, shared by all its affected packages. */
export interface Advisory {
  id: string;
  aliases: string[];
  summary?: string;
  published?: string;
  modified?: string;
  /** the advisory's own page (an ADVISORY reference), else its osv.dev page */
  url: string;
  severity: SeverityInput;
}

/** One `affected[]` entry: a package in an ecosystem and the versions of it the advisory affects. */
export interface AffectedPackage {
  advisory: Advisory;
  ecosystem: string;
  /** as written (lookups use `packageLookupName`) */
  name: string;
  ranges: AdvisoryRange[];
  versions: string[];
  /** this package's own severity, which overrides the record's when it gives one */
  severity?: SeverityInput;
}

/** The name an advisory's package is indexed (and looked up) by: PyPI per PEP 503, the rest as written. */
export function packageLookupName(ecosystem: string, name: string): string {
  return ecosystem === "PyPI" ? normalisePypiName(name) : name;
}
