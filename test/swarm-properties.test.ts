// Properties of the Swarm renderer over random valid stack configs (test/support/config-arbitraries.ts)
// switched to Swarm with random replicas, update policy and placement: the overlays are disjoint and
// inside the base CIDR, every app service joins its own network and nothing else, no app network
// holds anything but its app and the two proxies, and replicas are those the config asked for.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { cidrsOverlap, containsCidr, parseCidr } from "../config/cidr";
import { parsePlatformConfig } from "../config/load";
import { buildPlan } from "../plan/plan";
import { swarmStack } from "../render/swarm/from-plan";
import { validAtBounds } from "./support/config-arbitraries";

/** Docker's spelling of the overlay encryption option (`docker network create --opt encrypted`) */
const ENCRYPTED = "encrypted";

const swarmSettings = fc.record({
  gatewayReplicas: fc.integer({ min: 1, max: 4 }),
  egressReplicas: fc.integer({ min: 1, max: 4 }),
  appReplicas: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 6, maxLength: 6 }),
  update: fc.record({ order: fc.constantFrom("start-first", "stop-first"), failureAction: fc.constantFrom("rollback", "pause"), parallelism: fc.integer({ min: 1, max: 3 }) }),
  encryptOverlays: fc.boolean(),
  appPlacement: fc.subarray(["node.role==worker", "node.labels.zone!=b", "engine.labels.ssd==true"]),
});

const swarmConfigs = fc.tuple(validAtBounds, swarmSettings).map(([generated, s]) => {
  const config = structuredClone(generated.config);
  config.orchestrator = "swarm";
  // at most /26: 61 addresses hold the most these settings ask for (2 × (4+3) × 3 = 42)
  config.network = { ...config.network, appPrefixLength: Math.min(config.network.appPrefixLength, 26) };
  config.apps.forEach((app: Record<string, unknown>, i: number) => (app.replicas = s.appReplicas[i]));
  config.swarm = {
    gatewayReplicas: s.gatewayReplicas,
    egressReplicas: s.egressReplicas,
    update: s.update,
    encryptOverlays: s.encryptOverlays,
    placement: { apps: s.appPlacement, ...(config.identity.database.kind === "postgres" ? { identity: ["node.hostname==db-1"] } : {}) },
  };
  return { config, label: generated.label };
});

describe("Swarm renderer properties", () => {
  it("gives disjoint overlays and app services on their own network alone, for random valid configs", () => {
    fc.assert(
      fc.property(swarmConfigs, ({ config, label }) => {
        const { config: validated } = parsePlatformConfig(config);
        const plan = buildPlan(validated, "prop");
        const stack = swarmStack(plan);

        const base = parseCidr(plan.baseCidr)!;
        const subnets = stack.networks.map((n) => parseCidr(n.ipamConfigs[0].subnet)!);
        subnets.forEach((a, i) => {
          assert.ok(containsCidr(base, a), `${label}: ${stack.networks[i].name} outside ${plan.baseCidr}`);
          subnets.slice(i + 1).forEach((b, j) => assert.ok(!cidrsOverlap(a, b), `${label}: ${stack.networks[i].name} overlaps ${stack.networks[i + 1 + j].name}`));
        });
        assert.equal(new Set(stack.networks.map((n) => n.name)).size, stack.networks.length);
        for (const n of stack.networks) {
          assert.equal(n.driver, "overlay");
          assert.equal(n.attachable, false);
          assert.equal(n.internal, n.name !== plan.networks.outbound.dockerName);
          assert.equal(ENCRYPTED in n.options, config.swarm.encryptOverlays);
        }

        const appNetworks = new Map(plan.apps.map((a) => [a.network.dockerName, a.config.name]));
        for (const w of stack.workloads) {
          const joined = w.service.taskSpec.networksAdvanceds.map((n) => n.name);
          if (w.role === "app") {
            const app = plan.apps.find((a) => a.config.name === w.key)!;
            assert.deepEqual(joined, [app.network.dockerName], `${label}: app ${w.key}`);
            assert.equal(w.service.mode.replicated.replicas, app.config.replicas);
          } else if (w.role !== "gateway" && w.role !== "egress") {
            assert.ok(joined.every((name) => !appNetworks.has(name)), `${label}: ${w.role} ${w.key} joins an app network`);
          } else {
            assert.deepEqual(joined.filter((name) => appNetworks.has(name)).sort(), [...appNetworks.keys()].sort(), `${label}: ${w.role} on every app network`);
            assert.equal(w.service.mode.replicated.replicas, w.role === "gateway" ? config.swarm.gatewayReplicas : config.swarm.egressReplicas);
          }
          assert.equal(w.service.updateConfig.parallelism, config.swarm.update.parallelism);
          assert.equal(w.service.updateConfig.order, w.role === "database" ? "stop-first" : config.swarm.update.order);
          for (const f of w.files) if (/key|secret|password|realm/.test(f.purpose)) assert.equal(f.kind, "secret");
        }
        for (const name of appNetworks.keys()) {
          const apps = stack.workloads.filter((w) => w.role === "app" && w.service.taskSpec.networksAdvanceds.some((n) => n.name === name));
          assert.equal(apps.length, 1, `${label}: ${name} holds one app`);
        }
      }),
      { numRuns: 150 },
    );
  });
});
