// The vendor's side (paper V-A): docs/vendor-guide.md, the manifest's JSON Schema and examples/vendor-app/.
// The committed schema is the zod model's, agrees with it on every rule it states, and says which it
// cannot state; the example is valid and honest; every env name, file path, port, header and default
// the guide shows is the one the code renders; the guide's code samples compile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import vm from "node:vm";
import Ajv, { type ValidateFunction } from "ajv";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { checkFiles } from "../checker/check";
import { ConfigError } from "../config/errors";
import { parseAppManifest, parsePlatformConfig, rawConfigFromFlatMap, readStackFile, stackFilePath } from "../config/load";
import { DEFAULT_RULES } from "../config/monitor";
import { egressDomain, envMap, pathPrefix, workloadName } from "../config/primitives";
import { purlFor } from "../deps/ecosystems";
import { readSbom } from "../deps/sbom/read";
import { buildPlan } from "../plan/plan";
import type { PackConfig } from "../policies/evaluate";
import { TLS_DIR, TLS_FILES } from "../render/hardening";
import { oidcEndpoints } from "../render/keycloak/oidc";
import { appContainer, appPlatformEnv, OAUTH_CLIENT_SECRET_FILE } from "../render/workloads";
import { readOverlay, stackInput } from "../sandbox/stack-input";
import { appManifestJsonSchema, DESCRIBED_FIELDS, REFINEMENTS_NOT_IN_SCHEMA, renderAppManifestSchema, SCHEMA_FILE } from "../scripts/app-manifest-schema";
import { minimalConfig, REPO_ROOT } from "./support/stack-config";

const EXAMPLE = join(REPO_ROOT, "examples", "vendor-app");
const MANIFEST_FILE = join(EXAMPLE, "manifest.yaml");
const GUIDE = readFileSync(join(REPO_ROOT, "docs", "vendor-guide.md"), "utf8");
const manifestText = readFileSync(MANIFEST_FILE, "utf8");
const manifest = () => parseYaml(manifestText) as Record<string, any>;
const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Record<string, any>;
const SEED = 20261130;

type Json = Record<string, any>;

// draft-07, as the generator targets; strict, so an unknown or misplaced keyword fails compilation.
// Union types are how text fields take YAML scalars; the healthcheck's tuple sits inside allOf.
const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, strictTuples: false });
const validateManifest = ajv.compile(schema);
const fieldValidator = (field: Json): ValidateFunction => new Ajv({ strict: true, allowUnionTypes: true, strictTuples: false }).compile(field);

function zodAccepts(raw: unknown): { ok: boolean; messages: string[] } {
  try {
    parseAppManifest(raw);
    return { ok: true, messages: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { ok: false, messages: error.problems.map((p) => `${p.path}: ${p.message}`) };
  }
}

/** Fenced code blocks of the guide in one language, in order. */
function codeBlocks(language: string): string[] {
  return [...GUIDE.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter((m) => m.at(1) === language).map((m) => m.at(2) ?? "");
}

/** Every field's schema with its path (`services[].name`), "" for the root, as the generator names them. */
function fields(node: Json, path = "", out = new Map<string, Json>()): Map<string, Json> {
  out.set(path, node);
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Json>)) fields(child, path ? `${path}.${key}` : key, out);
  if (node.items && !Array.isArray(node.items) && node.items.type === "object") fields(node.items, `${path}[]`, out);
  return out;
}

/** The platform's rendering of the example app in the dev stack (Pulumi.dev.yaml with the manifest added). */
function exampleInDevStack() {
  const stack = readStackFile(stackFilePath("dev", REPO_ROOT));
  const apps = [...((stack["platform:apps"] as unknown[]) ?? []), manifest()];
  const { config } = parsePlatformConfig(rawConfigFromFlatMap({ ...stack, "platform:apps": apps }));
  const plan = buildPlan(config, "dev");
  const app = plan.apps.find((a) => a.config.name === manifest().name);
  assert.ok(app, "the example app is in the plan");
  return { plan, app, config };
}

test("the committed JSON Schema is a fresh generation from config/schema.ts", () => {
  assert.equal(
    readFileSync(SCHEMA_FILE, "utf8"),
    renderAppManifestSchema(),
    "docs/app-manifest.schema.json is stale: run `npm run schema:manifest -- --write` and commit it",
  );
});

