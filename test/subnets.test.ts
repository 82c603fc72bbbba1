import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cidrsOverlap, containsCidr, formatCidr, parseCidr } from "../config/cidr";
import { parsePlatformConfig } from "../config/load";
import { buildPlan } from "../plan/plan";
import { allocateAppSlots, appSlotCount, appSubnetForSlot, hashedSlot, infraSubnet } from "../config/subnet-slots";
import { ConfigError } from "../config/errors";
import { minimalConfig } from "./support/stack-config";

const base = parseCidr("10.208.0.0/16")!;

function planFor(appNames: string[], extra: (c: Record<string, any>) => void = () => {}) {
  const config = minimalConfig();
  const template = config.apps[0];
  config.apps = appNames.map((name) => ({ ...template, name }));
  extra(config);
  return buildPlan(parsePlatformConfig(config).config, "test");
}

describe("CIDR arithmetic", () => {
  it("parses, formats and rejects host bits", () => {
    assert.equal(formatCidr(parseCidr("10.208.4.16/28")!), "10.208.4.16/28");
    assert.equal(parseCidr("10.208.4.17/28"), undefined);
    assert.equal(parseCidr("256.0.0.0/8"), undefined);
    assert.equal(parseCidr("10.0.0.0/33"), undefined);
    assert.equal(parseCidr("010.0.0.0/8"), undefined);
  });
  it("detects containment and overlap", () => {
    assert.ok(containsCidr(parseCidr("10.0.0.0/8")!, parseCidr("10.208.0.0/16")!));
    assert.ok(!containsCidr(parseCidr("10.208.0.0/16")!, parseCidr("10.0.0.0/8")!));
    assert.ok(cidrsOverlap(parseCidr("10.208.4.0/24")!, parseCidr("10.208.4.16/28")!));
    assert.ok(!cidrsOverlap(parseCidr("10.208.4.0/28")!, parseCidr("10.208.4.16/28")!));
  });
});

describe("subnet allocation", () => {
  it("puts the infrastructure networks in the first /24 blocks and apps after them", () => {
    assert.equal(formatCidr(infraSubnet(base, "services")), "10.208.0.0/24");
    assert.equal(formatCidr(infraSubnet(base, "identity")), "10.208.1.0/24");
    assert.equal(formatCidr(infraSubnet(base, "outbound")), "10.208.2.0/24");
    assert.equal(formatCidr(appSubnetForSlot(base, 28, 0)), "10.208.4.0/28");
    assert.equal(appSlotCount(base, 28), 252 * 16);
  });

  it("gives each app fixed host addresses inside its own subnet", () => {
    const plan = planFor(["alpha"]);
    const app = plan.apps[0];
    const subnet = parseCidr(app.network.subnet)!;
    assert.equal(app.network.bridgeGateway, formatCidr({ network: subnet.network + 1, prefixLength: 32 }).replace("/32", ""));
    for (const address of [app.gatewayIp, app.egressIp, app.ip]) assert.ok(containsCidr(subnet, parseCidr(`${address}/32`)!));
    assert.deepEqual([app.gatewayIp, app.egressIp, app.ip].map((a) => Number(a.split(".")[3]) - (subnet.network % 256)), [2, 3, 4]);
    assert.equal(app.uid, 20000 + app.slot);
  });

  it("keeps an app's subnet when other apps are added or removed", () => {
    const before = planFor(["alpha", "beta", "gamma"]);
    const after = planFor(["zeta", "gamma", "alpha", "omega"]);
    const subnetOf = (plan: typeof before, name: string) => plan.apps.find((a) => a.config.name === name)!.network.subnet;
    assert.equal(subnetOf(after, "alpha"), subnetOf(before, "alpha"));
    assert.equal(subnetOf(after, "gamma"), subnetOf(before, "gamma"));
  });

  it("reports two names that hash to the same slot, with a free slot to pin", () => {
    // a tiny pool forces a collision: a /21 has 8 blocks of /24, 4 for infrastructure, 4 app slots
    const small = parseCidr("10.208.0.0/21")!;
    assert.equal(appSlotCount(small, 24), 4);
    const names = Array.from({ length: 16 }, (_, i) => `app-${i}`);
    const first = names[0];
    const twin = names.slice(1).find((n) => hashedSlot(n, 4) === hashedSlot(first, 4))!;
    const result = allocateAppSlots([{ name: first }, { name: twin }], small, 24);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0].appIndex, 1);
    assert.match(result.problems[0].message, new RegExp(`^app "${twin}" and app "${first}" both get subnet slot \\d+ \\(10\\.208\\.\\d+\\.0/24\\): set subnetIndex: \\d+ on app "${twin}"$`));
    const pinned = Number(/subnetIndex: (\d+)/.exec(result.problems[0].message)![1]);
    assert.deepEqual(allocateAppSlots([{ name: first }, { name: twin, subnetIndex: pinned }], small, 24).problems, []);
  });

  it("lets an explicit pin win: the hashed app is the one asked to move", () => {
    const small = parseCidr("10.208.0.0/21")!;
    const result = allocateAppSlots([{ name: "alpha" }, { name: "beta", subnetIndex: hashedSlot("alpha", 4) }], small, 24);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0].appIndex, 0);
    assert.equal(result.problems[0].field, "name");
  });

  it("reports exhaustion when every slot is taken", () => {
    const small = parseCidr("10.208.0.0/21")!;
    const apps = ["a", "b", "c", "d", "e"].map((name, i) => ({ name, subnetIndex: i % 4 }));
    const result = allocateAppSlots(apps, small, 24);
    assert.ok(result.problems.some((p) => p.message.endsWith("no slot is free: use a larger base CIDR or a longer appPrefixLength")));
  });

  it("rejects an out-of-range subnetIndex through the schema, naming the field", () => {
    assert.throws(
      () => planFor(["alpha"], (c) => (c.apps[0].subnetIndex = 5000)),
      (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.path === "platform:apps[0].subnetIndex" && /out of range: 10\.208\.0\.0\/16 has 4032 app slots of \/28 \(0-4031\)/.test(p.message)),
    );
  });

  it("gives services distinct UIDs outside the app range, stable under additions", () => {
    const config = (names: string[]) => {
      const c = minimalConfig();
      c.services = names.map((name) => ({ ...c.services[0], name }));
      c.apps[0].services = [];
      return buildPlan(parsePlatformConfig(c).config, "test");
    };
    const small = config(["weather", "storage"]);
    const large = config(["storage", "maps", "weather", "billing"]);
    const uid = (plan: typeof small, name: string) => plan.services.find((s) => s.config.name === name)!.uid;
    assert.equal(uid(large, "weather"), uid(small, "weather"));
    assert.equal(new Set(large.services.map((s) => s.uid)).size, 4);
    for (const s of large.services) assert.ok(s.uid >= 10000 && s.uid < 20000);
  });
});
