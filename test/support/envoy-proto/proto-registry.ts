// Loads Envoy's v3 API protos (as shipped in @grpc/grpc-js-xds) into one protobufjs Root, once per process.
// Files whose transitive imports are not shipped (opencensus, opentelemetry, prometheus) are skipped:
// loading them would leave unresolvable types behind and poison every later lookup.
import * as fs from "node:fs";
import * as path from "node:path";
import * as protobuf from "protobufjs";

export interface ProtoRegistry {
  root: protobuf.Root;
  /** v3 files that were loaded, relative to their include dir */
  loadedFiles: string[];
  /** v3 files skipped because an import (transitively) is missing, with that import */
  skippedFiles: { file: string; missingImport: string }[];
  loadMillis: number;
}

const XDS_DEPS = path.join(path.dirname(require.resolve("@grpc/grpc-js-xds/package.json")), "deps");
const PROTOBUFJS_DIR = path.dirname(require.resolve("protobufjs/package.json"));
const INCLUDE_DIRS = ["envoy-api", "xds", "protoc-gen-validate", "googleapis"].map((d) => path.join(XDS_DEPS, d));
/** v3 API trees we load: Envoy's and the xds (udpa successor) types Envoy refers to. */
const V3_ROOTS = [path.join(XDS_DEPS, "envoy-api", "envoy"), path.join(XDS_DEPS, "xds", "xds")];

let cached: ProtoRegistry | undefined;

function resolveImport(target: string): string | undefined {
  if (target.startsWith("google/protobuf/")) {
    // protobufjs ships descriptor.proto and friends; the rest are its built-in "common" types.
    const shipped = path.join(PROTOBUFJS_DIR, target);
    return fs.existsSync(shipped) ? shipped : target;
  }
  for (const dir of INCLUDE_DIRS) {
    const candidate = path.join(dir, target);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function listProtoFiles(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listProtoFiles(full, out);
    else if (entry.name.endsWith(".proto")) out.push(full);
  }
  return out;
}

const IMPORT_LINE = /^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm;

function importsOf(file: string): string[] {
  return [...fs.readFileSync(file, "utf8").matchAll(IMPORT_LINE)].map((m) => m[1]);
}

/** The first import in `file`'s transitive closure that cannot be found, or undefined. */
function findMissingImport(file: string, memo: Map<string, string | null>, visiting = new Set<string>()): string | undefined {
  if (memo.has(file)) return memo.get(file) ?? undefined;
  if (visiting.has(file)) return undefined;
  visiting.add(file);
  let missing: string | undefined;
  for (const target of importsOf(file)) {
    const resolved = resolveImport(target);
    if (resolved === undefined) missing = target;
    else if (path.isAbsolute(resolved)) missing = findMissingImport(resolved, memo, visiting);
    if (missing) break;
  }
  memo.set(file, missing ?? null);
  return missing;
}

export function loadEnvoyProtos(): ProtoRegistry {
  if (cached) return cached;
  const started = Date.now();
  const memo = new Map<string, string | null>();
  const loadable: string[] = [];
  const skippedFiles: ProtoRegistry["skippedFiles"] = [];
  for (const v3Root of V3_ROOTS) {
    for (const file of listProtoFiles(v3Root)) {
      if (!file.split(path.sep).includes("v3")) continue;
      const missingImport = findMissingImport(file, memo);
      const relative = path.relative(path.dirname(v3Root), file);
      if (missingImport) skippedFiles.push({ file: relative, missingImport });
      else loadable.push(file);
    }
  }
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : resolveImport(target) ?? target);
  root.loadSync(loadable, { keepCase: true });
  root.resolveAll();
  cached = {
    root,
    loadedFiles: loadable.map((f) => path.relative(XDS_DEPS, f)),
    skippedFiles,
    loadMillis: Date.now() - started,
  };
  return cached;
}
