// platform:orchestrator and platform:swarm: defaults, and every setting one wiring cannot honour
// refused with the key that holds it and the fix.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../config/load";
import { overlayAddressNeed, swarmSettings, usableAddresses } from "../config/swarm";
import { configProblems } from "./support/config-render";
import { minimalConfig } from "./support/stack-config";

const problems = (mutate: (config: Record<string, any>) => void): string[] => configProblems(mutate).map((p) => `${p.path}: ${p.message}`);
/** a Swarm stack whose app networks hold the default replicas (/27) */
const swarm = (c: Record<string, any>) => {
  c.orchestrator = "swarm";
  c.network = { appPrefixLength: 27 };
};

describe("platform:orchestrator", () => {
  it("is engine by default, with no Swarm settings and one container per app", () => {
    const { config } = parsePlatformConfig(minimalConfig());
    assert.equal(config.orchestrator, "engine");
    assert.equal(config.swarm, undefined);
    assert.equal(config.apps[0].replicas, undefined);
  });

  it("reads swarm from a stack file's plain string", () => {
    const raw = rawConfigFromFlatMap({ "platform:orchestrator": "swarm" });
    assert.deepEqual(raw, { orchestrator: "swarm" });
  });

  it("refuses an orchestrator it does not know, naming both", () => {
    assert.deepEqual(problems((c) => (c.orchestrator = "kubernetes")), [
      'platform:orchestrator: expected "engine" (containers on one Docker host) or "swarm" (services on a Docker Swarm cluster)',
    ]);
  });

  it("fills the Swarm defaults: two replicas of each proxy, start-first updates that roll back, encrypted overlays", () => {
    const { config } = parsePlatformConfig(Object.assign(minimalConfig(), { orchestrator: "swarm", network: { appPrefixLength: 27 } }));
    assert.deepEqual(swarmSettings(config), {
      encryptOverlays: true,
      gatewayReplicas: 2,
      egressReplicas: 2,
      update: { order: "start-first", failureAction: "rollback", parallelism: 1, delaySeconds: 5, monitorSeconds: 15 },
      placement: { gateway: [], egress: [], identity: [], services: [], apps: [] },
      appPlacement: {},
    });
  });
});

describe("settings a wiring cannot honour", () => {
  it("refuses platform:swarm on an engine stack", () => {
    assert.deepEqual(problems((c) => (c.swarm = { gatewayReplicas: 3 })), ["platform:swarm: applies only to a Swarm stack: set platform:orchestrator: swarm, or remove platform:swarm"]);
  });

  it("refuses more than one replica of an app on an engine stack, and accepts one", () => {
    assert.deepEqual(problems((c) => (c.apps[0].replicas = 1)), []);
    const [problem] = problems((c) => (c.apps[0].replicas = 3));
    assert.match(problem, /^platform:apps\[0\]\.replicas: 3 replicas need platform:orchestrator: swarm .*remove replicas \(or set it to 1\), or deploy on a Swarm stack$/);
  });

  it("accepts app replicas on a Swarm stack", () => {
    assert.deepEqual(problems((c) => (swarm(c), (c.apps[0].replicas = 3))), []);
  });

  it("refuses the in-stack monitor on a Swarm stack", () => {
    const [problem, ...rest] = problems((c) => (swarm(c), (c.monitor = { enabled: true, image: c.gateway.image, docker: { socketGroupId: 999 } })));
    assert.deepEqual(rest, []);
    assert.match(problem, /^platform:monitor\.enabled: .*set monitor\.enabled: false .*or use platform:orchestrator: engine$/);
  });

  it("refuses a PostgreSQL identity database that is not pinned to a node, and accepts a pin", () => {
    const postgres = (c: Record<string, any>) => (c.identity.database = { kind: "postgres", image: c.identity.image });
    const [problem] = problems((c) => (swarm(c), postgres(c)));
    assert.match(problem, /^platform:swarm\.placement\.identity: the PostgreSQL database keeps its data in a volume local to one node: pin/);
    assert.match(problems((c) => (swarm(c), postgres(c), (c.swarm = { placement: { identity: ["node.role!=manager"] } })))[0], /^platform:swarm\.placement\.identity:/);
    assert.deepEqual(problems((c) => (swarm(c), postgres(c), (c.swarm = { placement: { identity: ["node.hostname==db-1"] } }))), []);
    assert.deepEqual(problems((c) => (swarm(c), postgres(c), (c.swarm = { placement: { identity: ["node.labels.platform.identity==true"] } }))), []);
  });
});

