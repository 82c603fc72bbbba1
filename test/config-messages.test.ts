// Right value, right words: what Pulumi users really write is accepted (numbers and flags as text, as
// `pulumi config set --path` stores them; numbers and flags where text is expected), and anything else
// is refused once, at a `platform:a[0].b` path, in the schema's own words.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConfigError, describeValue } from "../config/errors";
import { parseAppManifest, parsePlatformConfig } from "../config/load";
import { buildPlan } from "../plan/plan";
import { defaultServiceHealthcheck, serviceContainer } from "../render/workloads";
import { configProblems, wordingFaults } from "./support/config-render";
import { minimalConfig } from "./support/stack-config";

const problems = configProblems;

const lines = (found: { path: string; message: string }[]) => found.map((p) => `${p.path}: ${p.message}`);

describe("values as Pulumi stores them", () => {
  it("takes numbers and flags written as text (pulumi config set --path keeps 0.25 as \"0.25\")", () => {
    const config = minimalConfig();
    config.allowUnpinnedImages = "false";
    config.apps[0].resources = { cpus: "0.25", memoryMb: "128", maxProcesses: " 64 " };
    config.apps[0].rateLimit = { requestsPerSecond: "2.5", burst: "1e1" };
    config.egress.httpPorts = ["80", 8080];
    const { config: parsed } = parsePlatformConfig(config);
    assert.deepEqual(parsed.apps[0].resources, { cpus: 0.25, memoryMb: 128, maxProcesses: 64 });
    assert.deepEqual(parsed.apps[0].rateLimit, { requestsPerSecond: 2.5, burst: 10 });
    assert.deepEqual(parsed.egress.httpPorts, [80, 8080]);
    assert.equal(parsed.allowUnpinnedImages, false);
  });

  it("takes numbers and flags where text is expected (env values, command arguments)", () => {
    const config = minimalConfig();
    config.apps[0].env = { PORT: 8080, DEBUG: true, RATIO: 0.5 };
    config.apps[0].command = ["/app/server", "--port", 8080];
    const app = parsePlatformConfig(config).config.apps[0];
    assert.deepEqual(app.env, { PORT: "8080", DEBUG: "true", RATIO: "0.5" });
    assert.deepEqual(app.command, ["/app/server", "--port", "8080"]);
  });

  it("says what it expected and what it got for a value of the wrong type, never \"is required\"", () => {
    assert.deepEqual(lines(problems((c) => (c.apps[0].resources = { cpus: "a quarter" }))), ['platform:apps[0].resources.cpus: expected a number, got the string "a quarter"']);
    assert.deepEqual(lines(problems((c) => (c.apps[0].resources = { memoryMb: null }))), ["platform:apps[0].resources.memoryMb: expected an integer, got an empty value (null)"]);
    assert.deepEqual(lines(problems((c) => (c.allowUnpinnedImages = "yes"))), ['platform:allowUnpinnedImages: expected true or false, got the string "yes"']);
    assert.deepEqual(lines(problems((c) => (c.apps[0].egress = "api.example.com"))), ['platform:apps[0].egress: expected a list of host names and .suffixes, got the string "api.example.com"']);
    assert.deepEqual(lines(problems((c) => (c.apps = { alpha: {} }))), ["platform:apps: expected a list of apps, got a mapping"]);
  });

  it("says \"is required\" only for a key that is missing", () => {
    assert.deepEqual(lines(problems((c) => delete c.apps[0].image)), ["platform:apps[0].image: is required: expected a string: an image reference"]);
  });

  it("describes a value without dumping it", () => {
    assert.equal(describeValue("x".repeat(500)), `the string "${"x".repeat(60)}..."`);
    assert.equal(describeValue([1, 2]), "a list of 2 items");
    assert.equal(describeValue({ a: 1 }), "a mapping");
  });
});

