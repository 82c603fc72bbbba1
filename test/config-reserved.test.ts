// config/reserved.ts mirrors what the renderers take for the platform's own components (config/ may not
// import render/): these tests hold each table to what the platform really renders, so a new alias, a
// moved port or a changed bucket rule cannot slip past the schema.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConfigError } from "../config/errors";
import { parsePlatformConfig } from "../config/load";
import { DNS_LABEL } from "../config/primitives";
import { KEYCLOAK_MANAGEMENT_PORT, minimumBurst, RESERVED_NAMES, TRUST_DOMAIN_PREFIXES } from "../config/reserved";
import { tokenBucket } from "../render/envoy/rate-limit";
import { KEYCLOAK_MANAGEMENT_PORT as RENDERED_MANAGEMENT_PORT } from "../render/keycloak/from-plan";
import { gatewayAudience, identityHostname, oidcEndpoints } from "../render/keycloak/oidc";
import { renderPlatform } from "./support/config-render";
import { minimalConfig } from "./support/stack-config";

describe("the platform's reserved values agree with what it renders", () => {
  it("every DNS name a platform container takes on a network is a reserved app and service name", () => {
    const config = minimalConfig();
    config.identity.database = { kind: "postgres", image: `registry.example/postgres@sha256:${"f".repeat(64)}` };
    const rendered = renderPlatform(parsePlatformConfig(config).config);
    const platformRoles = new Set(["gateway", "egress", "identity", "database", "monitor"]);
    const aliases = rendered.containers
      .filter((c) => platformRoles.has(c.labels.find((l) => l.label === "platform.role")?.value ?? ""))
      .flatMap((c) => c.networksAdvanced.flatMap((n) => n.aliases))
      .filter((alias) => DNS_LABEL.test(alias));
    assert.ok(aliases.length >= 4, `found ${aliases.join(", ")}`);
    assert.deepEqual([...new Set(aliases)].filter((alias) => RESERVED_NAMES[alias] === undefined), []);
  });

  it("the gateway's path for Keycloak starts with a reserved service name", () => {
    const first = oidcEndpoints({ hostname: "identity.example", port: 8443, realm: "platform" }).tokenPath.split("/")[1];
    assert.ok(RESERVED_NAMES[first] !== undefined, first);
  });

  it("Keycloak's management port is the one the identity port may not take", () => {
    assert.equal(KEYCLOAK_MANAGEMENT_PORT, RENDERED_MANAGEMENT_PORT);
  });

  it("names derived from the trust domain use the prefixes the schema counts", () => {
    const derived = [identityHostname("td.example"), gatewayAudience("td.example")].map((name) => name.slice(0, -"td.example".length));
    assert.deepEqual(derived.sort(), [...TRUST_DOMAIN_PREFIXES].sort());
  });

  it("minimumBurst is exactly the gateway's token bucket rule: at it Envoy's bucket renders, below it the renderer refuses (property)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ min: 0.001, max: 10000, noNaN: true }), fc.constantFrom(0.001, 19.999, 20, 20.000001, 40, 400, 9999.99, 10000)), (rps) => {
        const least = minimumBurst(rps);
        const bucket = tokenBucket(rps, least);
        assert.ok(Number.parseFloat(bucket.fill_interval) >= 0.05 - 1e-9, bucket.fill_interval);
        if (least > 1) assert.throws(() => tokenBucket(rps, least - 1), /burst .* is too small/);
      }),
      { numRuns: 2000 },
    );
  });

  it("a burst the gateway could not render is refused by the schema first, at the config path", () => {
    const config = minimalConfig();
    config.apps[0].rateLimit = { requestsPerSecond: 1000 };
    assert.throws(
      () => parsePlatformConfig(config),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.length === 1 &&
        e.problems[0].path === "platform:apps[0].rateLimit.burst" &&
        e.problems[0].message === "burst 20 is too small for 1000 requests/second: the gateway refills the bucket at most every 50 ms, so set burst to at least 50 (or lower requestsPerSecond to at most 400)",
    );
    // the renderer keeps its own check as the last guard, with a clear error
    assert.throws(() => tokenBucket(1000, 20, "apps.alpha.rateLimit"), /^Error: apps\.alpha\.rateLimit\.burst 20 is too small for 1000 requests\/second/);
  });

  it("reserved names, realms and ports are refused with the reason", () => {
    for (const name of Object.keys(RESERVED_NAMES)) {
      const config = minimalConfig();
      config.apps[0].name = name;
      assert.throws(() => parsePlatformConfig(config), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.path === "platform:apps[0].name" && p.message.startsWith(`"${name}" is reserved (`)), name);
    }
    const config = minimalConfig();
    config.identity = { ...config.identity, realm: "master", port: KEYCLOAK_MANAGEMENT_PORT };
    config.gateway = { ...config.gateway, listenPort: 9443, adminPort: 9443 };
    const refused = (() => {
      try {
        parsePlatformConfig(config);
        return [];
      } catch (e) {
        return (e as ConfigError).problems.map((p) => p.path);
      }
    })();
    assert.deepEqual(refused.sort(), ["platform:gateway.adminPort", "platform:identity.port", "platform:identity.realm"]);
  });
});
