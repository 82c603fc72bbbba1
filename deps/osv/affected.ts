// Whether one version of a package is affected by an OSV `affected[]` entry: its SEMVER and ECOSYSTEM
// ranges (introduced / fixed / last_affected / limit events, ordered by the versions' own rules) and its
// explicit `versions[]`. GIT ranges name commits, not versions, so they decide nothing here.
// A version the rules cannot read never throws: the range is undecidable, and the caller says so.
import type { ReadVersion, VersionScheme } from "../versions/scheme";
import type { AdvisoryRange, AffectedPackage, RangeEvent } from "./advisory";

export interface VersionRules {
  /** the ecosystem's ordering: ECOSYSTEM ranges and `versions[]` */
  ecosystem: VersionScheme;
  /** Semantic Versioning 2.0: SEMVER ranges */
  semver: VersionScheme;
  /** Go writes versions `v1.2.3`, its advisories `1.2.3`: accept either spelling (default false) */
  leadingV?: boolean;
}

export type RangeVerdict =
  | { affected: true; /** the fix that ends the affected stretch the version is in */ fixed?: string; lastAffected?: string }
  | { affected: false }
  | { affected: "undecidable"; reason: string };

export interface PackageVerdict {
  affected: boolean;
  fixed: string[];
  lastAffected: string[];
  /** why a range could not be evaluated (only when no other range or listed version matched) */
  undecidable: string[];
}

/** The spelling of `version` the scheme reads (with or without a leading `v` when allowed), or why none. */
export function readableVersion(scheme: VersionScheme, version: string, leadingV: boolean): { version: string } | { problem: string } {
  const problem = scheme.problem(version);
  if (problem === undefined) return { version };
  if (leadingV) {
    const other = /^[vV]\d/.test(version) ? version.slice(1) : /^\d/.test(version) ? `v${version}` : undefined;
    if (other !== undefined && scheme.problem(other) === undefined) return { version: other };
  }
  return { problem };
}

const KIND_ORDER: Record<RangeEvent["kind"], number> = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 };

interface Bound {
  kind: RangeEvent["kind"];
  /** as the advisory writes it, for reports */
  written: string;
  /** the scheme's spelling; "0" introduced is below, "*" limit above every version */
  version: string;
  lowest: boolean;
  highest: boolean;
  /** the scheme's reading of `version` (absent for the "0" and "*" ends) */
  read?: ReadVersion;
}

function boundRank(bound: Bound): number {
  return bound.lowest ? -1 : bound.highest ? 1 : 0;
}

function compareBounds(scheme: VersionScheme, a: Bound, b: Bound): number {
  const byRank = boundRank(a) - boundRank(b);
  if (byRank !== 0 || a.lowest || a.highest) return byRank || KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  return scheme.compare(a.version, b.version) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
}

type PreparedRange = { bounds: Bound[]; limits: boolean } | { reason: string };

// A range's bounds are read and ordered once, however many components it is evaluated for: the matcher
// meets the same range for every version of a popular package. Kept on the range object itself (a
// WeakMap lookup per evaluation cost a tenth of the matcher's time); a range is evaluated under one
// scheme in practice, and another scheme simply prepares it again.
const PREPARED = Symbol("prepared range");
type WithPrepared = AdvisoryRange & { [PREPARED]?: { scheme: VersionScheme; prepared: PreparedRange } };

function prepareRange(range: AdvisoryRange, scheme: VersionScheme, leadingV: boolean): PreparedRange {
  const bounds: Bound[] = [];
  for (const event of range.events) {
    const lowest = event.kind === "introduced" && event.version === "0";
    const highest = event.kind === "limit" && event.version === "*";
    if (lowest || highest) {
      bounds.push({ kind: event.kind, written: event.version, version: event.version, lowest, highest });
      continue;
    }
    const readable = readableVersion(scheme, event.version, leadingV);
    if ("problem" in readable) {
      return { reason: `its ${range.type} range has ${event.kind} ${JSON.stringify(event.version)}, which is not a ${scheme.name} version: ${readable.problem}` };
    }
    bounds.push({ kind: event.kind, written: event.version, version: readable.version, lowest, highest, read: scheme.read(readable.version) });
  }
  try {
    bounds.sort((a, b) => compareBounds(scheme, a, b));
  } catch (error) {
    // problem() accepted every version, so this is a scheme's bug, but it must not stop the check
    return { reason: `its ${range.type} range cannot be ordered under ${scheme.name}: ${(error as Error).message}` };
  }
  return { bounds, limits: bounds.some((bound) => bound.kind === "limit") };
}

function preparedRange(range: AdvisoryRange, scheme: VersionScheme, leadingV: boolean): PreparedRange {
  const cached = (range as WithPrepared)[PREPARED];
  if (cached?.scheme === scheme) return cached.prepared;
  const prepared = prepareRange(range, scheme, leadingV);
  (range as WithPrepared)[PREPARED] = { scheme, prepared };
  return prepared;
}

/** Position of v against a bound: negative when v is before it. */
function against(scheme: VersionScheme, v: ReadVersion, bound: Bound): number {
  return bound.lowest ? 1 : bound.highest ? -1 : scheme.compareRead(v, bound.read!);
}