test("the schema describes every field, and the description table names no field that does not exist", () => {
  const paths = [...fields(appManifestJsonSchema()).keys()];
  assert.deepEqual([...DESCRIBED_FIELDS].sort(), [...paths].sort());
  for (const [path, field] of fields(schema)) assert.equal(typeof field.description, "string", `${path || "(root)"} has a description`);
});

test("every default in the schema is valid input for its own field", () => {
  let defaults = 0;
  for (const [path, field] of fields(schema)) {
    if (!("default" in field)) continue;
    defaults++;
    const validate = fieldValidator(field);
    assert.ok(validate(field.default), `${path}: default ${JSON.stringify(field.default)}: ${ajv.errorsText(validate.errors)}`);
  }
  assert.ok(defaults >= 15, `only ${defaults} defaults`);
});

test("the example manifest is accepted by parseAppManifest and by the JSON Schema", () => {
  assert.deepEqual(zodAccepts(manifest()), { ok: true, messages: [] });
  assert.ok(validateManifest(manifest()), ajv.errorsText(validateManifest.errors));
});

// Each case breaks one rule the JSON Schema states: zod and the schema must both refuse it.
const INVALID: [string, (m: Json) => void][] = [
  ["an unknown key", (m) => (m.privileged = true)],
  ["no image", (m) => delete m.image],
  ["an uppercase name", (m) => (m.name = "Vendor-App")],
  ["a name ending in '-'", (m) => (m.name = "vendor-")],
  ["a 64-character name", (m) => (m.name = `a${"b".repeat(63)}`)],
  ["a reserved name", (m) => (m.name = "gateway")],
  ["a reserved Keycloak client name", (m) => (m.name = "admin-cli")],
  ["a name ending in -seed", (m) => (m.name = "vendor-app-seed")],
  ["a reserved grant name", (m) => (m.services = [{ name: "identity" }])],
  ["an IPv4 egress entry", (m) => (m.egress = ["10.0.0.1"])],
  ["a short IPv4 egress entry", (m) => (m.egress = ["10.1"])],
  ["a hex IPv4 egress entry", (m) => (m.egress = ["0xa.0.0.1"])],
  ["an egress entry with '#'", (m) => (m.egress = ["api.example.com#x"])],
  ["a single-label egress entry", (m) => (m.egress = ["intranet"])],
  ["a localhost egress entry", (m) => (m.egress = ["db.localhost"])],
  ["the Docker engine's host name", (m) => (m.egress = ["host.docker.internal"])],
  ["an uppercase egress entry", (m) => (m.egress = ["API.example.com"])],
  ["an egress entry over 253 characters", (m) => (m.egress = [`${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.example.com`])],
  ["a path prefix with '..'", (m) => (m.services[0].pathPrefixes = ["/v1/../admin"])],
  ["a path prefix with '//'", (m) => (m.services[0].pathPrefixes = ["/v1//forecast"])],
  ["a relative path prefix", (m) => (m.services[0].pathPrefixes = ["v1/forecast"])],
  ["a path prefix with '%'", (m) => (m.services[0].pathPrefixes = ["/v1/%2e"])],
  ["an unknown method", (m) => (m.services[0].methods = ["TRACE"])],
  ["no methods", (m) => (m.services[0].methods = [])],
  ["too little memory", (m) => (m.resources.memoryMb = 8)],
  ["a fractional memory size", (m) => (m.resources.memoryMb = 64.5)],
  ["too many CPUs", (m) => (m.resources.cpus = 32)],
  ["an unknown runtime", (m) => (m.runtime = "kata")],
  ["a burst of 0", (m) => (m.rateLimit.burst = 0)],
  ["an env override of PLATFORM_APP", (m) => (m.env.PLATFORM_APP = "other")],
  ["an env override of HTTPS_PROXY", (m) => (m.env.HTTPS_PROXY = "http://evil.example:3128")],
  ["an env override of no_proxy", (m) => (m.env.no_proxy = "*")],
  ["an env name starting with a digit", (m) => (m.env["1ST"] = "x")],
  ["an env value with a line break", (m) => (m.env.GREETING = "hello\nworld")],
  ["an empty command", (m) => (m.command = [])],
  ["a healthcheck that is not CMD or CMD-SHELL", (m) => (m.healthcheck = { command: ["RUN", "true"] })],
  ["a healthcheck of one element", (m) => (m.healthcheck = { command: ["CMD"] })],
  ["a negative subnetIndex", (m) => (m.subnetIndex = -1)],
];

