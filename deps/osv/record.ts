// One OSV record (https://ossf.github.io/osv-schema/) checked for the shape matching relies on and cut
// down to what matching and reporting read. A record in a shape it cannot use is refused with the field
// at fault, so the loader can name it; nothing here throws.
// Lists are built with map() (exact size): arrays grown by push() keep spare room, which across an
// export's hundreds of thousands of small lists costs more memory than the records themselves.
import type { Advisory, AdvisoryRange, AffectedPackage, RangeEvent, RangeEventKind, SeverityInput, SeverityScore } from "./advisory";

export type ParsedRecord =
  | { kind: "advisory"; advisory: Advisory; affected: AffectedPackage[] }
  | { kind: "withdrawn"; id: string; modified?: string }
  | { kind: "broken"; problem: string };

/** Returns one shared copy of equal strings: versions, names and vectors recur across thousands of records. */
export type Intern = (value: string) => string;

const asIs: Intern = (value) => value;

const EVENT_KINDS: readonly RangeEventKind[] = ["introduced", "fixed", "last_affected", "limit"];

type Json = Record<string, unknown>;

/** The first thing wrong with a record, thrown from deep in it and turned into a "broken" result. */
class Unusable extends Error {}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function stringList(value: unknown, intern: Intern): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string" && item !== "").map(intern) : [];
}

/** Entries that are not `{type, score}` strings carry no usable severity; they are dropped, not fatal. */
function severityInput(severity: unknown, databaseSpecific: unknown, intern: Intern): SeverityInput {
  const scores: SeverityScore[] = Array.isArray(severity)
    ? severity
        .filter((entry): entry is { type: string; score: string } => isObject(entry) && typeof entry.type === "string" && typeof entry.score === "string")
        .map((entry) => ({ type: intern(entry.type), score: intern(entry.score.trim()) }))
    : [];
  const databaseSeverity = isObject(databaseSpecific) ? optionalString(databaseSpecific.severity) : undefined;
  return databaseSeverity ? { scores, databaseSeverity: intern(databaseSeverity) } : { scores };
}

function parseEvent(event: unknown, at: string, intern: Intern): RangeEvent {
  if (!isObject(event)) throw new Unusable(`${at} is not an object`);
  const kinds = EVENT_KINDS.filter((kind) => kind in event);
  if (kinds.length !== 1) throw new Unusable(`${at} must have exactly one of ${EVENT_KINDS.join(", ")}`);
  const version = event[kinds[0]];
  if (typeof version !== "string" || version === "") throw new Unusable(`${at}.${kinds[0]} is not a version string`);
  return { kind: kinds[0], version: intern(version) };
}

function parseRange(range: unknown, at: string, intern: Intern): AdvisoryRange {
  if (!isObject(range)) throw new Unusable(`${at} is not an object`);
  if (typeof range.type !== "string") throw new Unusable(`${at}.type is missing`);
  if (!Array.isArray(range.events) || range.events.length === 0) throw new Unusable(`${at}.events is missing or empty`);
  return { type: intern(range.type), events: range.events.map((event, i) => parseEvent(event, `${at}.events[${i}]`, intern)) };
}

function parseAffected(entry: unknown, at: string, advisory: Advisory, intern: Intern): AffectedPackage {
  if (!isObject(entry)) throw new Unusable(`${at} is not an object`);
  const pkg = entry.package;
  if (!isObject(pkg) || typeof pkg.ecosystem !== "string" || pkg.ecosystem === "" || typeof pkg.name !== "string" || pkg.name === "") {
    throw new Unusable(`${at}.package needs an ecosystem and a name`);
  }
  if (entry.ranges !== undefined && !Array.isArray(entry.ranges)) throw new Unusable(`${at}.ranges is not a list`);
  if (entry.versions !== undefined && !Array.isArray(entry.versions)) throw new Unusable(`${at}.versions is not a list`);
  const rawRanges = (entry.ranges as unknown[] | undefined) ?? [];
  const versions = stringList(entry.versions, intern);
  // without either, the entry says nothing about which versions are affected
  if (rawRanges.length === 0 && versions.length === 0) throw new Unusable(`${at} has neither ranges nor versions`);
  const ranges = rawRanges.map((range, i) => parseRange(range, `${at}.ranges[${i}]`, intern));
  const own = severityInput(entry.severity, entry.database_specific, intern);
  const hasOwnSeverity = own.scores.length > 0 || own.databaseSeverity !== undefined;
  return { advisory, ecosystem: intern(pkg.ecosystem), name: intern(pkg.name), ranges, versions, ...(hasOwnSeverity ? { severity: own } : {}) };
}

function advisoryUrl(id: string, references: unknown): string {
  if (Array.isArray(references)) {
    const advisory = references.find((ref) => isObject(ref) && ref.type === "ADVISORY" && typeof ref.url === "string");
    if (advisory) return (advisory as Json).url as string;
  }
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/** A parsed JSON value as an OSV record: usable, withdrawn, or broken (and why). */
export function parseRecord(json: unknown, intern: Intern = asIs): ParsedRecord {
  if (!isObject(json)) return { kind: "broken", problem: "is not a JSON object (an OSV record)" };
  const id = optionalString(json.id);
  if (!id) return { kind: "broken", problem: "has no id" };
  const modified = optionalString(json.modified);
  if (optionalString(json.withdrawn)) return { kind: "withdrawn", id, ...(modified ? { modified: intern(modified) } : {}) };
  const rawAffected = json.affected;
  if (!Array.isArray(rawAffected)) return { kind: "broken", problem: `${id}: has no affected[] list` };
  const summary = optionalString(json.summary);
  const published = optionalString(json.published);
  const advisory: Advisory = {
    id,
    aliases: stringList(json.aliases, asIs).filter((alias) => alias !== id),
    ...(summary ? { summary } : {}),
    ...(published ? { published: intern(published) } : {}),
    ...(modified ? { modified: intern(modified) } : {}),
    url: advisoryUrl(id, json.references),
    severity: severityInput(json.severity, json.database_specific, intern),
  };
  try {
    return { kind: "advisory", advisory, affected: rawAffected.map((entry, i) => parseAffected(entry, `affected[${i}]`, advisory, intern)) };
  } catch (error) {
    if (error instanceof Unusable) return { kind: "broken", problem: `${id}: ${error.message}` };
    throw error;
  }
}