/** `version` as the scheme reads it (with or without a leading `v` when allowed), or why it cannot. */
function readVersion(scheme: VersionScheme, version: string, leadingV: boolean): ReadVersion | string {
  // the common case first, without readableVersion's result object: this runs for every entry a component meets
  const direct = scheme.read(version);
  if (direct) return direct;
  const own = readableVersion(scheme, version, leadingV);
  if ("problem" in own) return `version ${JSON.stringify(version)} is not a ${scheme.name} version: ${own.problem}`;
  return scheme.read(own.version)!;
}

/** OSV's evaluation of one SEMVER or ECOSYSTEM range for one version, in the given scheme. */
export function evaluateRange(range: AdvisoryRange, version: string, scheme: VersionScheme, leadingV = false): RangeVerdict {
  const v = readVersion(scheme, version, leadingV);
  return typeof v === "string" ? { affected: "undecidable", reason: v } : evaluateReadRange(range, v, scheme, leadingV);
}

function evaluateReadRange(range: AdvisoryRange, v: ReadVersion, scheme: VersionScheme, leadingV: boolean): RangeVerdict {
  const prepared = preparedRange(range, scheme, leadingV);
  if ("reason" in prepared) return { affected: "undecidable", reason: prepared.reason };
  const { bounds } = prepared;
  try {
    let affected = false;
    for (const bound of bounds) {
      if (bound.kind === "introduced" && against(scheme, v, bound) >= 0) affected = true;
      else if (bound.kind === "fixed" && against(scheme, v, bound) >= 0) affected = false;
      else if (bound.kind === "last_affected" && against(scheme, v, bound) > 0) affected = false;
    }
    if (affected && prepared.limits && !bounds.some((bound) => bound.kind === "limit" && against(scheme, v, bound) < 0)) affected = false;
    if (!affected) return NOT_AFFECTED;
    for (const bound of bounds) {
      if (bound.kind === "fixed" && against(scheme, v, bound) < 0) return { affected: true, fixed: bound.written };
      if (bound.kind === "last_affected" && against(scheme, v, bound) <= 0) return { affected: true, lastAffected: bound.written };
    }
    return { affected: true };
  } catch (error) {
    return { affected: "undecidable", reason: `its ${range.type} range cannot be ordered under ${scheme.name}: ${(error as Error).message}` };
  }
}

const NOT_AFFECTED: RangeVerdict = Object.freeze({ affected: false });

/** Whether `versions[]` lists the version, as written or as an equal version under the scheme. */
export function listedVersion(versions: readonly string[], version: string, scheme: VersionScheme, leadingV = false, read?: ReadVersion | string): boolean {
  if (versions.includes(version)) return true;
  const own = read ?? readVersion(scheme, version, leadingV);
  if (typeof own === "string") return false;
  return versions.some((listed) => {
    const other = readVersion(scheme, listed, leadingV);
    if (typeof other === "string") return false;
    try {
      return scheme.compareRead(own, other) === 0;
    } catch {
      return false;
    }
  });
}

const NO_VERSIONS: readonly string[] = Object.freeze([]);
const UNAFFECTED: PackageVerdict = Object.freeze({ affected: false, fixed: NO_VERSIONS as string[], lastAffected: NO_VERSIONS as string[], undecidable: NO_VERSIONS as string[] });

/** Whether one affected-package entry affects the version: any evaluable range or the versions list. */
/** The version as each scheme read it, kept across the entries one component is evaluated against. */
export interface ReadVersions {
  ecosystem?: ReadVersion | string;
  semver?: ReadVersion | string;
}

export function evaluateAffected(entry: Pick<AffectedPackage, "ranges" | "versions">, version: string, rules: VersionRules, read: ReadVersions = {}): PackageVerdict {
  const leadingV = rules.leadingV ?? false;
  // arrays are made only when there is something to put in them: the matcher evaluates many entries per component
  let affected = false;
  let fixed: string[] | undefined;
  let lastAffected: string[] | undefined;
  let undecidable: string[] | undefined;
  // the version is read once per scheme, for all ranges (and, through `read`, all entries)
  for (const range of entry.ranges) {
    let result: RangeVerdict;
    if (range.type === "SEMVER") {
      const v = (read.semver ??= readVersion(rules.semver, version, true));
      result = typeof v === "string" ? { affected: "undecidable", reason: v } : evaluateReadRange(range, v, rules.semver, true);
    } else if (range.type === "ECOSYSTEM") {
      const v = (read.ecosystem ??= readVersion(rules.ecosystem, version, leadingV));
      result = typeof v === "string" ? { affected: "undecidable", reason: v } : evaluateReadRange(range, v, rules.ecosystem, leadingV);
    } else continue; // GIT (commits) and types this version of OSV does not know
    if (result.affected === "undecidable") (undecidable ??= []).push(result.reason);
    else if (result.affected) {
      affected = true;
      if (result.fixed !== undefined) (fixed ??= []).push(result.fixed);
      if (result.lastAffected !== undefined) (lastAffected ??= []).push(result.lastAffected);
    }
  }
  if (!affected && entry.versions.length > 0 && listedVersion(entry.versions, version, rules.ecosystem, leadingV, (read.ecosystem ??= readVersion(rules.ecosystem, version, leadingV)))) affected = true;
  if (!affected && !undecidable) return UNAFFECTED;
  return {
    affected,
    fixed: (fixed ?? NO_VERSIONS) as string[],
    lastAffected: (lastAffected ?? NO_VERSIONS) as string[],
    undecidable: (affected ? NO_VERSIONS : (undecidable ?? NO_VERSIONS)) as string[],
  };
}
