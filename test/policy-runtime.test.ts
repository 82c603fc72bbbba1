// The pack mirrors the CrossGuard runtime: unknown values give an advisory (never a silent pass),
// enforcement levels come from the pack config, secrets are honoured where they are visible, and
// every rule describes itself fully.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parse } from "yaml";
import { z } from "zod";
import { isPinnedImage as specIsPinned } from "../config/primitives";
import { isPinnedImage as packIsPinned } from "../policies/rules/container/image-pinned";
import { evaluate, mandatoryCount } from "../policies/evaluate";
import { runResourcePolicy } from "./support/policy-harness";
import { allRules, containerRules, networkRules, policies, ruleById, stackRules, toResourcePolicy } from "../policies/registry";
import { Rule, settingsProblems } from "../policies/rules/rule";
import { UNKNOWN } from "../policies/runtime";
import { CONTAINER, hardenedAppProps } from "./fixtures/policy/resources";

const POLICIES_DIR = join(__dirname, "..", "policies");
const rule = (id: string) => {
  const found = ruleById(id);
  assert.ok(found, id);
  return found;
};
const resourcePolicy = (id: string) => {
  const found = rule(id);
  assert.equal(found.kind, "resource");
  return toResourcePolicy(found as Parameters<typeof toResourcePolicy>[0]);
};

describe("unknown values at preview time", () => {
  it("a rule that reads an unknown value reports the runtime's advisory instead of passing", async () => {
    const props = { ...hardenedAppProps(), image: UNKNOWN.string };
    const run = await runResourcePolicy(resourcePolicy("cis-5.28-image-pinned"), { type: CONTAINER, name: "alpha", props });
    assert.deepEqual(run, { violations: [], advisory: "can't run policy 'cis-5.28-image-pinned' during preview: string value at .image can't be known during preview" });
  });

  it("rules that do not read the unknown field still run normally", async () => {
    const props = { ...hardenedAppProps(), image: UNKNOWN.string, privileged: true };
    const run = await runResourcePolicy(resourcePolicy("cis-5.5-privileged"), { type: CONTAINER, name: "alpha", props });
    assert.deepEqual(run.violations.map((v) => v.message), ['container "alpha": privileged is true. Fix: remove privileged or set it to false']);
    assert.equal(run.advisory, undefined);
  });

  it("violations found before the unknown value are kept, and the advisory is added", async () => {
    const props = { ...hardenedAppProps(), capabilities: { drops: [], adds: UNKNOWN.array } };
    const run = await runResourcePolicy(resourcePolicy("cis-5.4-capabilities"), { type: CONTAINER, name: "alpha", props });
    assert.deepEqual(run.violations.map((v) => v.message), ['container "alpha": capabilities.drops is unset (Docker\'s default set of 14 capabilities stays). Fix: set capabilities.drops to ["ALL"]']);
    assert.equal(run.advisory, "can't run policy 'cis-5.4-capabilities' during preview: Array value at .capabilities.adds can't be known during preview");
  });

  it("cis-5.30 with an unset networkMode depends on networksAdvanced: an unknown network name gives the advisory, not a pass", async () => {
    const props = { ...hardenedAppProps(), networksAdvanced: [{ name: UNKNOWN.string, aliases: [] }] };
    assert.ok(!("networkMode" in props));
    const run = await runResourcePolicy(resourcePolicy("cis-5.30-default-bridge"), { type: CONTAINER, name: "alpha", props });
    assert.deepEqual(run, { violations: [], advisory: "can't run policy 'cis-5.30-default-bridge' during preview: string value at .networksAdvanced.0.name can't be known during preview" });
  });

  it("the engine turns an unknown into an advisory finding that names the resource and field", () => {
    const findings = evaluate([{ type: CONTAINER, name: "alpha", props: { ...hardenedAppProps(), user: UNKNOWN.string } }], { stackRules: false });
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.enforcementLevel, f.field, f.unknown, f.message]),
      [["cis-4.1-non-root-user", "advisory", "user", true, "container \"alpha\": can't run policy 'cis-4.1-non-root-user' during preview: string value at .user can't be known during preview; it runs again when the value is known"]],
    );
    assert.equal(mandatoryCount(findings), 0);
  });
});

