// npm run schema:manifest [-- --write]
// The JSON Schema of a vendor's app manifest (the app entry of `platform:apps`), generated from the one
// zod model (`appConfigSchema`, config/schema.ts) so that it cannot say anything the platform does not.
// Editors use it (`# yaml-language-server: $schema=...`); `parseAppManifest` and `npm run policy:check`
// stay the authority. docs/app-manifest.schema.json is this output, and test/vendor-guide.test.ts
// fails when it is stale.
//
// What zod cannot carry over by itself, and is added here:
// - the input side of fields that take text: env values, command arguments and healthcheck elements
//   are given as strings, numbers or booleans (YAML's `PORT: 8080`), as the platform takes them;
// - refinements that a JSON Schema can express, each matched by the zod schema object it belongs to
//   (reserved names, egress entry syntax, path prefixes, env names and values, the healthcheck's first
//   element), with every one held to the zod schema by test/vendor-guide.test.ts;
// - defaults: zod leaves them out of an input schema where the field is preprocessed (numbers that
//   also take numeric text, env), so they are copied from the output schema at the same place;
// - a description of every field: config/schema.ts documents fields in comments, not in zod metadata.
// What it cannot express is listed in REFINEMENTS_NOT_IN_SCHEMA (and in docs/vendor-guide.md).
import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { z } from "zod";
import { exitWith, runCommand } from "../cli/args";
import { commandArgs, egressDomain, ENV_LIMITS, COMMAND_LIMITS, envMap, healthcheck, pathPrefix, workloadName } from "../config/primitives";
import { RESERVED_NAMES, SEED_SUFFIX } from "../config/reserved";
import { appConfigSchema } from "../config/schema";

export const SCHEMA_FILE = join(__dirname, "..", "docs", "app-manifest.schema.json");

type JsonSchema = Record<string, unknown>;

/** Checks of the platform that no JSON Schema keyword can state: `parseAppManifest` applies some, the stack the manifest joins the rest. */
export const REFINEMENTS_NOT_IN_SCHEMA = [
  "image: the image reference grammar (registry, path, tag, digest) and its length; pinning by digest is required when the app joins a stack that does not set allowUnpinnedImages",
  "egress: a .suffix that is a public suffix (Public Suffix List), entries inside the stack's trust domain, entries listed twice",
  "env: names that look like credentials (config/credential-names.ts) and the total size of the environment",
  "command: the total size of the arguments",
  "rateLimit: burst at least one 50 ms refill (requestsPerSecond / 20)",
  "services: that each granted service exists in the stack and is granted once",
  "numbers written as text (\"0.25\"), which the platform also takes because Pulumi stores them so",
] as const;

// Egress entries (config/primitives.ts egressEntryProblem): a lowercase host name of two or more labels
// or a .suffix; its last label is not a number (an IPv4 literal in any notation) and not localhost; not
// the Docker engine's docker.internal names; at most 253 characters without the leading dot.
const HOST_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const EGRESS_ENTRY = `^\\.?(?=.{1,253}$)(?!(?:.*\\.)?docker\\.internal$)(?:${HOST_LABEL}\\.)+(?!(?:[0-9]+|0x[0-9a-f]*|localhost)$)${HOST_LABEL}$`;
// Path prefixes (pathPrefix): '/' then A-Z a-z 0-9 . _ ~ - /, no '//', no '.' or '..' segment.
const PATH_PREFIX = "^(?!.*//)(?!.*/\\.\\.?(?:/|$))/[A-Za-z0-9._~/-]*$";
const PATH_PREFIX_MAX = 1024;
// Env names (envMap): a shell name, not one the platform sets itself (proxy variables, PLATFORM_*).
const ENV_NAME = "^(?!(?:HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy)$)(?!PLATFORM_)[A-Za-z_][A-Za-z0-9_]*$";
const NO_NUL = "^[^\\u0000]*$";
const NO_NUL_OR_LINE_BREAK = "^[^\\u0000\\n\\r]*$";
/** Text fields take YAML scalars: `8080` and `true` are turned into text. */
const SCALAR_TYPES = ["string", "number", "boolean"];

