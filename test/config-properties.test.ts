import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { cidrsOverlap, containsCidr, parseCidr } from "../config/cidr";
import { ConfigError } from "../config/errors";
import { parsePlatformConfig } from "../config/load";
import { buildPlan } from "../plan/plan";
import { DNS_LABEL, egressEntryProblem, workloadName } from "../config/primitives";
import { appContainer } from "../render/workloads";
import { minimalConfig } from "./support/stack-config";

const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/).filter((s) => !s.includes("--"));
const host = fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join("."));
// valid specs hold only what the schema accepts: no public suffix as a .suffix, no reserved app name
const domain = fc.tuple(fc.boolean(), host).map(([suffix, h]) => (suffix ? `.${h}` : h)).filter((d) => egressEntryProblem(d) === undefined);
const appName = label.filter((n) => n !== "weather" && workloadName.safeParse(n).success);
const appEntry = (name: string) =>
  fc.record({
    egress: fc.uniqueArray(domain, { maxLength: 4 }),
    memoryMb: fc.integer({ min: 16, max: 16384 }),
    cpus: fc.double({ min: 0.01, max: 16, noNaN: true }),
    maxProcesses: fc.integer({ min: 16, max: 4096 }),
    runtime: fc.constantFrom("runc", "runsc"),
  }).map((r) => ({
    name,
    image: `registry.example/${name}@sha256:${"b".repeat(64)}`,
    services: [{ name: "weather" }],
    egress: r.egress,
    resources: { memoryMb: r.memoryMb, cpus: r.cpus, maxProcesses: r.maxProcesses },
    runtime: r.runtime,
  }));
const appList = fc.uniqueArray(appName, { minLength: 1, maxLength: 25 }).chain((names) => fc.tuple(...names.map(appEntry)));
const baseCidr = fc.constantFrom("10.208.0.0/16", "10.0.0.0/12", "192.168.0.0/20", "172.20.0.0/18");
const prefix = fc.integer({ min: 24, max: 29 });

function configWith(apps: unknown[], cidr: string, appPrefixLength: number) {
  const config = minimalConfig();
  config.apps = apps;
  config.network = { baseCidr: cidr, appPrefixLength };
  return config;
}

describe("properties of valid specs", () => {
  it("every app gets its own subnet inside the base, disjoint from all others and from the infra networks (or a collision is reported with a fix)", () => {
    fc.assert(
      fc.property(appList, baseCidr, prefix, (apps, cidr, appPrefixLength) => {
        let plan;
        try {
          plan = buildPlan(parsePlatformConfig(configWith(apps, cidr, appPrefixLength)).config, "prop");
        } catch (error) {
          assert.ok(error instanceof ConfigError);
          assert.ok(error.problems.every((p) => /both get subnet slot .* set subnetIndex: \d+ on app/.test(p.message)), error.message);
          return;
        }
        const base = parseCidr(cidr)!;
        const subnets = [...plan.apps.map((a) => a.network.subnet), plan.networks.services.subnet, plan.networks.identity.subnet, plan.networks.outbound.subnet].map((s) => parseCidr(s)!);
        subnets.forEach((a, i) => {
          assert.ok(containsCidr(base, a));
          subnets.slice(i + 1).forEach((b) => assert.ok(!cidrsOverlap(a, b), `${JSON.stringify(a)} overlaps ${JSON.stringify(b)}`));
        });
        assert.equal(new Set(plan.apps.map((a) => a.uid)).size, plan.apps.length);
      }),
      { numRuns: 150 },
    );
  });

  it("every app container is hardened and attached to exactly one network, its own", () => {
    fc.assert(
      fc.property(appList, (apps) => {
        const indexed = apps.map((app, i) => ({ ...app, subnetIndex: i * 7 }));
        const plan = buildPlan(parsePlatformConfig(configWith(indexed, "10.208.0.0/16", 28)).config, "prop");
        for (const app of plan.apps) {
          const spec = appContainer(plan, app);
          assert.deepEqual(spec.capabilities, { drops: ["ALL"], adds: [] });
          assert.equal(spec.readOnly, true);
          assert.equal(spec.privileged, false);
          assert.deepEqual(spec.securityOpts, ["no-new-privileges:true"]);
          assert.ok(Number(spec.user.split(":")[0]) >= 20000);
          assert.equal(spec.memorySwap, spec.memory);
          assert.equal(spec.memory, app.config.resources.memoryMb);
          assert.ok(spec.ulimits.some((u) => u.name === "nproc" && u.hard === app.config.resources.maxProcesses));
          assert.equal(spec.networksAdvanced.length, 1);
          assert.equal(spec.networksAdvanced[0].name, app.network.dockerName);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe("properties of invalid input", () => {
  const forbidden = fc.constantFrom(" ", "\t", "\n", "\r", "#", '"', "'", "\u0000", "\u001b", "\u007f", ";", "{", "}", "\\", "*", "/", "%");
  it("any egress domain containing whitespace, a newline, '#', a quote or a control character is rejected", () => {
    fc.assert(
      fc.property(host, forbidden, fc.nat(), (h, bad, at) => {
        const position = at % (h.length + 1);
        const hostile = h.slice(0, position) + bad + h.slice(position);
        const config = minimalConfig();
        config.apps[0].egress = [hostile];
        assert.throws(() => parsePlatformConfig(config), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.path === "platform:apps[0].egress[0]"));
      }),
      { numRuns: 300 },
    );
  });

  it("any name that is not a lowercase DNS label is rejected", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }).filter((s) => !DNS_LABEL.test(s)), (name) => {
        const config = minimalConfig();
        config.apps[0].name = name;
        assert.throws(() => parsePlatformConfig(config), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.path === "platform:apps[0].name"));
      }),
      { numRuns: 300 },
    );
  });
});