for (const [what, change] of INVALID) {
  test(`a manifest with ${what} is refused by parseAppManifest and by the JSON Schema`, () => {
    const broken = manifest();
    change(broken);
    assert.equal(zodAccepts(broken).ok, false, "parseAppManifest refuses it");
    assert.equal(validateManifest(broken), false, "the JSON Schema refuses it");
  });
}

// What the JSON Schema cannot state (REFINEMENTS_NOT_IN_SCHEMA, listed in the guide): the schema accepts
// these, the platform refuses them, on the manifest alone or once the manifest is in a stack.
const NOT_IN_SCHEMA: { refinement: string; what: string; change: (m: Json) => void; refusedBy: "manifest" | "stack" }[] = [
  { refinement: "image:", what: "an image reference with uppercase letters in its path", change: (m) => (m.image = "registry.example/Vendor/App:1"), refusedBy: "manifest" },
  { refinement: "image:", what: "an unpinned image in a stack that requires pinning", change: (m) => (m.image = "registry.example/vendor/app:1.0"), refusedBy: "stack" },
  { refinement: "egress:", what: "a public suffix (.co.uk)", change: (m) => (m.egress = [".co.uk"]), refusedBy: "manifest" },
  { refinement: "egress:", what: "a host inside the stack's trust domain", change: (m) => (m.egress = ["api.test.platform.example"]), refusedBy: "stack" },
  { refinement: "egress:", what: "an entry listed twice", change: (m) => (m.egress = ["example.com", "example.com"]), refusedBy: "stack" },
  { refinement: "env:", what: "a credential-like name (DB_PASSWORD)", change: (m) => (m.env.DB_PASSWORD = "hunter2"), refusedBy: "manifest" },
  { refinement: "env:", what: "an environment over 256 KiB in total", change: (m) => (m.env = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`PART_${i}`, "x".repeat(32_000)]))), refusedBy: "manifest" },
  { refinement: "command:", what: "arguments over 256 KiB in total", change: (m) => (m.command = Array.from({ length: 9 }, () => "x".repeat(32_000))), refusedBy: "manifest" },
  { refinement: "rateLimit:", what: "a burst below one 50 ms refill", change: (m) => (m.rateLimit = { requestsPerSecond: 1000, burst: 10 }), refusedBy: "manifest" },
  { refinement: "services:", what: "a grant of a service the stack lacks", change: (m) => (m.services = [{ name: "billing" }]), refusedBy: "stack" },
  { refinement: "services:", what: "a service granted twice", change: (m) => (m.services = [{ name: "weather" }, { name: "weather", methods: ["POST"] }]), refusedBy: "stack" },
];

/** The manifest as the only app of a small stack that has the weather service. */
function refusedInStack(app: Json): boolean {
  const config = minimalConfig();
  config.apps = [app];
  try {
    parsePlatformConfig(config);
    return false;
  } catch (error) {
    if (error instanceof ConfigError) return true;
    throw error;
  }
}

for (const { refinement, what, change, refusedBy } of NOT_IN_SCHEMA) {
  test(`not in the JSON Schema (${refinement.slice(0, -1)}): ${what} passes the schema and is refused by the ${refusedBy === "manifest" ? "manifest's parser" : "stack"}`, () => {
    const app = manifest();
    app.image = `registry.example/vendor/vendor-app@sha256:${"a".repeat(64)}`;
    assert.ok(!refusedInStack(app), "the pinned example is fine in the stack");
    change(app);
    assert.ok(validateManifest(app), `the JSON Schema accepts it: ${ajv.errorsText(validateManifest.errors)}`);
    if (refusedBy === "manifest") assert.equal(zodAccepts(app).ok, false, "parseAppManifest refuses it");
    else assert.ok(zodAccepts(app).ok && refusedInStack(app), "the manifest parses, and the stack refuses it");
  });
}

