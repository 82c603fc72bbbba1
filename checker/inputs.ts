// Reads one checker input: an app manifest (YAML/JSON), a `pulumi stack export` file, or a JSON
// array of `{ type, name, props }`. Unreadable input is an InputError (exit code 2) that carries
// the parse error and its line and column.
import { readFileSync, statSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import type { CheckedResource } from "../policies/evaluate";
import { UNKNOWN } from "../policies/runtime";
import { SECRET_SIG, unwrapSecrets } from "../mock-runner/secret-envelope";
import { jsonSyntaxError, lineColumn } from "./json-syntax";
import { manifestResources } from "./manifest";

export type InputKind = "app-manifest" | "stack-export" | "resources";

interface LoadedInput {
  file: string;
  kind: InputKind;
  resources: CheckedResource[];
  /** stack rules need the whole stack: not run for a single app's manifest */
  stackRules: boolean;
  /** manifest schema problems */
  problems: { path: string; message: string }[];
  /** `--stack`: the stack's resources without the manifest's app; their findings are the stack's own */
  baseline?: CheckedResource[];
}

export class InputError extends Error {
  constructor(readonly file: string, readonly detail: string) {
    super(`${file}: ${detail}`);
    this.name = "InputError";
  }
}


/** YAML aliases may expand to at most this many nodes: more is the shape of a resource-exhaustion attack. */
const MAX_ALIAS_EXPANSION = 10_000;
/** Inputs larger than this are refused before parsing. */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024;

function isStackExhaustion(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

const NESTED_TOO_DEEPLY = "nested too deeply to read (more levels than any manifest or export has)";

export function parseText(file: string, text: string): unknown {
  const looksJson = /\.json$/i.test(file) || (!/\.ya?ml$/i.test(file) && /^\s*[[{]/.test(text));
  if (text.trim() === "") throw new InputError(file, "the file is empty: expected an app manifest, a `pulumi stack export` file or a JSON array of { type, name, props }");
  if (looksJson) {
    const syntax = jsonSyntaxError(text);
    if (syntax) {
      const { line, column } = lineColumn(text, syntax.offset);
      throw new InputError(file, `invalid JSON at line ${line}, column ${column}: ${syntax.message}`);
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      // the scanner found no error, so this is the engine's limit, never the file's content
      throw new InputError(file, isStackExhaustion(error) ? `invalid JSON: ${NESTED_TOO_DEEPLY}` : "invalid JSON");
    }
  }
  const lineCounter = new LineCounter();
  let document: ReturnType<typeof parseDocument>;
  try {
    document = parseDocument(text, { lineCounter, prettyErrors: false });
  } catch (error) {
    if (isStackExhaustion(error)) throw new InputError(file, `invalid YAML: ${NESTED_TOO_DEEPLY}`);
    throw error;
  }
  const error = document.errors[0];
  if (error) {
    const at = lineCounter.linePos(error.pos[0]);
    const where = at ? ` at line ${at.line}, column ${at.col}` : "";
    const detail = /call stack/i.test(error.message) ? NESTED_TOO_DEEPLY : error.message.split("\n")[0];
    throw new InputError(file, `invalid YAML${where}: ${detail}`);
  }
  try {
    return document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new InputError(file, `invalid YAML: its aliases (*name) expand to more than ${MAX_ALIAS_EXPANSION} values, the shape of a resource-exhaustion attack; write the values out`);
    }
    if (isStackExhaustion(error)) throw new InputError(file, `invalid YAML: ${NESTED_TOO_DEEPLY}`);
    if (error instanceof ReferenceError) throw new InputError(file, `invalid YAML: ${error.message.split("\n")[0]}`);
    throw error;
  }
}

/** Unwraps Pulumi secret envelopes; an encrypted one becomes an unknown value (exports hide it). */
function withSecrets(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<CheckedResource>, mayHoldSecrets: boolean): CheckedResource {
  // Most files hold no secret envelope at all: then the inputs are used as parsed, without a copy.
  if (!mayHoldSecrets) return { type, name, props: inputs, ...extra };
  const props: Record<string, unknown> = {};
  const secretInputs: string[] = [];
  for (const [key, value] of Object.entries(inputs)) {
    const unwrapped = unwrapSecrets(value, UNKNOWN.object);
    props[key] = unwrapped.value;
    if (unwrapped.secret) secretInputs.push(key);
  }
  return { type, name, props, secretInputs, ...extra };
}

const isObject = (value: unknown): value is Record<string, any> => typeof value === "object" && value !== null && !Array.isArray(value);

function fromStackExport(file: string, document: Record<string, any>, mayHoldSecrets: boolean): CheckedResource[] {
  const resources = document.deployment.resources ?? [];
  if (!Array.isArray(resources)) throw new InputError(file, "deployment.resources: expected an array (is this `pulumi stack export` output?)");
  return resources.flatMap((r: unknown, i: number) => {
    if (!isObject(r) || typeof r.urn !== "string" || typeof r.type !== "string") {
      throw new InputError(file, `deployment.resources[${i}]: expected an object with string "urn" and "type"`);
    }
    if (r.delete === true) return []; // pending deletion: not part of the stack any more
    const name = r.urn.slice(r.urn.lastIndexOf("::") + 2);
    const dependencies = Array.isArray(r.dependencies) ? r.dependencies.filter((d: unknown): d is string => typeof d === "string") : undefined;
    const id = typeof r.id === "string" && r.id !== "" ? { id: r.id } : {};
    return [withSecrets(r.type, name, isObject(r.inputs) ? r.inputs : {}, { urn: r.urn, ...id, ...(dependencies ? { dependencies } : {}) }, mayHoldSecrets)];
  });
}

function fromResourceArray(file: string, items: unknown[], mayHoldSecrets: boolean): CheckedResource[] {
  return items.map((item, i) => {
    if (!isObject(item)) throw new InputError(file, `[${i}]: expected an object { type, name, props }`);
    if (typeof item.type !== "string" || item.type === "") throw new InputError(file, `[${i}].type: expected a resource type string such as "docker:index/container:Container"`);
    if (typeof item.name !== "string" || item.name === "") throw new InputError(file, `[${i}].name: expected a non-empty string`);
    if (!isObject(item.props)) throw new InputError(file, `[${i}].props: expected an object of resource inputs`);
    const extra = { ...(typeof item.urn === "string" ? { urn: item.urn } : {}), ...(typeof item.id === "string" && item.id !== "" ? { id: item.id } : {}) };
    return withSecrets(item.type, item.name, item.props, extra, mayHoldSecrets);
  });
}

export interface LoadOptions {
  /** vet an app manifest inside this stack config (Pulumi.<stack>.yaml) instead of on its own */
  stackFile?: string;
  /** the input's text already parsed by the caller (with `text`): not parsed a second time */
  document?: unknown;
}

function readInput(file: string): string {
  if (file !== "-") {
    const size = statSync(file).size;
    if (size > MAX_INPUT_BYTES) throw new Error(`${size} bytes is more than the ${MAX_INPUT_BYTES} an input may have`);
  }
  return readFileSync(file === "-" ? "/dev/stdin" : file, "utf8");
}

export async function loadInput(file: string, text?: string, options: LoadOptions = {}): Promise<LoadedInput> {
  let content: string;
  try {
    content = text ?? readInput(file);
  } catch (error) {
    throw new InputError(file, `cannot read: ${(error as Error).message}`);
  }
  const document = "document" in options ? options.document : parseText(file, content);
  const mayHoldSecrets = content.includes(SECRET_SIG);
  if (document === null || document === undefined) throw new InputError(file, "the file holds no document (only comments or an empty value): expected an app manifest, a `pulumi stack export` file or a JSON array of { type, name, props }");
  if (Array.isArray(document)) {
    if (document.length === 0) throw new InputError(file, "an empty list: nothing to check (a resource list is [{ type, name, props }, ...])");
    return { file, kind: "resources", resources: fromResourceArray(file, document, mayHoldSecrets), stackRules: true, problems: [] };
  }
  if (isObject(document) && isObject(document.deployment)) {
    const resources = fromStackExport(file, document, mayHoldSecrets);
    if (resources.length === 0) throw new InputError(file, "deployment.resources holds no resource: nothing to check (export the stack after `pulumi up`)");
    return { file, kind: "stack-export", resources, stackRules: true, problems: [] };
  }
  if (isObject(document) && ("image" in document || "name" in document)) {
    if (options.stackFile) {
      // require, not import(): the bin shim registers tsx for CommonJS only. Loaded lazily: it pulls in the Pulumi SDK.
      const { manifestInStack } = require("./manifest-in-stack") as typeof import("./manifest-in-stack");
      const result = await manifestInStack(document, file, options.stackFile);
      return { file, kind: "app-manifest", resources: result.resources, stackRules: true, problems: result.problems, baseline: result.baseline };
    }
    const result = manifestResources(document, file);
    return { file, kind: "app-manifest", resources: result.resources, stackRules: false, problems: result.problems };
  }
  if (isObject(document) && Object.keys(document).length === 0) throw new InputError(file, "an empty mapping: nothing to check (an app manifest has at least name and image)");
  throw new InputError(file, "unrecognized input: expected an app manifest (an object with name and image), a `pulumi stack export` file (with deployment.resources) or a JSON array of { type, name, props }");
}
