// SPDX 2.3 JSON: checked against the official schema (vendored, see schemas/README.md), then every package
// with a purl external reference read. The schema has no `format` keywords, so ajv-formats has nothing to
// add; it $refs nothing outside itself, so compiling it loads nothing.
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { componentFromPurl } from "../ecosystems";
import { UnusableInputError, type Component, type InputProblem } from "../model";
import { schemaViolation, validateBounded } from "./schema-errors";
import { DEFAULT_MAX_COMPONENTS, type Sbom, type SbomOptions } from "./sbom";
import officialSchema from "./schemas/spdx-2.3.schema.json";
import { useLinearUniqueItems } from "./unique-items";

export const SPDX_VERSION = "SPDX-2.3";

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** The reference categories a purl may be filed under; SPDX's own later 2.3 schema accepts both spellings. */
const PACKAGE_MANAGER = new Set(["PACKAGE-MANAGER", "PACKAGE_MANAGER"]);

/** The vendored schema, with the underscore categories and the `$schema` key SPDX added to it after the v2.3 tag (schemas/README.md). */
function schemaWithUnderscoreCategories(): object {
  const schema = structuredClone(officialSchema) as Json;
  const externalRefs = ((((schema.properties as Json).packages as Json).items as Json).properties as Json).externalRefs as Json;
  const categories = (((externalRefs.items as Json).properties as Json).referenceCategory as Json).enum as string[];
  categories.push("PERSISTENT_ID", "PACKAGE_MANAGER");
  // SPDX also allowed a top-level "$schema" after the tag (commit 8a595028b, "allow $schema entry in SPDX 2.3 JSON")
  (schema.properties as Json).$schema = { type: "string" };
  return schema;
}

let validator: ValidateFunction | undefined;

/** Every schema error of a parsed SPDX document (empty when it is valid); the validator is compiled on first use. */
export function spdxSchemaErrors(document: unknown): ErrorObject[] {
  if (!validator) validator = useLinearUniqueItems(new Ajv({ allErrors: true, strict: true, useDefaults: false, addUsedSchema: false })).compile(schemaWithUnderscoreCategories());
  return validator(document) ? [] : [...(validator.errors ?? [])];
}

/** The SPDXIDs the document describes: `documentDescribes`, and DESCRIBES / DESCRIBED_BY relationships with the document. */
function describedIds(document: Json): Set<string> {
  const ids = new Set<string>(Array.isArray(document.documentDescribes) ? document.documentDescribes.filter((id): id is string => typeof id === "string") : []);
  const self = text(document.SPDXID);
  for (const relationship of Array.isArray(document.relationships) ? document.relationships : []) {
    if (!isObject(relationship)) continue;
    const { spdxElementId, relatedSpdxElement, relationshipType } = relationship;
    if (relationshipType === "DESCRIBES" && spdxElementId === self && typeof relatedSpdxElement === "string") ids.add(relatedSpdxElement);
    if (relationshipType === "DESCRIBED_BY" && relatedSpdxElement === self && typeof spdxElementId === "string") ids.add(spdxElementId);
  }
  return ids;
}

/** The first described package (else file) as name and version. */
function subjectOf(document: Json, described: Set<string>, packages: Json[]): Sbom["subject"] {
  const pkg = packages.find((candidate) => described.has(candidate.SPDXID as string));
  if (pkg) {
    const name = text(pkg.name);
    const version = text(pkg.versionInfo);
    return { ...(name ? { name } : {}), ...(version ? { version } : {}) };
  }
  const files = Array.isArray(document.files) ? document.files.filter(isObject) : [];
  const name = text(files.find((file) => described.has(file.SPDXID as string))?.fileName);
  return name ? { name } : undefined;
}

const label = (pkg: Json): string => `${text(pkg.name) ?? "(unnamed)"}${text(pkg.versionInfo) ? `@${text(pkg.versionInfo)}` : ""} (${text(pkg.SPDXID) ?? "no SPDXID"})`;

/** A parsed document with an `spdxVersion`: version, size, schema, then its packages. */
export function readSpdx(document: Json, source: string, options: SbomOptions = {}): Sbom {
  if (document.spdxVersion !== SPDX_VERSION) {
    const found = typeof document.spdxVersion === "string" ? document.spdxVersion : JSON.stringify(document.spdxVersion);
    throw new UnusableInputError(source, `is ${found}; only SPDX 2.3 JSON ("spdxVersion": "${SPDX_VERSION}") is read: export the SBOM as SPDX 2.3 JSON`);
  }
  const maxComponents = options.maxComponents ?? DEFAULT_MAX_COMPONENTS;
  if (Array.isArray(document.packages) && document.packages.length > maxComponents) {
    throw new UnusableInputError(source, `lists ${document.packages.length} packages, more than the ${maxComponents} one SBOM may have: split it, one SBOM per image or application`);
  }
  const errors = validateBounded(source, () => spdxSchemaErrors(document));
  if (errors.length > 0) throw schemaViolation(source, "SPDX 2.3", errors);

  const packages = Array.isArray(document.packages) ? (document.packages as Json[]) : [];
  const described = describedIds(document);
  const components: Component[] = [];
  const problems: InputProblem[] = [];
  packages.forEach((pkg, index) => {
    const at = `packages[${index}]`;
    const purls = (Array.isArray(pkg.externalRefs) ? (pkg.externalRefs as Json[]) : [])
      .filter((ref) => ref.referenceType === "purl" && PACKAGE_MANAGER.has(ref.referenceCategory as string))
      .map((ref) => ref.referenceLocator as string);
    // the package the document describes is the product itself; it is read when it has a purl, but needs none
    if (purls.length === 0 && !described.has(pkg.SPDXID as string)) {
      problems.push({ at, problem: `${label(pkg)} has no package URL (an externalRefs entry with referenceType "purl", category PACKAGE-MANAGER), so it cannot be checked for vulnerabilities: add a purl` });
    }
    for (const purl of purls) {
      const read = componentFromPurl(purl, { kind: "sbom", ref: pkg.SPDXID as string }, options.distribution);
      if (typeof read === "string") problems.push({ at, problem: `${label(pkg)}: ${read}` });
      else components.push(read);
    }
  });
  const subject = subjectOf(document, described, packages);
  return { format: "SPDX", specVersion: "2.3", components, problems, ...(subject ? { subject } : {}) };
}
