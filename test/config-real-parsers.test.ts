// Every config the schema accepts renders into configs the real parsers accept, and every value past
// a bound is refused, before any resource, at its own config path and in the schema's own words.
// Configs come from test/support/config-arbitraries.ts: names, domains and numbers at every bound
// (validAtBounds) and one value beyond one (beyondOneBound). The authorities are the real ones:
// `squid -k parse` (Debian's 5.7), `envoy --mode validate` in the platform's Envoy image (batched),
// the realm schema (test/config-keycloak-import.test.ts imports realms into the real Keycloak).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConfigError } from "../config/errors";
import { parsePlatformConfig } from "../config/load";
import { LIST_LIMITS } from "../config/schema";
import { checkRealm } from "../render/keycloak/realm-schema";
import { SQUID_ACL_NAME_MAX, SQUID_LINE_MAX } from "../render/squid";
import { beyondOneBound, GeneratedConfig, labelOfLength, validAtBounds } from "./support/config-arbitraries";
import { DOCKER_NAME, renderPlatform, repeated, wordingFaults } from "./support/config-render";
import { describeVerdicts, envoyImageAbsentReason, validateWithRealEnvoy } from "./support/real-envoy";
import { squidParse, squidUnavailable } from "./support/squid-fixtures";
import { minimalConfig } from "./support/stack-config";

function accept({ config, label }: GeneratedConfig) {
  try {
    return parsePlatformConfig(structuredClone(config)).config;
  } catch (error) {
    assert.fail(`refused a config at its bounds (${label}):\n${(error as Error).message}\n${JSON.stringify(config)}`);
  }
}

/** squid -k parse accepts it with no warning and no line it could not read. */
function assertSquidAccepts(conf: string, context: string): void {
  const result = squidParse(conf);
  assert.ok(result.ok, `${context}\n${result.output}`);
  assert.deepEqual(result.warnings, [], context);
  assert.doesNotMatch(result.output, /unrecognized|Bungled/, context);
}

describe("configs at every bound: accepted, and rendered into what the real parsers accept", () => {
  it("renders with unique, valid Docker names, a valid realm, and squid.conf within Squid's name and line limits", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(validAtBounds, (generated) => {
        const rendered = renderPlatform(accept(generated));
        for (const [kind, names] of Object.entries(rendered.dockerNames)) {
          assert.deepEqual(repeated(names), [], `${kind} share a Docker name (${generated.label})`);
          for (const name of names) assert.match(name, DOCKER_NAME, `${kind}: ${name}`);
        }
        assert.deepEqual(checkRealm(rendered.realm), [], generated.label);
        for (const line of rendered.squidConf.split("\n")) {
          assert.ok(line.length <= SQUID_LINE_MAX + 300, `squid.conf line of ${line.length} bytes`);
          const acl = /^acl (\S+) /.exec(line)?.[1];
          if (acl) assert.ok(acl.length <= SQUID_ACL_NAME_MAX, `ACL name ${acl} (${acl.length} characters)`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("squid -k parse accepts every rendered squid.conf", { skip: squidUnavailable(), timeout: 90_000 }, () => {
    fc.assert(
      fc.property(validAtBounds, (generated) => assertSquidAccepts(renderPlatform(accept(generated)).squidConf, generated.label)),
      { numRuns: 60 },
    );
  });

  it("envoy --mode validate accepts every rendered bootstrap (one container for the batch)", { skip: envoyImageAbsentReason(), timeout: 120_000 }, () => {
    const configs = fc.sample(validAtBounds, { numRuns: 80, seed: Date.now() % 100_000 });
    const verdicts = validateWithRealEnvoy(configs.map((generated, i) => ({ name: `${i}: ${generated.label}`, yaml: renderPlatform(accept(generated)).envoyYaml })));
    const rejected = verdicts.filter((v) => !v.ok);
    assert.deepEqual(rejected.map((v) => v.name), [], `${describeVerdicts(rejected)}\nfirst rejected config: ${JSON.stringify(configs[Number(rejected[0]?.name.split(":")[0])]?.config)}`);
  });

  it("an egress whitelist at its bound (1000 entries of up to 253 characters) stays whole in squid.conf and Squid reads it", { skip: squidUnavailable(), timeout: 30_000 }, () => {
    const config = minimalConfig();
    const entries = fc.sample(fc.tuple(labelOfLength(63), labelOfLength(63), labelOfLength(63), labelOfLength(49)), { numRuns: LIST_LIMITS.egress, seed: 7 }).map((labels, i) => `${i % 2 ? "." : ""}${labels.join(".")}.example.net`);
    config.apps[0].egress = [...new Set(entries)];
    config.apps[0].name = `a${"b".repeat(61)}c`;
    const rendered = renderPlatform(parsePlatformConfig(config).config);
    const listed = rendered.squidConf.split("\n").filter((l) => l.startsWith("acl app_") && l.includes(" dstdomain -n "));
    assert.ok(listed.length > 1, "the whitelist is spread over several acl lines");
    assert.ok(listed.every((l) => l.length <= SQUID_LINE_MAX));
    assert.deepEqual(listed.flatMap((l) => l.split(" ").slice(4)).sort(), [...new Set(entries)].sort(), "every entry, whole, once");
    assertSquidAccepts(rendered.squidConf, "1000 entries");
    config.apps[0].egress = [...config.apps[0].egress, "one-more.example.com"];
    assert.throws(() => parsePlatformConfig(config), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.path === "platform:apps[0].egress"));
  });
});

describe("one value past one bound", () => {
  it("is refused at its own config path, every problem in the schema's own words", () => {
    fc.assert(
      fc.property(
        validAtBounds.chain((generated) => beyondOneBound(generated.config).map((beyond) => ({ generated, beyond }))),
        ({ generated, beyond }) => {
          const config = structuredClone(generated.config);
          beyond.mutate(config);
          let problems: { path: string; message: string }[] = [];
          try {
            parsePlatformConfig(config);
          } catch (error) {
            assert.ok(error instanceof ConfigError, String(error));
            problems = error.problems;
          }
          assert.ok(
            problems.some((p) => p.path === beyond.path),
            `expected a problem at ${beyond.path}, got:\n  ${problems.map((p) => `${p.path}: ${p.message}`).join("\n  ") || "(accepted)"}\n${JSON.stringify(config).slice(0, 2000)}`,
          );
          assert.deepEqual(wordingFaults(problems), []);
        },
      ),
      { numRuns: 600 },
    );
  });

  it("anything at any place of a config is refused in the schema's words or accepted, never a crash or zod's wording", () => {
    const paths = (value: unknown, at: (string | number)[] = []): (string | number)[][] =>
      value !== null && typeof value === "object" ? [at, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, Array.isArray(value) ? Number(k) : k]))] : [at];
    fc.assert(
      fc.property(
        validAtBounds.chain((generated) => fc.tuple(fc.constant(generated.config), fc.constantFrom(...paths(generated.config).filter((p) => p.length > 0)), fc.jsonValue({ maxDepth: 3 }))),
        ([original, path, value]) => {
          const config = structuredClone(original);
          let parent: any = config;
          for (const key of path.slice(0, -1)) parent = parent[key];
          parent[path[path.length - 1]] = value;
          try {
            parsePlatformConfig(config);
          } catch (error) {
            assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
            assert.ok(error.problems.length > 0);
            assert.deepEqual(wordingFaults(error.problems), []);
          }
        },
      ),
      { numRuns: 800 },
    );
  });
});
