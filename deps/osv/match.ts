// Matches components against the advisory database: which advisories affect each component's version,
// merged by alias into vulnerabilities, and what could not be decided (said, never guessed).
import { versionKey } from "../ecosystems";
import type { Component } from "../model";
import { SEMVER_SCHEME, versionSchemeFor } from "../versions";
import type { VersionScheme } from "../versions/scheme";
import type { AffectedPackage } from "./advisory";
import { evaluateAffected, readableVersion, ReadVersions } from "./affected";
import type { AdvisoryDatabase } from "./database";
import { AdvisoryMatch, mergeAdvisories, Vulnerability } from "./merge";
import { moreSevere, packageSeverity, Severity, SEVERITY_ORDER } from "./severity";

export type { Vulnerability } from "./merge";
export type { Severity, SeverityLevel } from "./severity";

export interface ComponentMatch {
  component: Component;
  /** most severe first, then by id */
  vulnerabilities: Vulnerability[];
  /** what could not be checked: the whole component (then `unchecked`), or single advisories' ranges */
  problems: string[];
  /** true when the component was not checked at all (its own problem, no ecosystem, or a version its ecosystem cannot read) */
  unchecked: boolean;
}

export interface MatchOptions {
  /** the version rules of an ecosystem ("Debian:12", "npm", ...); defaults to deps/versions */
  schemeFor?: (ecosystem: string) => VersionScheme | undefined;
  /** the rules of SEMVER ranges; defaults to deps/versions */
  semver?: VersionScheme;
}

// severities are derived once per affected-package entry, however many components it matches
const severityCache = new WeakMap<AffectedPackage, Severity>();

function severityFor(entry: AffectedPackage): Severity {
  let severity = severityCache.get(entry);
  if (!severity) severityCache.set(entry, (severity = packageSeverity(entry.advisory.severity, entry.severity)));
  return severity;
}

function unchecked(component: Component, problem: string): ComponentMatch {
  return { component, vulnerabilities: [], problems: [problem], unchecked: true };
}

/** The advisories that affect one component, merged by alias, and what could not be decided. */
export function matchComponent(db: AdvisoryDatabase, component: Component, options: MatchOptions = {}): ComponentMatch {
  if (component.problem) return unchecked(component, component.problem);
  const ecosystem = component.ecosystem;
  if (!ecosystem) return unchecked(component, `no OSV ecosystem is known for purl type "${component.type}"; not checked`);
  const scheme = (options.schemeFor ?? versionSchemeFor)(ecosystem);
  if (!scheme) return unchecked(component, `no version rules for the ecosystem "${ecosystem}"; not checked`);
  const semver = options.semver ?? SEMVER_SCHEME;

  // distribution advisories are filed under the source package (and its version)
  const name = component.source?.name ?? component.name;
  const version = component.source?.version ?? component.version;
  const leadingV = ecosystem === "Go";
  const readable = readableVersion(scheme, version, leadingV);
  if ("problem" in readable) return unchecked(component, `version ${JSON.stringify(version)} is not a ${scheme.name} version: ${readable.problem}; not checked`);

  const entries = db.affectedPackages(ecosystem, name);
  if (entries.length === 0) return { component, vulnerabilities: [], problems: [], unchecked: false };
  // made on the first hit: most entries do not affect the version
  let matched: Map<string, AdvisoryMatch> | undefined;
  let undecidable: Map<string, string[]> | undefined;
  const rules = { ecosystem: scheme, semver, leadingV };
  // the component's version as its ecosystem reads it is known already: the entries' ranges start from it
  const read: ReadVersions = { ecosystem: scheme.read(readable.version) };
  for (const entry of entries) {
    const verdict = evaluateAffected(entry, version, rules, read);
    const id = entry.advisory.id;
    if (verdict.affected) {
      const severity = severityFor(entry);
      matched ??= new Map();
      const known = matched.get(id);
      if (known) {
        known.fixed.push(...verdict.fixed);
        known.lastAffected.push(...verdict.lastAffected);
        known.severity = moreSevere(known.severity, severity);
      } else matched.set(id, { advisory: entry.advisory, severity, fixed: [...verdict.fixed], lastAffected: [...verdict.lastAffected] });
    } else if (verdict.undecidable.length) {
      undecidable ??= new Map();
      undecidable.set(id, [...(undecidable.get(id) ?? []), ...verdict.undecidable]);
    }
  }

  const what = component.source ? `source package ${name} ${version}` : `${name}@${version}`;
  const problems = !undecidable
    ? []
    : [...undecidable]
    .filter(([id]) => !matched?.has(id))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, reasons]) => `${id}: cannot tell whether ${what} is affected: ${reasons.join("; ")}`);
  if (!matched) return { component, vulnerabilities: [], problems, unchecked: false };
  const vulnerabilities = mergeAdvisories([...matched.values()], ecosystem, scheme, leadingV).sort(
    (a, b) => SEVERITY_ORDER[b.severity.level] - SEVERITY_ORDER[a.severity.level] || (b.severity.score ?? -1) - (a.severity.score ?? -1) || (a.id < b.id ? -1 : 1),
  );
  return { component, vulnerabilities, problems, unchecked: false };
}

/** What decides a component's match; components equal in it share one evaluation. */
function matchKey(component: Component): string {
  return `${component.problem ?? ""}\u0000${versionKey(component)}`;
}

/** Two components that are the same in every field that matters, wherever they were found. */
function sameComponent(a: Component, b: Component): boolean {
  if (a.purl !== b.purl || a.origin.kind !== b.origin.kind) return false;
  return a.origin.kind === "sbom" ? a.origin.ref === (b.origin as typeof a.origin).ref : a.origin.path === (b.origin as typeof a.origin).path;
}

/** Matches each component once (identical components listed twice are matched and returned once). */
export function matchComponents(db: AdvisoryDatabase, components: readonly Component[], options: MatchOptions = {}): ComponentMatch[] {
  const byKey = new Map<string, { match: ComponentMatch; components: Component[] }>();
  const matches: ComponentMatch[] = [];
  for (const component of components) {
    const key = matchKey(component);
    const known = byKey.get(key);
    if (!known) {
      const match = matchComponent(db, component, options);
      byKey.set(key, { match, components: [component] });
      matches.push(match);
    } else if (!known.components.some((other) => sameComponent(other, component))) {
      known.components.push(component);
      matches.push({ ...known.match, component });
    }
  }
  return matches;
}
