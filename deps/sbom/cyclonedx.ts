// CycloneDX JSON 1.4–1.6: checked against the JSON schemas bundled with @cyclonedx/cyclonedx-library (the
// files and ajv set-up its Validation.JsonStrictValidator uses), then every component with a purl read.
//
// Why not call JsonStrictValidator itself: it is asynchronous, reports only ajv's first error, and keeps
// ajv's quadratic `uniqueItems` (minutes for 100,000 components). Listing every error is quadratic too
// (ajv concatenates each nested component's errors onto all before them: 20,000 broken components take
// 9 s), so a first pass stops at the first error, and only SBOMs of a bounded size get the full list.
//
// Offline: the library's schemas $ref only each other (spdx, jsf, cryptography-defs), all registered
// here from its package, and ajv's compile() never loads a schema it does not have (only compileAsync
// with a loadSchema would), so an unknown $ref would fail compilation instead of going to the network.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { componentFromPurl } from "../ecosystems";
import { UnusableInputError, type Component, type InputProblem } from "../model";
import { schemaViolation, validateBounded } from "./schema-errors";
import { DEFAULT_MAX_COMPONENTS, MAX_COMPONENT_NESTING, type Sbom, type SbomOptions } from "./sbom";
import { useLinearUniqueItems } from "./unique-items";

// ajv-formats-draft2019 ships no type declarations.
const addFormats2019 = require("ajv-formats-draft2019") as (ajv: Ajv, options: { formats: string[] }) => Ajv;

export const CYCLONEDX_VERSIONS = ["1.4", "1.5", "1.6"] as const;
export type CycloneDxVersion = (typeof CYCLONEDX_VERSIONS)[number];

/** One of the library's bundled schemas (its res/schema folder). */
function bundledSchema(file: string): object {
  const root = join(dirname(require.resolve("@cyclonedx/cyclonedx-library/package.json")), "res", "schema");
  return JSON.parse(readFileSync(join(root, file), "utf8")) as object;
}
/** The schemas the BOM schemas $ref, under the ids the library's validator registers them with. */
const SHARED_SCHEMAS: Record<string, string> = {
  "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json": "spdx.SNAPSHOT.schema.json",
  "http://cyclonedx.org/schema/cryptography-defs.SNAPSHOT.schema.json": "cryptography-defs.SNAPSHOT.schema.json",
  "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json": "jsf-0.82.SNAPSHOT.schema.json",
};

/** Up to this many components, a document that fails its schema is validated again to list every error (under a second). */
export const LIST_ALL_ERRORS_UP_TO = 5_000;

const validators = new Map<string, ValidateFunction>();

/** Compiled once per version and mode, on first use (a few hundred ms each). */
function validatorFor(version: CycloneDxVersion, allErrors: boolean): ValidateFunction {
  let validate = validators.get(`${version} ${allErrors}`);
  if (!validate) {
    const schemas = Object.fromEntries(Object.entries(SHARED_SCHEMAS).map(([id, file]) => [id, bundledSchema(file)]));
    // the library's options: no defaults written into the data, its schemas use keywords strict mode rejects
    const ajv = new Ajv({ schemas, allErrors, strict: false, useDefaults: false, addUsedSchema: false });
    addFormats(ajv);
    addFormats2019(ajv, { formats: ["idn-email"] });
    ajv.addFormat("iri-reference", true); // as the library: ajv-formats-draft2019's iri-reference is broken
    useLinearUniqueItems(ajv);
    validate = ajv.compile(bundledSchema(`bom-${version}.SNAPSHOT.schema.json`));
    validators.set(`${version} ${allErrors}`, validate);
  }
  return validate;
}

