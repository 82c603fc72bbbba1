// The version ordering of each OSV ecosystem, by the ecosystem's name as OSV spells it. Each ecosystem's
// rules live in their own file (parse a version, compare two parsed ones); this file turns them into
// VersionSchemes that parse each distinct version string once: the matcher compares one component's
// version with many advisory bounds, and the same bounds recur across components.
import { apkRules } from "./apk";
import { dpkgRules } from "./dpkg";
import { goRules } from "./go";
import { mavenRules } from "./maven";
import { npmRules } from "./npm";
import { pypiRules } from "./pypi";
import { VersionError, type VersionScheme } from "./scheme";
import { semverRules } from "./semver";

/**
 * One ecosystem's rules: how to read a version, and how two read versions order. A parsed version is an
 * object, so that a string result can only be the reason it is not a version.
 */
export interface VersionRules<Parsed extends object> {
  /** the rules' name, for messages (VersionScheme.name) */
  readonly name: string;
  /** the parsed version, or why the string is not a version here (a phrase without the version itself) */
  parse(version: string): Parsed | string;
  /** negative, zero or positive as a orders before, equal to or after b */
  compare(a: Parsed, b: Parsed): number;
}

/** Distinct version strings remembered per scheme; past this the memory starts again (a bound on memory). */
export const PARSED_VERSIONS_KEPT = 200_000;

/**
 * The longest version compared (node-semver's own limit). Real versions are far shorter; the bound keeps
 * parsing and comparing (Maven's nested lists are as deep as the version is long) small for any input.
 */
export const VERSION_LENGTH_MAX = 256;

/** A VersionScheme from rules, parsing each distinct string once (problems too, so problem() stays cheap). */
export function cachedScheme<Parsed extends object>(rules: VersionRules<Parsed>): VersionScheme {
  const parsed = new Map<string, Parsed | string>();
  const read = (version: string): Parsed | string => {
    if (version.length > VERSION_LENGTH_MAX) return `it is ${version.length} characters long; versions of more than ${VERSION_LENGTH_MAX} are not compared`;
    let result = parsed.get(version);
    if (result === undefined) {
      if (parsed.size >= PARSED_VERSIONS_KEPT) parsed.clear();
      result = rules.parse(version);
      parsed.set(version, result);
    }
    return result;
  };
  const readOrThrow = (version: string): Parsed => {
    const result = read(version);
    if (typeof result === "string") throw new VersionError(version, rules.name, result);
    return result;
  };
  return {
    name: rules.name,
    problem(version: string): string | undefined {
      const result = read(version);
      return typeof result === "string" ? result : undefined;
    },
    compare(a: string, b: string): number {
      const first = readOrThrow(a);
      return a === b ? 0 : rules.compare(first, readOrThrow(b));
    },
    read(version: string): Parsed | undefined {
      const result = read(version);
      return typeof result === "string" ? undefined : result;
    },
    compareRead(a: object, b: object): number {
      return a === b ? 0 : rules.compare(a as Parsed, b as Parsed);
    },
  };
}

export const NPM_SCHEME = cachedScheme(npmRules);
export const PYPI_SCHEME = cachedScheme(pypiRules);
export const DPKG_SCHEME = cachedScheme(dpkgRules);
export const MAVEN_SCHEME = cachedScheme(mavenRules);
export const GO_SCHEME = cachedScheme(goRules);
export const APK_SCHEME = cachedScheme(apkRules);
/** The ordering of OSV ranges of type SEMVER, whatever the ecosystem. */
export const SEMVER_SCHEME = cachedScheme(semverRules);

/** OSV ecosystem (without its release suffix) → its ordering. */
const BY_ECOSYSTEM: ReadonlyMap<string, VersionScheme> = new Map([
  ["npm", NPM_SCHEME],
  ["PyPI", PYPI_SCHEME],
  ["Debian", DPKG_SCHEME],
  ["Maven", MAVEN_SCHEME],
  ["Go", GO_SCHEME],
  ["Alpine", APK_SCHEME],
]);

/**
 * The ordering of an OSV ecosystem, as OSV spells it, with or without a release suffix
 * ("Debian:12", "Alpine:v3.19"); undefined for an ecosystem whose ordering is not known here.
 */
export function versionSchemeFor(ecosystem: string): VersionScheme | undefined {
  const colon = ecosystem.indexOf(":");
  return BY_ECOSYSTEM.get(colon < 0 ? ecosystem : ecosystem.slice(0, colon));
}

/** The OSV ecosystems (without release) whose version ordering is known here. */
export function ecosystemsWithVersionOrder(): string[] {
  return [...BY_ECOSYSTEM.keys()];
}

export { VersionError, type VersionScheme } from "./scheme";