describe("enforcement levels and config from the pack config", () => {
  const privileged = [{ type: CONTAINER, name: "alpha", props: { ...hardenedAppProps(), privileged: true } }];
  const levels = (config?: Parameters<typeof evaluate>[1]) => evaluate(privileged, { stackRules: false, ...config }).map((f) => `${f.ruleId}:${f.enforcementLevel}`);

  it("uses the rule's default level", () => assert.deepEqual(levels(), ["cis-5.5-privileged:mandatory"]));
  it("accepts a bare level", () => assert.deepEqual(levels({ config: { "cis-5.5-privileged": "advisory" } }), ["cis-5.5-privileged:advisory"]));
  it("accepts { enforcementLevel }", () => assert.deepEqual(levels({ config: { "cis-5.5-privileged": { enforcementLevel: "advisory" } } }), ["cis-5.5-privileged:advisory"]));
  it("disabled rules do not run", () => assert.deepEqual(levels({ config: { "cis-5.5-privileged": "disabled" } }), []));
  it("remediate is reported as mandatory, as the runtime does", () => assert.deepEqual(levels({ config: { "cis-5.5-privileged": "remediate" } }), ["cis-5.5-privileged:mandatory"]));

  it("rule settings override the defaults key by key", () => {
    const big = [{ type: CONTAINER, name: "alpha", props: { ...hardenedAppProps(), memory: 1024 } }];
    assert.equal(evaluate(big, { stackRules: false }).length, 0);
    assert.deepEqual(
      evaluate(big, { stackRules: false, config: { "cis-5.11-memory-limit": { maxMemoryMb: 512 } } }).map((f) => f.message),
      ['container "alpha": memory is 1024 MB, above the maximum of 512 MB. Fix: lower memory to at most 512'],
    );
  });
});

describe("secrets", () => {
  const withPassword = () => ({ ...hardenedAppProps(), envs: ["DB_PASSWORD=hunter2"] });
  it("a credential in plain env is a violation", () => {
    assert.deepEqual(evaluate([{ type: CONTAINER, name: "alpha", props: withPassword() }], { stackRules: false }).map((f) => f.ruleId), ["env-plaintext-secrets"]);
  });
  it("the same env passed as a Pulumi secret is not", () => {
    assert.deepEqual(evaluate([{ type: CONTAINER, name: "alpha", props: withPassword(), secretInputs: ["envs"] }], { stackRules: false }), []);
  });
});