describe("one problem, in the schema's words", () => {
  it("a repeated name is reported once, where it repeats, with the first one's path in config form", () => {
    assert.deepEqual(lines(problems((c) => c.apps.push({ ...c.apps[0] }))), ['platform:apps[1].name: name "alpha" is already used by platform:apps[0].name: names must be unique across apps and services']);
    assert.deepEqual(lines(problems((c) => (c.apps[0].name = "weather"))), ['platform:apps[0].name: name "weather" is already used by platform:services[0].name: names must be unique across apps and services']);
  });

  it("lists that must not be empty say so in words", () => {
    assert.deepEqual(lines(problems((c) => (c.egress.httpPorts = []))), ["platform:egress.httpPorts: give at least one port, e.g. [80]"]);
    assert.deepEqual(lines(problems((c) => (c.apps[0].command = []))), ['platform:apps[0].command: give the program and its arguments, e.g. ["/app/server"], or remove command']);
    assert.deepEqual(lines(problems((c) => (c.ca = { commonName: "" }))), ["platform:ca.commonName: expected 1-64 letters, digits, spaces, '.' and '-'"]);
  });

  it("5,000 apps: one \"do not fit\" problem, not one per collision", () => {
    const found = problems((c) => (c.apps = Array.from({ length: 5000 }, (_, i) => ({ ...c.apps[0], name: `app-${i}` }))));
    assert.deepEqual(lines(found), [
      "platform:apps: 5000 apps do not fit in 10.208.0.0/16 with /28 app subnets (4032 slots): use a larger network.baseCidr or a longer network.appPrefixLength, or split the apps across stacks",
    ]);
  });

  it("a long list of problems is cut in the message, kept whole in problems", () => {
    const config = minimalConfig();
    config.apps = Array.from({ length: 80 }, (_, i) => ({ ...config.apps[0], name: `app-${i}`, image: "unpinned:latest", subnetIndex: i }));
    try {
      parsePlatformConfig(config);
      assert.fail("accepted unpinned images");
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 80);
      assert.equal(error.message.split("\n").filter((l) => l.startsWith("  - platform:")).length, 50);
      assert.match(error.message, /\n {2}- \.\.\. and 30 more \(fix these first\)$/);
    }
  });

  it("an app manifest gets app: paths in the same words", () => {
    assert.throws(
      () => parseAppManifest({ name: "beta", image: `x/beta@sha256:${"1".repeat(64)}`, resources: { cpus: "lots" }, egress: [""] }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => p.path === "app:resources.cpus" && p.message === 'expected a number, got the string "lots"') &&
        wordingFaults(error.problems).length === 0,
    );
    assert.throws(() => parseAppManifest("name: beta"), (error: unknown) => error instanceof ConfigError && lines(error.problems)[0] === 'app:: expected a mapping of key: value, got the string "name: beta"');
  });

  it("random wrong values anywhere in an app never produce zod's own words (property)", () => {
    const keys = ["name", "image", "services", "egress", "resources", "rateLimit", "runtime", "env", "command", "healthcheck", "subnetIndex"];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 }), (key, value) => {
        const found = problems((c) => (c.apps[0][key] = value));
        assert.deepEqual(wordingFaults(found), []);
      }),
      { numRuns: 500 },
    );
  });
});

describe("a service without healthPath or healthcheck", () => {
  it("is accepted and gets a TCP connect to its port as its healthcheck (CIS 5.27 holds)", () => {
    const config = minimalConfig();
    delete config.services[0].healthPath;
    const { config: parsed } = parsePlatformConfig(config);
    const plan = buildPlan(parsed, "hc");
    const spec = serviceContainer(plan, plan.services[0]);
    assert.deepEqual(spec.healthcheck.tests, defaultServiceHealthcheck(8080).command);
    assert.equal(spec.healthcheck.tests[0], "CMD-SHELL");
    assert.match(spec.healthcheck.tests[1], /\/dev\/tcp\/127\.0\.0\.1\/8080/);
    assert.match(spec.healthcheck.tests[1], /nc -w 3 127\.0\.0\.1 8080/);
  });
});
