// What reading a vendor's SBOM gives, and the bounds every reader keeps to.
import type { DistributionHint } from "../ecosystems";
import type { Component, InputProblem } from "../model";

export interface Sbom {
  format: "CycloneDX" | "SPDX";
  /** "1.4", "1.5", "1.6" (CycloneDX) or "2.3" (SPDX) */
  specVersion: string;
  components: Component[];
  /** components that could not be read (no purl, a purl that does not parse); the rest are still read */
  problems: InputProblem[];
  /** what the SBOM describes: CycloneDX `metadata.component`, SPDX the package (or file) the document describes */
  subject?: { name?: string; version?: string };
  /** SHA-256 of the file's bytes as read (readSbom only) */
  sha256?: string;
}

export interface SbomOptions {
  /** the image's os-release, for deb/apk purls without a `distro` qualifier */
  distribution?: DistributionHint;
  /** larger files are refused before they are read; default 64 MiB */
  maxBytes?: number;
  /** SBOMs listing more components (CycloneDX, nested ones included) or packages (SPDX) are refused; default 500,000 */
  maxComponents?: number;
}

export const DEFAULT_MAX_SBOM_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_COMPONENTS = 500_000;
/** CycloneDX components nest; deeper trees are refused before schema validation, which recurses once per level */
export const MAX_COMPONENT_NESTING = 100;