const DESCRIPTIONS: Record<string, string> = {
  "": "A third party's app manifest: the app's entry in platform:apps. Checked by parseAppManifest (config/load.ts) and `npm run policy:check`.",
  name: "The app's name: a lowercase DNS label (1-63 characters), unique in the stack. It is the app's OAuth2 client id, its SPIFFE ID (spiffe://<trustDomain>/app/<name>) and PLATFORM_APP. Reserved names and names ending in -seed are refused.",
  image: "The container image, pinned by digest: name@sha256:<64 hex digits> (or a local image ID sha256:<64 hex>). A name:tag is accepted only by stacks that set platform:allowUnpinnedImages.",
  services: "The platform services the app may call through the gateway, each with its methods and path prefixes. Everything else is refused (403).",
  "services[]": "One grant: a service with the methods and path prefixes the app may use on it.",
  "services[].name": "The service's name, as the stack declares it; the app calls it as <PLATFORM_GATEWAY_URL>/<name>/<path>.",
  "services[].methods": "HTTP methods granted on this service.",
  "services[].pathPrefixes": "Path prefixes at the service (after the gateway strips /<name>), matched as string prefixes: /v1/forecast also admits /v1/forecastX; grant /v1/forecast/ for a strict subtree.",
  egress: "Internet hosts the app may reach through the egress proxy (HTTP_PROXY/HTTPS_PROXY): host names (api.example.com) or suffixes (.example.com: the domain and every name below it). No IP literals, no public suffixes.",
  resources: "Container limits; memory without swap beyond it.",
  "resources.memoryMb": "Memory limit in MB (swap equal to it, so none beyond).",
  "resources.cpus": "CPU limit in CPUs.",
  "resources.maxProcesses": "Process limit (ulimit nproc) of the app's own UID: a fork bomb stops here.",
  rateLimit: "The gateway's token bucket for this app: over it, requests get 429.",
  "rateLimit.requestsPerSecond": "Tokens refilled per second.",
  "rateLimit.burst": "Bucket size: requests the app may make at once. At least requestsPerSecond / 20 (one 50 ms refill).",
  runtime: "runc (Docker's default) or runsc (gVisor: a user-space kernel between the app and the host).",
  env: "Plain-text environment variables (at most 256, values up to 32 KiB). Not for credentials: names that look like one are refused, and so are the variables the platform sets itself (HTTP_PROXY, HTTPS_PROXY, NO_PROXY and their lowercase forms, PLATFORM_*).",
  command: "The container's command in exec form, overriding the image's CMD.",
  healthcheck: "The app's Docker healthcheck; without it the platform checks that PID 1 lives (kill -0 1, which needs /bin/sh).",
  "healthcheck.command": "The test: [\"CMD\", program, args...] or [\"CMD-SHELL\", \"shell command\"].",
  "healthcheck.intervalSeconds": "Seconds between checks.",
  "healthcheck.timeoutSeconds": "Seconds one check may take.",
  "healthcheck.retries": "Failures in a row before the container is unhealthy.",
  "healthcheck.startPeriodSeconds": "Seconds after the start during which failures do not count.",
  replicas: "Tasks of the app on a Swarm stack (platform:orchestrator: swarm), each with its own address in the app's subnet; default 1. A stack on one Docker engine runs exactly one container and refuses more than 1.",
  subnetIndex: "Pins the app's subnet slot (its index among the app subnets of the stack's base CIDR). Only needed when the platform reports that two app names hash to the same slot.",
};

/** Widens a preprocessed text field (number and boolean turned into text) to the scalars it takes. */
function isTextPreprocess(schema: z.core.$ZodTypes): boolean {
  const def = schema._zod.def;
  return def.type === "pipe" && def.in._zod.traits.has("$ZodTransform") && def.out._zod.def.type === "string";
}