test("every refinement the JSON Schema cannot state has a case above, and the guide lists it", () => {
  for (const refinement of REFINEMENTS_NOT_IN_SCHEMA) {
    assert.ok(GUIDE.includes(`\n- ${refinement}\n`), `docs/vendor-guide.md lists "${refinement}"`);
    const prefix = refinement.split(" ")[0];
    if (prefix === "numbers") continue; // the other direction: below
    assert.ok(NOT_IN_SCHEMA.some((c) => c.refinement === prefix), `a case shows "${prefix}"`);
  }
});

test("numbers written as text: the platform takes them, the JSON Schema asks for numbers (as the guide says)", () => {
  const app = manifest();
  app.resources.cpus = "0.25";
  assert.ok(zodAccepts(app).ok);
  assert.equal(validateManifest(app), false);
  assert.match(GUIDE, /Numbers may not be text in the schema \(`cpus: 0\.25`, not `"0\.25"`\),\nalthough the platform takes both/);
  // ... while text fields take YAML scalars in both
  const scalars = manifest();
  scalars.env.PORT = 8080;
  scalars.env.VERBOSE = true;
  scalars.command = ["/bin/sh", "/app/app.sh", 3];
  assert.ok(zodAccepts(scalars).ok);
  assert.ok(validateManifest(scalars), ajv.errorsText(validateManifest.errors));
});

/** zod's verdict on one value against the JSON Schema's for the same field. */
function agree(zodSchema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: { message: string }[] } } }, validate: ValidateFunction, value: unknown, gap?: RegExp): void {
  const zod = zodSchema.safeParse(value);
  const messages = zod.error?.issues.map((i) => i.message).join("; ") ?? "";
  if (!zod.success && gap?.test(messages)) {
    assert.ok(validate(value), `${JSON.stringify(value)}: a documented gap (${messages}), so the JSON Schema accepts it`);
    return;
  }
  assert.equal(validate(value), zod.success, `${JSON.stringify(value)}: zod says ${zod.success ? "valid" : messages}, the JSON Schema ${validate(value) ? "valid" : ajv.errorsText(validate.errors)}`);
}

const chars = (alphabet: string, maxLength: number) => fc.string({ unit: fc.constantFrom(...alphabet), maxLength });

test("property: names get the same verdict from zod and from the JSON Schema", () => {
  const validate = fieldValidator(schema.properties.name);
  const reserved = ["gateway", "egress", "identity", "identity-db", "localhost", "realms", "account", "broker", "realm-management"];
  const name = fc.oneof(
    chars("ab9-Z_", 10),
    fc.constantFrom(...reserved),
    chars("abc-", 8).map((s) => `${s}-seed`),
    fc.integer({ min: 60, max: 66 }).map((n) => `a${"b".repeat(n - 1)}`),
  );
  fc.assert(fc.property(name, (value) => agree(workloadName, validate, value)), { seed: SEED, numRuns: 600 });
});

test("property: egress entries get the same verdict, except public suffixes (a documented gap)", () => {
  const validate = fieldValidator(schema.properties.egress.items);
  const label = chars("ab0x9-A_#", 6);
  const tail = fc.constantFrom("", ".example.com", ".localhost", ".docker.internal", ".co.uk", ".github.io", ".com", ".1", ".0x1f");
  const entry = fc.tuple(fc.boolean(), fc.array(label, { minLength: 1, maxLength: 4 }), tail).map(([dot, labels, end]) => `${dot ? "." : ""}${labels.join(".")}${end}`);
  fc.assert(fc.property(entry, (value) => agree(egressDomain, validate, value, /public suffix/)), { seed: SEED, numRuns: 800 });
});

test("property: path prefixes get the same verdict", () => {
  const validate = fieldValidator(schema.properties.services.items.properties.pathPrefixes.items);
  const prefix = fc.oneof(chars("/a.~_-%Z ", 12), chars("/a.~_-", 12).map((s) => `/${s}`));
  fc.assert(fc.property(prefix, (value) => agree(pathPrefix, validate, value)), { seed: SEED, numRuns: 800 });
});

test("property: env names get the same verdict, except names that look like credentials (a documented gap)", () => {
  const validate = fieldValidator(schema.properties.env);
  const start = fc.constantFrom("", "PLATFORM_", "HTTP_PROXY", "https_proxy", "NO_PROXY", "1", "APP_");
  const name = fc.tuple(start, chars("AZaz_09", 6)).map(([a, b]) => `${a}${b}`);
  fc.assert(fc.property(name, (value) => agree(envMap, validate, { [value]: "v" }, /looks like a credential/)), { seed: SEED, numRuns: 800 });
});