describe("rule metadata", () => {
  it("ids are unique and the registry holds every rule file", () => {
    const ids = allRules.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    const ruleFiles = (dir: string, helpers: string[]) => readdirSync(join(POLICIES_DIR, "rules", dir)).filter((f) => f.endsWith(".ts") && !helpers.includes(f));
    assert.equal(containerRules.length, ruleFiles("container", ["namespace-mode.ts"]).length);
    assert.equal(networkRules.length, ruleFiles("network", ["labels.ts"]).length);
    assert.equal(stackRules.length, ruleFiles("stack", ["topology.ts"]).length);
  });

  for (const r of allRules) {
    it(`${r.id} describes itself`, () => {
      assert.match(r.id, /^[a-z0-9.-]+$/);
      if (r.cis && !r.cis.includes("stand-in")) assert.ok(r.id.startsWith(`cis-${r.cis}-`), `${r.id} carries its CIS id`);
      assert.match(r.description, /^[A-Z][^]*\.$/);
      assert.equal(r.description.split(/\.\s/).length, 1, "one sentence");
      assert.ok(r.remediation.length > 10);
      assert.ok(["low", "medium", "high", "critical"].includes(r.severity));
      assert.ok(["advisory", "mandatory"].includes(r.enforcementLevel));
      const schema = r.configSchema?.properties ?? {};
      assert.deepEqual(Object.keys(schema).sort(), Object.keys(r.defaults).sort(), "every setting has a schema entry");
      for (const [key, value] of Object.entries(r.defaults)) assert.deepEqual(schema[key].default, value, `${key} default`);
    });
  }

  it("the policy objects carry the metadata CrossGuard shows", () => {
    for (const [i, policy] of policies.entries()) {
      const r = allRules[i];
      assert.equal(policy.name, r.id);
      assert.equal(policy.remediationSteps, r.remediation);
      assert.equal(policy.severity, r.severity);
      if (r.cis) assert.deepEqual(policy.framework, { name: "CIS Docker Benchmark", version: "1.6.0", reference: r.cis, specification: r.description });
    }
  });

  it("the shipped pack configs name only real rules, levels and settings", () => {
    const dir = join(POLICIES_DIR, "config");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const config = JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
      for (const [id, entry] of Object.entries(config)) {
        const found = ruleById(id);
        assert.ok(found, `${file}: ${id} is a rule`);
        if (typeof entry === "string") assert.ok(["advisory", "mandatory", "disabled"].includes(entry), `${file}: ${id} level`);
        else for (const key of Object.keys(entry as object)) assert.ok(key === "enforcementLevel" || key in found.defaults, `${file}: ${id}.${key} is a setting`);
      }
    }
  });

  it("the pack's digest check agrees with the config schema's", () => {
    const hex = fc.oneof(
      fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 63, maxLength: 65 }),
      fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: 64, maxLength: 64 }),
    );
    const image = fc.oneof(
      fc.string(),
      fc.tuple(fc.constantFrom("", "registry.example/app", "app:1.0"), fc.constantFrom("@sha256:", "sha256:", "@sha512:"), hex).map((parts) => parts.join("")),
    );
    let pinned = 0;
    fc.assert(
      fc.property(image, (value) => {
        assert.equal(packIsPinned(value), specIsPinned(value), value);
        if (specIsPinned(value)) pinned++;
      }),
      { numRuns: 1000 },
    );
    assert.ok(pinned > 0, "both outcomes are exercised");
  });

  it("the pack imports nothing outside policies/ (pulumi policy publish ships only that directory)", () => {
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === "checker" ? [] : walk(join(dir, e.name))) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
    for (const file of walk(POLICIES_DIR)) {
      const depth = file.slice(POLICIES_DIR.length + 1).split("/").length - 1;
      const escape = "../".repeat(depth + 1);
      assert.ok(!readFileSync(file, "utf8").includes(`from "${escape}`), `${file} imports from outside policies/`);
    }
  });

  it("the pack directory is a real policy pack", () => {
    const manifest = parse(readFileSync(join(POLICIES_DIR, "PulumiPolicy.yaml"), "utf8"));
    assert.equal(manifest.runtime, "nodejs");
    const pkg = JSON.parse(readFileSync(join(POLICIES_DIR, "package.json"), "utf8"));
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    assert.ok(pkg.dependencies["@pulumi/policy"]);
    assert.ok(existsSync(join(POLICIES_DIR, "index.ts")));
    assert.match(readFileSync(join(POLICIES_DIR, "index.ts"), "utf8"), /new PolicyPack\("secure-app-platform", \{[^]*policies,/);
  });
});

