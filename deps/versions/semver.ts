// Semantic Versioning 2.0 (MAJOR.MINOR.PATCH[-pre.release][+build]) read and ordered by node-semver, the
// library npm itself uses, in its strict mode (no "1.0", no leading zeros; a leading "v" is tolerated).
// Pre-releases order before their release, build metadata does not order. This is the ordering of OSV
// ranges of type SEMVER; npm.ts and go.ts are the same rules under their ecosystems' names.
import { SemVer } from "semver";
import type { VersionRules } from "./index";

/** Semantic-versioning rules named for an ecosystem, with an example for its messages. */
export function semverRulesNamed(name: string, example: string): VersionRules<SemVer> {
  const format = `semantic versioning 2.0 is MAJOR.MINOR.PATCH[-prerelease][+build], e.g. ${example}`;
  return {
    name,
    parse(version) {
      if (version === "") return `it is empty; ${format}`;
      if (/\s/.test(version)) return `it contains whitespace; remove it (${format})`;
      try {
        return new SemVer(version);
      } catch (error) {
        // node-semver's "Invalid Version: <v>" repeats the version; its other messages say which part is wrong
        const detail = (error as Error).message;
        return detail.startsWith("Invalid Version") ? `it is not a full semantic version; ${format}` : `${detail}; ${format}`;
      }
    },
    compare: (a, b) => a.compare(b),
  };
}

export const semverRules = semverRulesNamed("SemVer 2.0", "1.4.2, 2.0.0-rc.1 or v1.4.2");