test("the guide's field table names every field with the schema's defaults and bounds", () => {
  const rows = [...GUIDE.matchAll(/^\| `([a-zA-Z.[\]]+)` \|([^|\n]*)\|([^|\n]*)\|/gm)].map((m) => ({ path: m[1], defaults: m[2].trim(), bounds: m[3].trim() }));
  const schemaFields = fields(schema);
  const documented = [...schemaFields.keys()].filter((path) => path !== "" && path !== "services[]");
  assert.deepEqual(rows.map((r) => r.path).sort(), documented.sort());
  for (const { path, defaults, bounds } of rows) {
    const field = schemaFields.get(path)!;
    const parentPath = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
    const required = (schemaFields.get(parentPath)?.required ?? []) as string[];
    const expected = "default" in field ? `\`${JSON.stringify(field.default)}\`` : required.includes(path.split(".").at(-1)!) ? "required" : "—";
    assert.equal(defaults, expected, `${path}: default`);
    const [min, max] = field.type === "array" ? [field.minItems, field.maxItems] : [field.minimum, field.maximum];
    const range = min !== undefined && max !== undefined ? `${min}–${max}` : max !== undefined ? `at most ${max}` : min !== undefined ? `at least ${min}` : "";
    if (field.type === "string" && field.maxLength === undefined && field.pattern) assert.match(bounds, /^1–63 characters$|^$/, `${path}: bounds`);
    else assert.equal(bounds, range, `${path}: bounds`);
  }
});

test("the guide shows the example manifest as it is", () => {
  assert.deepEqual(codeBlocks("yaml").filter((block) => block.includes("name: vendor-app")), [manifestText]);
});