describe("platform:swarm values", () => {
  it("refuses placement constraints the scheduler would never match, naming the entry", () => {
    for (const bad of ["node.role=worker", "role==worker", "node.labels.==a", "node.hostname==", "node.hostname==a b", "engine.labels.x~=1"]) {
      const [problem, ...rest] = problems((c) => (swarm(c), (c.swarm = { placement: { gateway: ["node.role==worker", bad] } })));
      assert.deepEqual(rest, [], bad);
      assert.match(problem, /^platform:swarm\.placement\.gateway\[1\]: expected <attribute>==<value> or <attribute>!=<value>/, bad);
    }
    for (const good of ["node.role==manager", "node.id!=abc123", "node.platform.os==linux", "node.labels.zone==eu-1", "engine.labels.storage==ssd", "node.hostname == swt-n2"]) {
      assert.deepEqual(problems((c) => (swarm(c), (c.swarm = { placement: { apps: [good] } }))), [], good);
    }
  });

  it("takes an app's own placement by its name, refusing a name platform:apps lacks and a bad constraint by their keys", () => {
    assert.deepEqual(problems((c) => (swarm(c), (c.swarm = { appPlacement: { alpha: ["node.labels.quarantine==true"] } }))), []);
    assert.deepEqual(problems((c) => (swarm(c), (c.swarm = { appPlacement: { alhpa: ["node.labels.quarantine==true"] } }))), [
      'platform:swarm.appPlacement.alhpa: no app named "alhpa" in platform:apps (apps: alpha): correct the name, or remove the entry',
    ]);
    const [bad, ...rest] = problems((c) => (swarm(c), (c.swarm = { appPlacement: { alpha: ["node.labels.quarantine=true"] } })));
    assert.deepEqual(rest, []);
    assert.match(bad, /^platform:swarm\.appPlacement\.alpha\[0\]: expected <attribute>==<value> or <attribute>!=<value>/);
    assert.match(problems((c) => (swarm(c), (c.swarm = { appPlacement: ["node.role==worker"] })))[0], /^platform:swarm\.appPlacement: expected app names mapped to lists of placement constraints/);
  });

  it("refuses an update that would keep rolling out failing tasks, and replicas out of bounds", () => {
    assert.deepEqual(problems((c) => (swarm(c), (c.swarm = { update: { failureAction: "continue" } }))), ['platform:swarm.update.failureAction: expected "rollback" or "pause"']);
    assert.deepEqual(problems((c) => (swarm(c), (c.swarm = { gatewayReplicas: 0 }))), ["platform:swarm.gatewayReplicas: gatewayReplicas must be an integer at least 1 and at most 32, got 0"]);
    assert.deepEqual(problems((c) => (swarm(c), (c.apps[0].replicas = 65))), ["platform:apps[0].replicas: replicas must be an integer at least 1 and at most 64, got 65"]);
    assert.deepEqual(problems((c) => (swarm(c), (c.swarm = { replicas: 2 }))), ['platform:swarm.replicas: unknown key "replicas": remove it or check its spelling']);
  });

  it("warns when overlay encryption is switched off", () => {
    const { warnings } = parsePlatformConfig(Object.assign(minimalConfig(), { orchestrator: "swarm", network: { appPrefixLength: 27 }, swarm: { encryptOverlays: false } }));
    assert.deepEqual(warnings, ["platform:swarm.encryptOverlays: overlay traffic between nodes is not encrypted (explicit opt-out); encrypt it before production"]);
  });
});

describe("addresses on a Swarm app network", () => {
  it("counts every task, the start-first surge and a load-balancer address per node", () => {
    const update = { order: "start-first" as const, failureAction: "rollback" as const, parallelism: 1, delaySeconds: 5, monitorSeconds: 15 };
    assert.equal(overlayAddressNeed([1, 2, 2], update), 16);
    assert.equal(overlayAddressNeed([1, 2, 2], { ...update, order: "stop-first" }), 10);
    assert.equal(overlayAddressNeed([3], { ...update, parallelism: 2 }), 10);
    assert.equal(usableAddresses(28), 13);
    assert.equal(usableAddresses(24), 253);
  });

  it("refuses the default /28 app networks with the default replicas, naming the prefix that fits", () => {
    const [problem, ...rest] = problems((c) => (c.orchestrator = "swarm"));
    assert.deepEqual(rest, []);
    assert.match(problem, /^platform:network\.appPrefixLength: a \/28 app network has 13 addresses, .*: alpha \(16\) need up to 16\. Set network\.appPrefixLength to 27 or less, or lower/);
  });

  it("accepts a /28 when the replicas fit, and refuses when an app's own replicas do not", () => {
    assert.deepEqual(problems((c) => ((c.orchestrator = "swarm"), (c.swarm = { gatewayReplicas: 1, egressReplicas: 1 }))), []);
    assert.match(problems((c) => (swarm(c), (c.apps[0].replicas = 10)))[0], /^platform:network\.appPrefixLength: a \/27 app network has 29 addresses, .*alpha \(34\) need up to 34\. Set network\.appPrefixLength to 26 or less/);
    assert.match(problems((c) => (swarm(c), (c.network.appPrefixLength = 24), (c.apps[0].replicas = 64), (c.swarm = { gatewayReplicas: 32, egressReplicas: 32, update: { parallelism: 32 } })))[0], /alpha \(448\) need up to 448\. Lower swarm\.gatewayReplicas, swarm\.egressReplicas, swarm\.update\.parallelism or the apps' replicas$/);
  });

  it("checks the services network too", () => {
    const many = (c: Record<string, any>) => {
      swarm(c);
      c.services = Array.from({ length: 130 }, (_, i) => ({ name: `svc${i}`, image: c.services[0].image, port: 8080 }));
      c.apps[0].services = [];
    };
    assert.match(problems(many)[0], /^platform:services: in Swarm mode the services network \(a \/24, 253 addresses\) would need up to 526 addresses for 130 services and 2 gateway replicas/);
  });
});
