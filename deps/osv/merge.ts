// Advisories about the same flaw in the same component, told apart only by database (GHSA-x and PYSEC-z
// both aliasing CVE-y), become one vulnerability: one primary id, the others its aliases.
import type { VersionScheme } from "../versions/scheme";
import type { Advisory } from "./advisory";
import { readableVersion } from "./affected";
import { moreSevere, Severity } from "./severity";

export interface Vulnerability {
  /** the primary id: the ecosystem's own (GHSA, PYSEC, GO, DSA, DLA, ...), else a CVE, else the first by name */
  id: string;
  /** every other id the merged advisories are known by, sorted */
  aliases: string[];
  summary?: string;
  severity: Severity;
  /** versions that fix it, from the ranges that matched, in the ecosystem's order (empty: no fix known) */
  fixed: string[];
  /** the last affected versions the matched ranges name instead of a fix */
  lastAffected?: string[];
  published?: string;
  modified?: string;
  url?: string;
}

/** One advisory that matched a component, before merging. */
export interface AdvisoryMatch {
  advisory: Advisory;
  severity: Severity;
  fixed: string[];
  lastAffected: string[];
}

/** Each ecosystem's own advisory id prefixes, most preferred first. */
const OWN_ID_PREFIXES: Record<string, string[]> = {
  npm: ["GHSA"],
  PyPI: ["PYSEC", "GHSA"],
  Maven: ["GHSA"],
  Go: ["GO", "GHSA"],
  Debian: ["DSA", "DLA", "DTSA", "DEBIAN"],
  Alpine: ["ALPINE"],
};

function idRank(id: string, ecosystem: string): number {
  const prefix = id.split("-")[0].toUpperCase();
  const own = OWN_ID_PREFIXES[ecosystem.split(":")[0]] ?? ["GHSA"];
  const index = own.indexOf(prefix);
  if (index >= 0) return index;
  return prefix === "CVE" ? 100 : 200;
}

export function primaryId(ids: readonly string[], ecosystem: string): string {
  return [...ids].sort((a, b) => idRank(a, ecosystem) - idRank(b, ecosystem) || (a < b ? -1 : a > b ? 1 : 0))[0];
}

/** Versions in the scheme's order (ones it cannot read last, by text), each once. */
export function sortVersions(versions: Iterable<string>, scheme: VersionScheme, leadingV: boolean): string[] {
  if (Array.isArray(versions) && versions.length < 2) return [...versions];
  const readable: { written: string; version: string }[] = [];
  const unreadable: string[] = [];
  for (const written of new Set(versions)) {
    const result = readableVersion(scheme, written, leadingV);
    if ("version" in result) readable.push({ written, version: result.version });
    else unreadable.push(written);
  }
  try {
    readable.sort((a, b) => scheme.compare(a.version, b.version) || (a.written < b.written ? -1 : 1));
  } catch {
    readable.sort((a, b) => (a.written < b.written ? -1 : 1));
  }
  return [...readable.map((r) => r.written), ...unreadable.sort()];
}

function earliest(dates: (string | undefined)[], latest: boolean): string | undefined {
  let best: string | undefined;
  for (const date of dates) {
    if (!date) continue;
    const better = !best || (latest ? Date.parse(date) > Date.parse(best) : Date.parse(date) < Date.parse(best));
    if (better) best = date;
  }
  return best;
}

/** Groups advisories linked by their ids and aliases (transitively) and makes one vulnerability of each group. */
export function mergeAdvisories(matches: readonly AdvisoryMatch[], ecosystem: string, scheme: VersionScheme, leadingV: boolean): Vulnerability[] {
  // most components match one advisory or none: nothing to link
  if (matches.length < 2) return matches.map((match) => mergeGroup([match], ecosystem, scheme, leadingV));
  // union-find over the matches: two are linked when they share any id
  const parent = matches.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const owner = new Map<string, number>();
  matches.forEach((match, i) => {
    for (const id of [match.advisory.id, ...match.advisory.aliases]) {
      const key = id.toUpperCase();
      const other = owner.get(key);
      if (other === undefined) owner.set(key, i);
      else parent[find(i)] = find(other);
    }
  });
  const groups = new Map<number, AdvisoryMatch[]>();
  matches.forEach((match, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), match]);
  });

  return [...groups.values()].map((group) => mergeGroup(group, ecosystem, scheme, leadingV));
}

/** One advisory on its own (the common case): the same result as a group of one, without the group's work. */
function single(match: AdvisoryMatch, scheme: VersionScheme, leadingV: boolean): Vulnerability {
  const { advisory } = match;
  const aliases = advisory.aliases.length === 0 ? [] : [...new Set(advisory.aliases)].filter((alias) => alias !== advisory.id).sort();
  const lastAffected = match.lastAffected.length ? sortVersions(match.lastAffected, scheme, leadingV) : undefined;
  const vulnerability: Vulnerability = { id: advisory.id, aliases, severity: match.severity, fixed: sortVersions(match.fixed, scheme, leadingV) };
  if (advisory.summary) vulnerability.summary = advisory.summary;
  if (lastAffected) vulnerability.lastAffected = lastAffected;
  if (advisory.published) vulnerability.published = advisory.published;
  if (advisory.modified) vulnerability.modified = advisory.modified;
  vulnerability.url = advisory.url;
  return vulnerability;
}

function mergeGroup(group: readonly AdvisoryMatch[], ecosystem: string, scheme: VersionScheme, leadingV: boolean): Vulnerability {
  if (group.length === 1) return single(group[0], scheme, leadingV);
  const id = primaryId(group.map((m) => m.advisory.id), ecosystem);
  const primary = group.find((m) => m.advisory.id === id)!;
  const byId = [...group].sort((a, b) => (a.advisory.id < b.advisory.id ? -1 : 1));
  const allIds = new Set(group.flatMap((m) => [m.advisory.id, ...m.advisory.aliases]));
  allIds.delete(id);
  const summary = primary.advisory.summary ?? byId.find((m) => m.advisory.summary)?.advisory.summary;
  const lastAffected = sortVersions(group.flatMap((m) => m.lastAffected), scheme, leadingV);
  const published = earliest(group.map((m) => m.advisory.published), false);
  const modified = earliest(group.map((m) => m.advisory.modified), true);
  return {
    id,
    aliases: [...allIds].sort(),
    ...(summary ? { summary } : {}),
    severity: byId.map((m) => m.severity).reduce(moreSevere),
    fixed: sortVersions(group.flatMap((m) => m.fixed), scheme, leadingV),
    ...(lastAffected.length ? { lastAffected } : {}),
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    url: primary.advisory.url,
  };
}