test("the env the guide shows for the example is exactly what the platform renders for it", () => {
  const { plan, app } = exampleInDevStack();
  const block = codeBlocks("sh").find((b) => b.startsWith("# the platform's env for vendor-app in the dev stack"));
  assert.ok(block, "the guide has the env block");
  const shown = Object.fromEntries(block.trim().split("\n").slice(1).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
  assert.deepEqual(shown, appPlatformEnv(plan, app));
});

test("every platform env name, file, port, path and header the guide and app.sh name is the code's", () => {
  const { plan, app, config } = exampleInDevStack();
  const env = appPlatformEnv(plan, app);
  const appScript = readFileSync(join(EXAMPLE, "app.sh"), "utf8");
  for (const [source, text] of [["guide", GUIDE], ["app.sh", appScript]]) {
    for (const name of new Set(text.match(/\bPLATFORM_[A-Z_]+\b/g) ?? [])) assert.ok(name in env, `${source}: ${name} is an env name the app gets`);
  }
  for (const name of Object.keys(env)) assert.ok(GUIDE.includes(`\`${name}\``) || GUIDE.includes(`${name}=`), `the guide names ${name}`);
  const files = new Set<string>([TLS_DIR, ...Object.values(TLS_FILES), OAUTH_CLIENT_SECRET_FILE]);
  for (const path of GUIDE.match(/\/etc\/platform\/[\w./-]*\w/g) ?? []) assert.ok(files.has(path), `${path} is a file the platform mounts`);
  assert.deepEqual([...GUIDE.matchAll(/by default port (\d+)/g)].map((m) => Number(m[1])), [config.gateway.listenPort, config.egress.port]);
  assert.match(GUIDE, new RegExp(`to port ${config.egress.connectPorts.join(", ")} only; plain \`http://\` to port ${config.egress.httpPorts.join(", ")} only`));
  assert.ok(GUIDE.includes(oidcEndpoints({ hostname: "-", port: 0, realm: "<realm>" }).tokenPath), "the token path");
  const envoy = ["app-chain.ts", "bootstrap.ts"].map((f) => readFileSync(join(REPO_ROOT, "render", "envoy", f), "utf8")).join("\n");
  for (const header of new Set(GUIDE.match(/\bx-platform-[a-z-]+/g) ?? [])) assert.ok(envoy.includes(header), `${header} is a header the gateway sets`);
  assert.ok(envoy.includes('headers_with_underscores_action: "REJECT_REQUEST"') && envoy.includes('path_with_escaped_slashes_action: "REJECT_REQUEST"'));
});

test("the hardening and monitor defaults the guide states are the rendered ones", () => {
  const { plan, app } = exampleInDevStack();
  const container = appContainer(plan, app);
  const ulimit = (name: string) => container.ulimits.find((u) => u.name === name)?.hard;
  assert.ok(GUIDE.includes(`\`nofile\` ${ulimit("nofile")} and \`sigpending\` ${ulimit("sigpending")} limits`));
  assert.equal(ulimit("nproc"), app.config.resources.maxProcesses);
  assert.match(container.tmpfs["/tmp"], /(^|,)noexec(,|$)/);
  assert.match(container.tmpfs["/tmp"], /(^|,)size=16m(,|$)/);
  assert.ok(GUIDE.includes("only `/tmp` writable (16 MB tmpfs, `noexec`)"));
  assert.ok(container.readOnly && container.capabilities.drops.includes("ALL") && container.capabilities.adds.length === 0);
  assert.ok(container.securityOpts.includes("no-new-privileges:true"));
  assert.equal(container.restart, "on-failure");
  assert.ok(GUIDE.includes(`\`restart: on-failure\` (${container.maxRetryCount} retries)`));
  const uid = Number(container.user.split(":")[0]);
  assert.ok(uid >= 20000 && GUIDE.includes("`20000 + slot`"), `the app runs as ${container.user}`);
  const { authFailures, requestRate, egressDenials, rateLimited } = DEFAULT_RULES;
  const n = (x: number) => x.toLocaleString("en-US");
  assert.ok(
    GUIDE.includes(
      `${n(authFailures.threshold)} refused calls (401/403) in ${authFailures.windowSeconds} s, ${n(requestRate.threshold)} requests in ${requestRate.windowSeconds} s, ${n(egressDenials.threshold)} denied egress requests in ${egressDenials.windowSeconds} s, ${n(rateLimited.threshold)} rate-limited requests in ${rateLimited.windowSeconds} s`,
    ),
  );
});

test("the example app's script and manifest agree: its URL is whitelisted, its path granted", () => {
  const app = manifest();
  const script = readFileSync(join(EXAMPLE, "app.sh"), "utf8");
  const fallback = (name: string) => new RegExp(`^${name}=\\$\\{${name}:-([^}]*)\\}$`, "m").exec(script)?.[1];
  for (const name of ["EGRESS_URL", "SERVICE_PATH", "INTERVAL_SECONDS"]) assert.equal(fallback(name), String(app.env[name]), `app.sh's default ${name}`);
  assert.ok((app.egress as string[]).includes(new URL(app.env.EGRESS_URL).hostname), "EGRESS_URL's host is on the whitelist");
  const [, service, ...rest] = (app.env.SERVICE_PATH as string).split("/");
  const grant = (app.services as Json[]).find((g) => g.name === service);
  assert.ok(grant && (grant.pathPrefixes as string[]).some((p) => `/${rest.join("/")}`.startsWith(p)), "SERVICE_PATH is granted");
  const devServices = (readStackFile(stackFilePath("dev", REPO_ROOT))["platform:services"] as Json[]).map((s) => s.name);
  assert.ok(devServices.includes(service), `${service} is a service of the dev stack`);
});

test("the example's Dockerfile builds on the local busybox image and runs app.sh", () => {
  const dockerfile = readFileSync(join(EXAMPLE, "Dockerfile"), "utf8");
  assert.match(dockerfile, /^ARG BASE=platform\/busybox:dev$/m);
  assert.deepEqual(dockerfile.match(/^FROM .*$/gm), ["FROM ${BASE}"]);
  assert.match(dockerfile, /^COPY app\.sh \/app\/app\.sh$/m);
  assert.match(dockerfile, /^CMD \["\/bin\/sh", "\/app\/app\.sh"\]$/m);
});

test("the example's sandbox overlay holds the manifest as the dev stack's one app, on a base CIDR of its own", () => {
  const overlayFile = join(EXAMPLE, "sandbox.yaml");
  const overlay = readOverlay(overlayFile);
  assert.deepEqual(overlay.config["platform:apps"], [manifest()]);
  const input = stackInput({ overlayFile });
  const { config } = parsePlatformConfig(rawConfigFromFlatMap(input.config));
  const dev = parsePlatformConfig(rawConfigFromFlatMap(readStackFile(stackFilePath("dev", REPO_ROOT)))).config;
  assert.notEqual(config.network.baseCidr, dev.network.baseCidr);
  assert.notEqual(input.stackName, "dev");
});

test("the example manifest passes the offline policy check with the dev pack config, and fails only the pinning rule without it", async () => {
  const devPack = JSON.parse(readFileSync(join(REPO_ROOT, "policies", "config", "dev.json"), "utf8")) as PackConfig;
  const withDev = await checkFiles([MANIFEST_FILE], devPack);
  assert.equal(withDev.exitCode, 0);
  const strict = await checkFiles([MANIFEST_FILE]);
  assert.equal(strict.exitCode, 1);
  const mandatory = strict.files.flatMap((f) => f.findings).filter((f) => f.enforcementLevel === "mandatory");
  assert.deepEqual([...new Set(mandatory.map((f) => f.ruleId))], ["cis-5.28-image-pinned"]);
});

test("the example's SBOM is valid CycloneDX 1.5 naming the busybox binary by an honest purl", () => {
  const file = join(EXAMPLE, "sbom.cdx.json");
  const sbom = readSbom(file);
  assert.equal(sbom.format, "CycloneDX");
  assert.equal(sbom.specVersion, "1.5");
  assert.deepEqual(sbom.problems, []);
  assert.deepEqual(sbom.subject, { name: "vendor-app", version: "1.0.0" });
  const purl = purlFor("deb", "debian", "busybox-static", "1:1.35.0-4+deb12u1+b1", { arch: "amd64", distro: "debian-12", upstream: "busybox@1:1.35.0-4+deb12u1" });
  assert.deepEqual(sbom.components.map((c) => [c.purl, c.ecosystem, c.name, c.version, c.source]), [[purl, "Debian:12", "busybox-static", "1:1.35.0-4+deb12u1+b1", { name: "busybox", version: "1:1.35.0-4+deb12u1" }]]);
  const document = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(document.components[0].version, sbom.components[0].version);
  assert.ok(readFileSync(join(EXAMPLE, "README.md"), "utf8").includes(`    ${purl}\n`), "the README shows the same purl");
});

test("the guide's Node.js sample is valid JavaScript", () => {
  const blocks = codeBlocks("js");
  assert.equal(blocks.length, 1);
  assert.doesNotThrow(() => new vm.Script(blocks[0], { filename: "vendor-guide-sample.js" }));
  for (const module of blocks[0].match(/require\("([^"]+)"\)/g) ?? []) assert.match(module, /require\("node:[a-z]+"\)/, "only Node's own modules");
});

function tool(command: string, args: string[]): { status: number | null; output: string } | undefined {
  const run = spawnSync(command, args, { encoding: "utf8", timeout: 20_000 });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return undefined;
  return { status: run.status, output: `${run.stdout}${run.stderr}${run.error ? String(run.error) : ""}` };
}

const python = tool("python3", ["--version"]);
test("the guide's Python sample compiles", { skip: python ? false : "python3 is not installed on this host" }, () => {
  const blocks = codeBlocks("python");
  assert.equal(blocks.length, 1);
  const dir = mkdtempSync(join(tmpdir(), "vendor-guide-"));
  try {
    const file = join(dir, "sample.py");
    writeFileSync(file, blocks[0]);
    const run = tool("python3", ["-m", "py_compile", file])!;
    assert.equal(run.status, 0, run.output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const busybox = tool("busybox", ["true"]);
test("the guide's shell samples and app.sh parse as POSIX sh (dash, and BusyBox's ash where installed)", () => {
  const dir = mkdtempSync(join(tmpdir(), "vendor-guide-"));
  try {
    const scripts = [join(EXAMPLE, "app.sh")];
    codeBlocks("sh").forEach((block, i) => {
      const file = join(dir, `sample-${i}.sh`);
      writeFileSync(file, block);
      scripts.push(file);
    });
    assert.ok(scripts.length >= 3);
    for (const script of scripts) {
      for (const shell of busybox ? [["sh"], ["busybox", "sh"]] : [["sh"]]) {
        const run = tool(shell[0], [...shell.slice(1), "-n", script])!;
        assert.equal(run.status, 0, `${shell.join(" ")} -n ${script}: ${run.output}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