/** Adds what JSON Schema can state of each refinement, keyed by the zod schema object it refines. */
function expressRefinements(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
  const { zodSchema, jsonSchema } = ctx;
  if (isTextPreprocess(zodSchema)) jsonSchema.type = SCALAR_TYPES;
  if (zodSchema === workloadName) {
    jsonSchema.not = { anyOf: [{ enum: Object.keys(RESERVED_NAMES) }, { pattern: `-${SEED_SUFFIX}$` }] };
  } else if (zodSchema === egressDomain) {
    Object.assign(jsonSchema, { pattern: EGRESS_ENTRY, maxLength: 254 });
  } else if (zodSchema === pathPrefix) {
    Object.assign(jsonSchema, { pattern: PATH_PREFIX, maxLength: PATH_PREFIX_MAX });
  } else if (zodSchema === envMap) {
    Object.assign(jsonSchema, {
      maxProperties: ENV_LIMITS.variables,
      propertyNames: { type: "string", pattern: ENV_NAME, maxLength: 255 },
      additionalProperties: { type: SCALAR_TYPES, maxLength: ENV_LIMITS.valueLength, pattern: NO_NUL_OR_LINE_BREAK },
    });
  } else if (zodSchema === commandArgs) {
    jsonSchema.items = { type: SCALAR_TYPES, maxLength: COMMAND_LIMITS.argLength, pattern: NO_NUL };
  } else if (zodSchema === healthcheck.shape.command) {
    jsonSchema.items = { type: SCALAR_TYPES, minLength: 1, maxLength: COMMAND_LIMITS.argLength, pattern: NO_NUL };
    // draft-07 tuple form, inside allOf so that `items` above still applies to every element
    jsonSchema.allOf = [{ items: [{ enum: ["CMD", "CMD-SHELL"] }] }];
  }
}

/** Calls `visit` on every field's schema with its path (`services[].name`); "" is the root. */
function forEachField(schema: JsonSchema, visit: (path: string, field: JsonSchema) => void, path = ""): void {
  visit(path, schema);
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  for (const [key, child] of Object.entries(properties ?? {})) forEachField(child, visit, path ? `${path}.${key}` : key);
  const items = schema.items as JsonSchema | undefined;
  if (items && !Array.isArray(items) && items.type === "object") forEachField(items, visit, `${path}[]`);
}

/** The manifest's JSON Schema (draft-07, which every editor reads), input side. */
export function appManifestJsonSchema(): JsonSchema {
  const input = z.toJSONSchema(appConfigSchema, { target: "draft-07", io: "input", override: expressRefinements }) as JsonSchema;
  const output = z.toJSONSchema(appConfigSchema, { target: "draft-07", io: "output" }) as JsonSchema;
  const outputDefaults = new Map<string, unknown>();
  forEachField(output, (path, field) => {
    if ("default" in field) outputDefaults.set(path, field.default);
  });
  const undescribed: string[] = [];
  forEachField(input, (path, field) => {
    if (!("default" in field) && outputDefaults.has(path)) field.default = outputDefaults.get(path);
    if (field.description === undefined) {
      if (DESCRIPTIONS[path] === undefined) undescribed.push(path || "(root)");
      else field.description = DESCRIPTIONS[path];
    }
  });
  if (undescribed.length > 0) throw new Error(`app manifest fields without a description: ${undescribed.join(", ")}; add them to DESCRIPTIONS in scripts/app-manifest-schema.ts`);
  const { $schema, ...rest } = input;
  return { $schema, title: "App manifest", ...rest };
}

/** The committed file's exact text. */
export function renderAppManifestSchema(): string {
  return `${JSON.stringify(appManifestJsonSchema(), null, 2)}\n`;
}

/** The description table's paths: test/vendor-guide.test.ts holds them to the schema's fields. */
export const DESCRIBED_FIELDS = Object.keys(DESCRIPTIONS);

const COMMAND = {
  name: "schema:manifest",
  usage: [
    "usage: npm run schema:manifest [-- --write]",
    "Prints the JSON Schema of an app manifest, generated from config/schema.ts (appConfigSchema).",
    `  --write   write it to ${join("docs", "app-manifest.schema.json")} instead (commit the result)`,
  ].join("\n"),
  options: { write: { type: "boolean" } },
} as const;

if (require.main === module) {
  exitWith(
    runCommand(COMMAND, process.argv.slice(2), ({ values }) => {
      const text = renderAppManifestSchema();
      if (values.write) {
        writeFileSync(SCHEMA_FILE, text);
        process.stderr.write(`schema:manifest: wrote ${relative(process.cwd(), SCHEMA_FILE)}\n`);
      } else process.stdout.write(text);
      return 0;
    }),
  );
}
