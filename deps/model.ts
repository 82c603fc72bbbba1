// What the dependency checks talk about: a component (one package at one version, from a vendor's SBOM
// or found in an image), and what was wrong with one that could not be checked. Every part of deps/
// (SBOM readers, image inventory, OSV matching, policy, reports) speaks these types.

/** Where a component was found. */
export type ComponentOrigin =
  | { kind: "sbom"; /** bom-ref (CycloneDX) or SPDXID (SPDX), when the document gave one */ ref?: string }
  | { kind: "image"; /** the file in the image it was read from, e.g. `var/lib/dpkg/status` */ path: string };

export interface Component {
  /** package URL, as the SBOM gave it or as derived for an image's package */
  purl: string;
  /** the purl type: npm, pypi, deb, maven, golang, apk, ... */
  type: string;
  /**
   * The OSV ecosystem advisories for it are filed under, with a release where OSV keys one:
   * "npm", "PyPI", "Maven", "Go", "Debian:12", "Alpine:v3.19". Undefined when this purl type has no
   * ecosystem here, or (Debian, Alpine) the release is unknown; `problem` then says why.
   */
  ecosystem?: string;
  /** the name OSV keys it by: npm "@scope/name", PyPI normalised (PEP 503), Maven "group:artifact", Go module path, Debian/Alpine binary package */
  name: string;
  version: string;
  /** Debian and Alpine: the source package (and its version, which can differ) that distribution advisories are keyed by */
  source?: { name: string; version: string };
  origin: ComponentOrigin;
  /** why this component cannot be matched against advisories (unknown purl type, unknown release, ...); the rest are still checked */
  problem?: string;
}

/** One component an input could not turn into a Component, and why; the rest of the input is still used. */
export interface InputProblem {
  /** where in the input: `components[3]` (CycloneDX), `packages[7]` (SPDX), or an image path */
  at: string;
  problem: string;
}

/** Unusable input as a whole (not JSON, not a known SBOM format, too large, fails its schema): exit code 2. */
export class UnusableInputError extends Error {
  constructor(
    /** the file or image it is about */
    readonly source: string,
    /** what is wrong, with the position (`line 3, column 7`) when there is one */
    readonly detail: string,
  ) {
    super(`${source}: ${detail}`);
    this.name = "UnusableInputError";
  }
}
