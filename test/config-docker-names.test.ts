// Two valid names never make one Docker name. Names are derived in plan/names.ts (dockerNames,
// seedName, volumeName) by appending suffixes; the schema refuses a name whose derived names would
// collide with another workload's. Checked through plan/names.ts itself: whatever names are
// generated (suffix look-alikes included), either the schema refuses them, or every container,
// seed, volume and network of the rendered platform has a Docker name of its own.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConfigError } from "../config/errors";
import { parsePlatformConfig } from "../config/load";
import { SEED_SUFFIX } from "../config/reserved";
import { dockerNames, seedName, volumeName } from "../plan/names";
import { labelOfLength } from "./support/config-arbitraries";
import { renderPlatform, repeated } from "./support/config-render";
import { minimalConfig } from "./support/stack-config";

const PURPOSES = ["tls", "conf", "data", "state"] as const;
const SUFFIXES = [SEED_SUFFIX, ...PURPOSES, "db", "app", "svc", "gateway", "egress", "identity", "monitor"];

/** Every Docker name plan/names.ts can derive for these workload names, by kind, without the schema. */
function derivedNames(prefix: string, apps: readonly string[], services: readonly string[]) {
  const names = dockerNames(prefix);
  const workloads = [...apps.map(names.appContainer), ...services.map(names.serviceContainer), names.gateway, names.egress, names.identity, names.database, names.monitor];
  return {
    containers: [...workloads, ...workloads.map(seedName)],
    volumes: workloads.flatMap((w) => PURPOSES.map((p) => volumeName(w, p))),
    networks: [...apps.map(names.appNetwork), names.infraNetwork("services"), names.infraNetwork("identity"), names.infraNetwork("outbound")],
  };
}

/** Names built to collide: a base name, and the base name with a suffix the platform appends. */
const lookalikes = fc
  .uniqueArray(labelOfLength(4).chain((base) => fc.constantFrom(base, ...SUFFIXES.map((s) => `${base}-${s}`))), { minLength: 2, maxLength: 8 })
  .chain((names) => fc.tuple(fc.constant(names), fc.integer({ min: 1, max: Math.max(1, names.length - 1) })));

describe("Docker names through plan/names.ts", () => {
  it("a collision of derived names is refused; an accepted config has one Docker name per object (property)", () => {
    fc.assert(
      fc.property(lookalikes, fc.constantFrom("plat-dev", "p", "x-app"), ([names, serviceCount], prefix) => {
        const services = names.slice(0, serviceCount);
        const apps = names.slice(serviceCount);
        const config = minimalConfig();
        config.namePrefix = prefix;
        config.services = services.map((name) => ({ ...config.services[0], name }));
        config.apps = apps.map((name, i) => ({ ...config.apps[0], name, services: [], subnetIndex: i }));
        const derived = derivedNames(prefix, apps, services);
        const collisions = Object.values(derived).flatMap(repeated);
        let parsed;
        try {
          parsed = parsePlatformConfig(config).config;
        } catch (error) {
          assert.ok(error instanceof ConfigError, String(error));
          // refused: only for a name ending like a derived name (the seed suffix)
          assert.ok(error.problems.every((p) => p.message.includes(`ends in "-${SEED_SUFFIX}"`)), error.message);
          return;
        }
        assert.deepEqual(collisions, [], `accepted although plan/names.ts derives the same name twice (${names.join(", ")})`);
        const rendered = renderPlatform(parsed, "names");
        for (const [kind, list] of Object.entries(rendered.dockerNames)) assert.deepEqual(repeated(list), [], kind);
      }),
      { numRuns: 400 },
    );
  });

  it("the refused case is real: x and x-seed would share the seed's Docker name", () => {
    const names = dockerNames("plat-dev");
    assert.equal(seedName(names.appContainer("x")), names.appContainer(`x-${SEED_SUFFIX}`));
    const config = minimalConfig();
    config.apps = [{ ...config.apps[0], name: "x" }, { ...config.apps[0], name: "x-seed" }];
    assert.throws(
      () => parsePlatformConfig(config),
      (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && e.problems[0].path === "platform:apps[1].name" && /take the Docker name of "x"'s seed/.test(e.problems[0].message),
    );
  });
});