describe("rule settings, declared once", () => {
  const hasSettings = (r: Rule) => Object.keys(r.settings.shape).length > 0;
  // The JSON schema the Pulumi CLI checks the pack config with, as a validator: what it refuses, the CLI refuses.
  const crossGuardSchema = (r: Rule) => z.fromJSONSchema({ type: "object", properties: r.configSchema?.properties ?? {} } as z.core.JSONSchema.JSONSchema);
  // Keywords of @pulumi/policy's PolicyConfigJSONSchema that the CLI's draft-07 validation knows ($ref, $defs and the like are not among them).
  const KEYWORDS = new Set(["type", "items", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "format", "description", "default"]);
  const keywords = (schema: object): string[] => Object.entries(schema).flatMap(([key, value]) => [key, ...(key === "items" ? keywords(value) : [])]);
  const wrongType = (value: unknown) => (typeof value === "string" ? 42 : "42");

  it("a rule without settings gives CrossGuard no configSchema and its check an empty config", () => {
    const without = allRules.filter((r) => !hasSettings(r));
    assert.ok(without.length > 0);
    for (const r of without) {
      assert.equal(r.configSchema, undefined, r.id);
      assert.deepEqual(r.defaults, {}, r.id);
    }
  });

  for (const r of allRules.filter(hasSettings)) {
    it(`${r.id}: its defaults and configSchema come from its settings, and the schema accepts the defaults`, () => {
      assert.deepEqual(r.defaults, r.settings.parse({}));
      assert.deepEqual(Object.keys(r.configSchema?.properties ?? {}), Object.keys(r.settings.shape));
      for (const [key, property] of Object.entries(r.configSchema!.properties)) {
        for (const keyword of keywords(property as object)) assert.ok(KEYWORDS.has(keyword), `${key}: ${keyword} is not a keyword CrossGuard takes`);
      }
      assert.ok(crossGuardSchema(r).safeParse(r.defaults).success, "the defaults pass the CLI's check");
      assert.ok(crossGuardSchema(r).safeParse({}).success, "every setting may be left out");
    });

    it(`${r.id}: a setting of the wrong type is refused, naming the rule and the setting`, () => {
      for (const [key, value] of Object.entries(r.defaults)) {
        const problems = settingsProblems(r, { enforcementLevel: "advisory", [key]: wrongType(value) });
        assert.equal(problems.length, 1, `${key}: ${problems.join("; ")}`);
        assert.ok(problems[0].startsWith(`${r.id}: ${key}: `), problems[0]);
        assert.deepEqual(crossGuardSchema(r).safeParse({ [key]: wrongType(value) }).error?.issues.map((issue) => issue.path), [[key]], `${key}: the CLI refuses it too`);
      }
    });
  }

  it("a setting's bounds are part of its one declaration: the settings and the CrossGuard schema refuse the same values", () => {
    const cases: [string, string, unknown, unknown][] = [
      ["cis-5.11-memory-limit", "maxMemoryMb", 2, 4],
      ["cis-5.11-memory-limit", "maxMemoryMb", 512.5, 512],
      ["cis-5.8-privileged-ports", "minHostPort", 65536, 65535],
      ["cis-5.8-privileged-ports", "minHostPort", 0, 1],
      ["cis-5.12-cpu-limit", "maxCpus", 0, 0.5],
      ["cis-5.15-restart-policy", "maxRetries", 0, 1],
      ["nproc-ulimit", "maxProcesses", 0, 1],
      ["cis-5.4-capabilities", "allowedAdds", ["CHOWN", 7], ["CHOWN"]],
    ];
    for (const [id, key, refused, accepted] of cases) {
      const r = rule(id);
      assert.deepEqual(settingsProblems(r, { [key]: refused }).map((p) => p.split(": ").slice(0, 2).join(": ")), [`${id}: ${key}${Array.isArray(refused) ? "[1]" : ""}`], `${id}.${key} = ${JSON.stringify(refused)}`);
      assert.equal(crossGuardSchema(r).safeParse({ [key]: refused }).success, false, `${id}.${key} = ${JSON.stringify(refused)} in the CLI`);
      assert.deepEqual(settingsProblems(r, { [key]: accepted }), []);
      assert.equal(crossGuardSchema(r).safeParse({ [key]: accepted }).success, true);
    }
  });

  it("the level and unknown keys are not settings (effectiveConfig ignores them too)", () => {
    assert.deepEqual(settingsProblems(rule("cis-5.11-memory-limit"), { enforcementLevel: "disabled", maxMemoryMB: "typo" }), []);
    assert.deepEqual(settingsProblems(rule("cis-5.5-privileged"), { enforcementLevel: "advisory" }), []);
  });

  it("the shipped pack configs give every setting a value of the right type", () => {
    const dir = join(POLICIES_DIR, "config");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const config = JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
      for (const [id, entry] of Object.entries(config)) {
        if (typeof entry === "object" && entry !== null) assert.deepEqual(settingsProblems(rule(id), entry), [], `${file}: ${id}`);
      }
    }
  });

  it("zod, in which the settings are declared, ships with the pack", () => {
    const pkg = JSON.parse(readFileSync(join(POLICIES_DIR, "package.json"), "utf8"));
    assert.equal(pkg.dependencies.zod, require("zod/package.json").version);
  });
});
