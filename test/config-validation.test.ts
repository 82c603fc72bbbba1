import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../config/errors";
import { parseAppManifest, parsePlatformConfig } from "../config/load";
import { configProblems } from "./support/config-render";
import { minimalConfig, rawPlatformConfig } from "./support/stack-config";

const problems = (mutate: (config: Record<string, any>) => void): string[] => configProblems(mutate).map((p) => `${p.path}: ${p.message}`);

describe("stack config validation", () => {
  it("accepts the minimal config and applies the documented defaults", () => {
    const { config: platform, warnings } = parsePlatformConfig(minimalConfig());
    assert.deepEqual(warnings, []);
    assert.equal(platform.network.baseCidr, "10.208.0.0/16");
    assert.equal(platform.network.appPrefixLength, 28);
    const app = platform.apps[0];
    assert.deepEqual(app.resources, { memoryMb: 256, cpus: 0.5, maxProcesses: 128 });
    assert.deepEqual(app.rateLimit, { requestsPerSecond: 10, burst: 20 });
    assert.equal(app.runtime, "runc");
    assert.deepEqual(app.services, [{ name: "weather", methods: ["GET", "HEAD"], pathPrefixes: ["/"] }]);
    assert.equal(platform.egress.port, 3128);
    assert.equal(platform.services[0].protocol, "https");
  });

  it("accepts the repository's dev stack, warning about each unpinned image it explicitly allows", () => {
    const { config: platform, warnings } = parsePlatformConfig(rawPlatformConfig("dev"));
    assert.ok(platform.services.length >= 2 && platform.apps.length >= 2);
    assert.equal(warnings.length, 7);
    assert.match(warnings[0], /^platform:gateway\.image: image platform\/envoy:1\.40\.0 is not pinned by digest/);
    assert.ok(warnings.some((w) => w.startsWith("platform:apps[1].image: ")));
  });

  const cases: [string, (c: Record<string, any>) => void, string][] = [
    ["missing trust domain", (c) => delete c.trustDomain, "platform:trustDomain: is required"],
    ["trust domain with uppercase", (c) => (c.trustDomain = "Platform.example"), 'platform:trustDomain: "Platform.example": must be lowercase: write "platform.example"'],
    ["unknown top-level key", (c) => (c.gatway = {}), 'platform:gatway: unknown key "gatway": remove it or check its spelling'],
    ["unknown app key that would loosen hardening", (c) => (c.apps[0].privileged = true), 'platform:apps[0].privileged: unknown key "privileged": remove it or check its spelling'],
    ["app name not a DNS label", (c) => (c.apps[0].name = "Alpha_1"), 'platform:apps[0].name: "Alpha_1" is not a lowercase DNS label'],
    ["name shared by app and service", (c) => (c.apps[0].name = "weather"), 'platform:apps[0].name: name "weather" is already used by platform:services[0].name: names must be unique across apps and services'],
    ["grant of an unknown service", (c) => (c.apps[0].services = [{ name: "wether" }]), 'platform:apps[0].services[0].name: "wether" is not a service of this platform (services: weather)'],
    ["service granted twice", (c) => (c.apps[0].services = [{ name: "weather" }, { name: "weather" }]), 'platform:apps[0].services[1].name: service "weather" is granted twice: merge the two grants'],
    ["unknown method", (c) => (c.apps[0].services[0].methods = ["GET", "TRACE"]), "platform:apps[0].services[0].methods[1]: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"],
    ["path prefix with dot segment", (c) => (c.apps[0].services[0].pathPrefixes = ["/v1/../admin"]), 'platform:apps[0].services[0].pathPrefixes[0]: "/v1/../admin" is not a path prefix'],
    ["unpinned image", (c) => (c.apps[0].image = "registry.example/alpha:latest"), 'platform:apps[0].image: "registry.example/alpha:latest" is not pinned by digest: use name@sha256:<64 hex digits>, or set platform:allowUnpinnedImages: true for a development stack'],
    ["malformed image", (c) => (c.apps[0].image = "Alpha Image"), 'platform:apps[0].image: "Alpha Image" is not an image reference'],
    ["egress domain with a newline", (c) => (c.apps[0].egress = ["api.example.com\nhttp_access allow all"]), "platform:apps[0].egress[0]: \"api.example.com\\nhttp_access allow all\" is not an allowed egress domain (contains whitespace, control or non-ASCII characters)"],
    ["egress domain with a comment sign", (c) => (c.apps[0].egress = ["api.example.com#x"]), 'label "com#x" is invalid'],
    ["egress domain with a quote", (c) => (c.apps[0].egress = ['"api.example.com"']), "is not an allowed egress domain"],
    ["egress IP literal", (c) => (c.apps[0].egress = ["10.0.0.1"]), "IP literals are not allowed: name the host"],
    ["egress wildcard of a whole TLD", (c) => (c.apps[0].egress = [".com"]), 'platform:apps[0].egress[0]: ".com" is not an allowed egress domain (must have at least two labels'],
    ["egress star wildcard", (c) => (c.apps[0].egress = ["*.example.com"]), 'label "*" is invalid'],
    ["egress into the trust domain", (c) => (c.apps[0].egress = ["svc.test.platform.example"]), "is inside the platform's own trust domain"],
    ["egress duplicate", (c) => (c.apps[0].egress = ["api.example.com", "api.example.com"]), 'platform:apps[0].egress[1]: "api.example.com" is listed twice: remove the duplicate'],
    ["memory above the upper bound", (c) => (c.apps[0].resources = { memoryMb: 65536 }), "platform:apps[0].resources.memoryMb: memoryMb must be an integer at least 16 and at most 16384"],
    ["cpus zero", (c) => (c.apps[0].resources = { cpus: 0 }), "platform:apps[0].resources.cpus: cpus must be a number at least 0.01 and at most 16"],
    ["too many processes", (c) => (c.apps[0].resources = { maxProcesses: 100000 }), "platform:apps[0].resources.maxProcesses: maxProcesses must be an integer at least 16 and at most 4096"],
    ["rate limit zero", (c) => (c.apps[0].rateLimit = { requestsPerSecond: 0 }), "platform:apps[0].rateLimit.requestsPerSecond: requestsPerSecond must be a number at least 0.001 and at most 10000"],
    ["unknown runtime", (c) => (c.apps[0].runtime = "kata"), 'platform:apps[0].runtime: expected "runc" or "runsc" (gVisor)'],
    ["env overriding the proxy", (c) => (c.apps[0].env = { HTTPS_PROXY: "http://evil:3128" }), "platform:apps[0].env.HTTPS_PROXY: HTTPS_PROXY is set by the platform and cannot be overridden: remove it"],
    ["plain-text credential in env", (c) => (c.apps[0].env = { DB_PASSWORD: "hunter2" }), "platform:apps[0].env.DB_PASSWORD: DB_PASSWORD looks like a credential"],
    ["public base CIDR", (c) => (c.network = { baseCidr: "8.8.0.0/16" }), "platform:network.baseCidr: 8.8.0.0/16 is not inside a private range"],
    ["base CIDR with host bits", (c) => (c.network = { baseCidr: "10.208.1.0/16" }), 'platform:network.baseCidr: "10.208.1.0/16" is not an IPv4 network in CIDR form with no host bits set'],
    ["base CIDR too small", (c) => (c.network = { baseCidr: "10.208.0.0/24" }), "platform:network.baseCidr: 10.208.0.0/24: the prefix length must be between /8 and /22"],
    ["healthcheck not in exec form", (c) => (c.apps[0].healthcheck = { command: ["curl", "x"] }), 'platform:apps[0].healthcheck.command: the first element must be "CMD" or "CMD-SHELL"'],
    ["postgres without image", (c) => (c.identity.database = { kind: "postgres" }), 'platform:identity.database.image: database.kind is "postgres": set database.image to a pinned PostgreSQL image'],
    ["a Keycloak image that is not pre-built", (c) => (c.identity.optimizedImage = false), "platform:identity.optimizedImage: Keycloak cannot rebuild itself under the platform's read-only root: use an image pre-built with `kc.sh build`"],
    ["optimizedImage not a boolean", (c) => (c.identity.optimizedImage = "true"), "platform:identity.optimizedImage: Keycloak cannot rebuild itself"],
    ["leaf outliving the CA", (c) => (c.ca = { validityHours: 100, leafValidityHours: 200, earlyRenewalHours: 10 }), "platform:ca.leafValidityHours: must be less than the CA's validityHours (100)"],
    ["missing gateway image", (c) => delete c.gateway, "platform:gateway: is required"],
  ];
  for (const [title, mutate, expected] of cases) {
    it(`rejects ${title}`, () => {
      const found = problems(mutate);
      assert.ok(found.some((p) => p.includes(expected)), `expected a problem containing:\n  ${expected}\ngot:\n  ${found.join("\n  ")}`);
    });
  }

  it("identity.optimizedImage: omitted means true (Keycloak always starts --optimized); true is accepted", () => {
    assert.equal(parsePlatformConfig(minimalConfig()).config.identity.optimizedImage, true);
    const config = minimalConfig();
    config.identity.optimizedImage = true;
    assert.equal(parsePlatformConfig(config).config.identity.optimizedImage, true);
  });

  it("reports every problem at once and names the config source", () => {
    const config = minimalConfig();
    config.apps[0].egress = ["bad domain"];
    config.apps[0].runtime = "kata";
    assert.throws(
      () => parsePlatformConfig(config, "config of stack dev"),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 2 && /^invalid config of stack dev \(2 problems\); nothing was created:/.test(error.message),
    );
  });

  it("allows unpinned images only under the explicit opt-out, with a warning", () => {
    const config = minimalConfig();
    config.allowUnpinnedImages = true;
    config.apps[0].image = "registry.example/alpha:1.2";
    const { warnings } = parsePlatformConfig(config);
    assert.deepEqual(warnings, ["platform:apps[0].image: image registry.example/alpha:1.2 is not pinned by digest (allowed by platform:allowUnpinnedImages); pin it before production"]);
  });

  it("accepts a local image ID as pinned", () => {
    const config = minimalConfig();
    config.apps[0].image = `sha256:${"f".repeat(64)}`;
    assert.doesNotThrow(() => parsePlatformConfig(config));
  });

  it("validates a vendor's app manifest on its own, with app: paths", () => {
    assert.equal(parseAppManifest({ name: "beta", image: `x/beta@sha256:${"1".repeat(64)}` }).runtime, "runc");
    assert.throws(
      () => parseAppManifest({ name: "beta", image: "x/beta@sha256:1", capAdd: ["NET_RAW"] }),
      (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.path === "app:capAdd") && error.problems.some((p) => p.path === "app:image"),
    );
  });
});