/** The schema errors of a parsed CycloneDX document (empty when it is valid): all of them, or only the first. */
export function cycloneDxSchemaErrors(document: unknown, version: CycloneDxVersion, all = true): ErrorObject[] {
  const validate = validatorFor(version, all);
  return validate(document) ? [] : [...(validate.errors ?? [])];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Every component of the BOM in document order, each with its path: `components[]`, their nested
 * `components[]`, and those nested under `metadata.component` (the subject itself is not one). Runs
 * before validation, so it takes any shape; an explicit stack, so deep nesting cannot overflow it.
 * Stops when `visit` returns false; throws when nesting passes `maxNesting`.
 */
export function forEachCycloneDxComponent(document: unknown, visit: (component: Json, at: string) => boolean | void, maxNesting = MAX_COMPONENT_NESTING): void {
  const stack: { value: unknown; at: string; depth: number }[] = [];
  const pushChildren = (parent: unknown, at: string, depth: number) => {
    const children = isObject(parent) ? parent.components : undefined;
    if (!Array.isArray(children)) return;
    for (let i = children.length - 1; i >= 0; i--) stack.push({ value: children[i], at: `${at ? `${at}.` : ""}components[${i}]`, depth });
  };
  const metadata = isObject(document) ? document.metadata : undefined;
  pushChildren(isObject(metadata) ? metadata.component : undefined, "metadata.component", 1);
  pushChildren(document, "", 1);
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (item.depth > maxNesting) throw new RangeError(`components nest more than ${maxNesting} levels deep (at ${item.at.split(".").slice(0, 3).join(".")}…)`);
    if (!isObject(item.value)) continue;
    if (visit(item.value, item.at) === false) return;
    pushChildren(item.value, item.at, item.depth + 1);
  }
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** `group/name@version`, as a vendor would recognise the component. */
function label(component: Json): string {
  const group = text(component.group);
  const version = text(component.version);
  return `${group ? `${group}/` : ""}${text(component.name) ?? "(unnamed)"}${version ? `@${version}` : ""}`;
}

function subjectOf(document: Json): Sbom["subject"] {
  const metadata = isObject(document.metadata) ? document.metadata : undefined;
  const component = metadata && isObject(metadata.component) ? metadata.component : undefined;
  if (!component) return undefined;
  const name = text(component.name);
  const version = text(component.version);
  return { ...(name ? { name } : {}), ...(version ? { version } : {}) };
}

/** A parsed document whose `bomFormat` is "CycloneDX": version, size, schema, then its components. */
export function readCycloneDx(document: Json, source: string, options: SbomOptions = {}): Sbom {
  const found = document.specVersion;
  const version = CYCLONEDX_VERSIONS.find((known) => known === found);
  if (!version) {
    const what = found === undefined ? 'has no "specVersion"' : `is CycloneDX ${typeof found === "string" ? found : JSON.stringify(found)}`;
    return unusable(source, `${what}; only CycloneDX JSON ${CYCLONEDX_VERSIONS.slice(0, -1).join(", ")} and ${CYCLONEDX_VERSIONS.at(-1)} are read: export the SBOM as CycloneDX ${CYCLONEDX_VERSIONS.at(-1)} JSON`);
  }

  const maxComponents = options.maxComponents ?? DEFAULT_MAX_COMPONENTS;
  let count = 0;
  try {
    forEachCycloneDxComponent(document, () => ++count <= maxComponents);
  } catch (error) {
    if (error instanceof RangeError) return unusable(source, `${error.message}: flatten the component tree`);
    throw error;
  }
  if (count > maxComponents) return unusable(source, `lists more than ${maxComponents} components, the most one SBOM may have: split it, one SBOM per image or application`);

  const first = validateBounded(source, () => cycloneDxSchemaErrors(document, version, false));
  if (first.length > 0) {
    if (count > LIST_ALL_ERRORS_UP_TO) throw schemaViolation(source, `CycloneDX ${version}`, first, `with ${count} components, only the first error is listed`);
    throw schemaViolation(source, `CycloneDX ${version}`, validateBounded(source, () => cycloneDxSchemaErrors(document, version, true)));
  }

  const components: Component[] = [];
  const problems: InputProblem[] = [];
  forEachCycloneDxComponent(document, (component, at) => {
    const purl = text(component.purl);
    if (!purl) {
      // scanners describe the base system as an operating-system component: its packages are listed on their own
      if (component.type === "operating-system") return;
      problems.push({ at, problem: `${label(component)} has no package URL ("purl"), so it cannot be checked for vulnerabilities: add a purl` });
      return;
    }
    const ref = text(component["bom-ref"]);
    const read = componentFromPurl(purl, { kind: "sbom", ...(ref ? { ref } : {}) }, options.distribution);
    if (typeof read === "string") problems.push({ at, problem: `${label(component)}: ${read}` });
    else components.push(read);
  });
  const subject = subjectOf(document);
  return { format: "CycloneDX", specVersion: version, components, problems, ...(subject ? { subject } : {}) };
}

function unusable(source: string, detail: string): never {
  throw new UnusableInputError(source, detail);
}
