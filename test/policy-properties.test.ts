// Properties over generated inputs: rules never crash on malformed inputs, and the offline engine
// reports exactly what the CrossGuard policy objects report when run as the server runs them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { evaluate } from "../policies/evaluate";
import { runResourcePolicy } from "./support/policy-harness";
import { containerRules, networkRules, toResourcePolicy } from "../policies/registry";
import { UNKNOWN } from "../policies/runtime";
import { appNetworkProps, CONTAINER, hardenedAppProps, NETWORK } from "./fixtures/policy/resources";

const CONTAINER_FIELDS = Object.keys(hardenedAppProps()).concat(["ports", "devices", "deviceCgroupRules", "mounts", "pidMode", "usernsMode", "cgroupParent", "cgroupnsMode", "cpuQuota", "cpuShares"]);

/** Values of every JSON shape, plus the runtime's unknown sentinels. */
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(...Object.values(UNKNOWN)));

/** Insecure but well-typed changes a stack might make. */
const insecureChange = fc.constantFrom<(p: Record<string, any>) => void>(
  (p) => (p.privileged = true),
  (p) => (p.user = "0:0"),
  (p) => (p.capabilities = { drops: [], adds: ["NET_RAW", "CHOWN"] }),
  (p) => p.volumes.push({ hostPath: "/", containerPath: "/host" }),
  (p) => (p.mounts = [{ type: "bind", source: "/var/run", target: "/r", bindOptions: { propagation: "shared" } }]),
  (p) => (p.ports = [{ internal: 22, external: 22 }]),
  (p) => (p.networkMode = "host"),
  (p) => delete p.memory,
  (p) => (p.cpus = "0"),
  (p) => (p.readOnly = false),
  (p) => (p.restart = "unless-stopped"),
  (p) => (p.securityOpts = ["seccomp=unconfined", "apparmor:unconfined", "label=disable"]),
  (p) => (p.healthcheck = { tests: ["NONE"] }),
  (p) => (p.image = "nginx"),
  (p) => (p.ulimits = []),
  (p) => p.envs.push("API_TOKEN=abc"),
  (p) => (p.pidMode = "host"),
  (p) => (p.ipcMode = "host"),
  (p) => (p.usernsMode = "host"),
  (p) => (p.cgroupnsMode = "host"),
  (p) => (p.devices = [{ hostPath: "/dev/mem" }]),
  (p) => (p.publishAllPorts = true),
);

describe("generated inputs", { timeout: 60_000 }, () => {
  it("no rule crashes on inputs of any shape", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...CONTAINER_FIELDS), anyValue), fc.dictionary(fc.constantFrom("driver", "internal", "options", "labels", "name"), anyValue), (container, network) => {
        const findings = evaluate([
          { type: CONTAINER, name: "c", props: container },
          { type: NETWORK, name: "n", props: network },
        ]);
        for (const f of findings) assert.ok(f.message.length > 0 && f.ruleId.length > 0);
      }),
      { numRuns: 300 },
    );
  });

  it("the engine and the CrossGuard policy objects report the same violations", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(insecureChange, { maxLength: 6 }), async (changes) => {
        const props = hardenedAppProps();
        for (const change of changes) change(props);
        const engine = evaluate([{ type: CONTAINER, name: "alpha", props: structuredClone(props) }], { stackRules: false })
          .filter((f) => !f.unknown)
          .map((f) => `${f.ruleId}: ${f.message}`);
        const runtime: string[] = [];
        for (const rule of [...containerRules, ...networkRules]) {
          const run = await runResourcePolicy(toResourcePolicy(rule), { type: CONTAINER, name: "alpha", props });
          runtime.push(...run.violations.map((v) => `${rule.id}: ${v.message}`));
        }
        assert.deepEqual(engine, runtime);
        if (changes.length > 0) assert.ok(engine.length > 0, "an insecure change is never a pass");
      }),
      { numRuns: 150 },
    );
  });

  it("an unknown field makes exactly the rules that read it advisory, in both", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(hardenedAppProps())), async (field) => {
        const props = { ...hardenedAppProps(), [field]: UNKNOWN.string };
        const engine = evaluate([{ type: CONTAINER, name: "alpha", props }], { stackRules: false });
        const engineUnknown = engine.filter((f) => f.unknown).map((f) => f.ruleId);
        assert.ok(engine.filter((f) => f.unknown).every((f) => f.enforcementLevel === "advisory" && f.field === field));
        const runtimeUnknown: string[] = [];
        for (const rule of containerRules) {
          const run = await runResourcePolicy(toResourcePolicy(rule), { type: CONTAINER, name: "alpha", props });
          if (run.advisory) runtimeUnknown.push(rule.id);
        }
        assert.deepEqual(engineUnknown, runtimeUnknown);
      }),
      { numRuns: 40 },
    );
  });

  it("a network with generated options never passes network-host-binding unless it binds loopback", () => {
    fc.assert(
      fc.property(fc.option(fc.oneof(fc.ipV4(), fc.constantFrom("0.0.0.0", "127.0.0.1", "")), { nil: undefined }), (binding) => {
        const props = appNetworkProps();
        if (binding === undefined) delete props.options["com.docker.network.bridge.host_binding_ipv4"];
        else props.options["com.docker.network.bridge.host_binding_ipv4"] = binding;
        const hit = evaluate([{ type: NETWORK, name: "n", props }], { stackRules: false }).some((f) => f.ruleId === "network-host-binding");
        assert.equal(hit, binding !== "127.0.0.1");
      }),
      { numRuns: 200 },
    );
  });
});
