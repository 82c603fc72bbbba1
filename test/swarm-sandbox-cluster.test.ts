// The dev stack as a Swarm stack, stood up by the sandbox on the 3-node test cluster with the real
// images (Envoy, Squid, Keycloak, the demo services; the apps are the probe image, as in the sandbox's
// CI overlay), and attacked from inside by the probe suite. Placement puts the apps and Keycloak on
// the manager, the services on node 2 and the gateway's and egress proxy's two replicas on the two
// workers, so every call an app makes to a service crosses nodes. Then the worker that only runs a
// gateway and a proxy replica is cut off: the apps keep reaching their services through the remaining
// gateway replica, and the cut replica is rescheduled on the other worker.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../config/load";
import { buildPlan } from "../plan/plan";
import { PLATFORM_LABEL } from "../plan/names";
import { swarmStack } from "../render/swarm/from-plan";
import { execIn } from "../sandbox/exec";
import { isFailure, ProbeResult } from "../sandbox/probes/types";
import { runProbeCode } from "../sandbox/probes/runner";
import { newRunId } from "../sandbox/session";
import { stackInput, StackInput } from "../sandbox/stack-input";
import { SwarmSandboxSession } from "../sandbox/swarm/session";
import { runningTasks, tasksOf } from "../sandbox/swarm/tasks";
import { loadImage, startSwarmCluster, SwarmCluster, swarmClusterUnavailable } from "./support/swarm-cluster";

const NAME = "ssb";
const SUBNET_PROOF_DOMAIN = "subnet-proof.platform-probe.invalid";
const IMAGES: Record<string, number[]> = {
  // the apps run on node 1; one of them is moved to node 3 by a test
  "platform/probe:dev": [1, 3],
  "platform/keycloak:26.7.3": [1],
  "platform/demo-service:dev": [2],
  "platform/envoy:1.40.0": [2, 3],
  "platform/squid:dev": [2, 3],
};

function swarmInput(): StackInput {
  const input = stackInput({ stack: "dev" });
  const config = { ...input.config } as Record<string, any>;
  config["platform:orchestrator"] = "swarm";
  config["platform:network"] = { ...config["platform:network"], appPrefixLength: 27 };
  // the apps are the probe image; gVisor is not on the test nodes
  config["platform:apps"] = (config["platform:apps"] as Record<string, any>[]).map(({ runtime: _runtime, ...app }) => ({
    ...app,
    image: "platform/probe:dev",
    // a name only forecast-widget may ask for; .invalid never resolves (RFC 6761), so an allowed request reaches no host
    egress: app.name === "forecast-widget" ? [...app.egress, SUBNET_PROOF_DOMAIN] : app.egress,
  }));
  config["platform:swarm"] = {
    // this kernel has no gcm(aes): encrypted overlays drop every packet between nodes (test/swarm-cluster.test.ts)
    encryptOverlays: false,
    placement: {
      apps: [`node.hostname==${NAME}-n1`],
      identity: [`node.hostname==${NAME}-n1`],
      services: [`node.hostname==${NAME}-n2`],
      gateway: ["node.role==worker"],
      egress: ["node.role==worker"],
    },
  };
  return { stack: "dev", stackName: NAME, config };
}

function imageMissing(): string | undefined {
  const absent = Object.keys(IMAGES).filter((image) => spawnSync("docker", ["image", "inspect", image], { stdio: "ignore" }).status !== 0);
  return absent.length ? `images not built: ${absent.join(", ")} (npm run images)` : undefined;
}

const unavailable = swarmClusterUnavailable() ?? imageMissing();

describe("the dev stack as a Swarm stack in the sandbox, on 3 nodes", { skip: unavailable, timeout: 840_000 }, () => {
  let cluster: SwarmCluster;
  let session: SwarmSandboxSession;
  let results: ProbeResult[] = [];
  const hostnameOf = new Map<string, string>();
  const log: string[] = [];

  before(async () => {
    const input = swarmInput();
    const { config } = parsePlatformConfig(rawConfigFromFlatMap(input.config));
    cluster = await startSwarmCluster({ name: NAME, daemonConfig: swarmStack(buildPlan(config, NAME)).daemonJson });
    for (const [image, nodes] of Object.entries(IMAGES)) await loadImage(cluster, image, { nodes, timeoutMs: 180_000 });
    for (const node of await cluster.manager.docker.listNodes()) hostnameOf.set(node.ID!, node.Description?.Hostname ?? "");
    session = new SwarmSandboxSession(newRunId(), input, {
      manager: cluster.manager.docker,
      nodes: Object.fromEntries(cluster.nodes.map((n) => [n.hostname, n.docker])),
      log: (line) => log.push(line),
    });
    await session.standUp();
    const started = Date.now();
    results = await session.probe();
    const verdicts = results.reduce<Record<string, number>>((counts, r) => ({ ...counts, [r.verdict]: (counts[r.verdict] ?? 0) + 1 }), {});
    log.push(`probes: ${results.length} in ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(verdicts)}`);
    for (const r of results.filter((r) => r.verdict === "skipped")) log.push(`  skipped ${r.target} ${r.probe}: ${r.evidence}`);
  });

  after(async () => {
    // the probe summary and every skip with its reason, then the last of the session's log
    const summary = log.filter((line) => /^probes: |^  skipped /.test(line));
    if (log.length) console.log([...summary, "...", ...log.slice(-60)].join("\n"));
    try {
      for (const node of cluster?.nodes ?? []) cluster.restoreNode(node.index);
      await session?.teardown();
    } finally {
      await cluster?.stop();
    }
  });

  const nodesOf = (role: string, app?: string) => session.tasksOf(role, app).map((t) => hostnameOf.get(t.nodeId));

  it("places the apps, the services and the gateway replicas on different nodes", () => {
    assert.deepEqual(nodesOf("app", "forecast-widget"), [`${NAME}-n1`]);
    assert.deepEqual(nodesOf("app", "backup-agent"), [`${NAME}-n1`]);
    assert.deepEqual([...new Set(nodesOf("service"))], [`${NAME}-n2`]);
    assert.deepEqual(nodesOf("gateway").sort(), [`${NAME}-n2`, `${NAME}-n3`]);
  });

  it("runs the attack suite from both apps: nothing NOT STOPPED or FAILED, and the attacks really ran", () => {
    const failures = results.filter(isFailure).map((r) => `${r.target} ${r.probe}: ${r.verdict} ${r.evidence}`);
    assert.deepEqual(failures, []);
    for (const app of ["forecast-widget", "backup-agent"]) {
      const ran = results.filter((r) => r.target === app && r.verdict !== "skipped");
      assert.ok(ran.length >= 20, `${app}: only ${ran.length} probes ran: ${results.filter((r) => r.target === app && r.verdict === "skipped").map((r) => `${r.probe} (${r.evidence})`).join("; ")}`);
    }
  });

  it("puts the host marker and a host listener on every node's own host, and the apps reach neither", async () => {
    const fixtures = session.nodeFixtures!;
    assert.ok(fixtures, "node fixtures were made (the static probe is built)");
    assert.deepEqual([...fixtures.containers.keys()].sort(), cluster.nodes.map((n) => n.hostname).sort());
    for (const app of ["forecast-widget", "backup-agent"]) {
      const result = (probe: string) => results.find((r) => r.target === app && r.probe === probe);
      assert.equal(result("breakout.host-paths")?.verdict, "stopped", JSON.stringify(result("breakout.host-paths")));
      assert.equal(result("lateral.host-services")?.verdict, "stopped", JSON.stringify(result("lateral.host-services")));
      const target = session.probedApps.find((a) => a.name === app)!;
      assert.ok(target.hostAddresses!.length >= 2, `${app}: the node's address and its docker_gwbridge gateway: ${target.hostAddresses}`);
      // the controls, from the node's own host (the fixture's container, on the host network, the host's /tmp at /node-tmp):
      // the listener answers on each address the app tried, and the marker is there with its nonce
      const fixture = fixtures.containers.get(`${NAME}-n1`)!;
      const onNode = async (probe: string, args: Record<string, unknown>) => {
        const run = await execIn(fixture, ["/platform-probe", probe, JSON.stringify(args)], { timeoutMs: 30_000 });
        return JSON.parse(run.stdout.trim().split("\n").pop() || "{}") as { attack?: string; evidence?: string };
      };
      const reached = await onNode("tcp_connect", { targets: target.hostAddresses!.map((ip) => [ip, fixtures.hostListener.port]), timeout: 3 });
      assert.equal(reached.attack, "succeeded", JSON.stringify(reached));
      assert.equal(reached.evidence!.split(";").filter((part) => / connected$/.test(part.trim())).length, target.hostAddresses!.length, reached.evidence);
      const marker = await onNode("host_paths", { path: fixtures.hostMarker.path.replace(/^\/tmp\//, "/node-tmp/"), nonce: fixtures.hostMarker.nonce });
      assert.equal(marker.attack, "succeeded", JSON.stringify(marker));
    }
  });

  it("reaches a service on another node only through the gateway: the gateway's controls pass, direct connections are stopped", () => {
    for (const app of ["forecast-widget", "backup-agent"]) {
      const verdict = (probe: string) => results.find((r) => r.target === app && r.probe === probe)?.verdict;
      // each gateway attack first shows its control: the same call with the app's own certificate and token reaches the service
      for (const probe of ["gateway.no-token", "gateway.wrong-cert", "gateway.ungranted-service", "gateway.other-apps-token"]) assert.equal(verdict(probe), "stopped", `${app} ${probe}`);
      assert.equal(verdict("lateral.service-direct"), "stopped", `${app} lateral.service-direct`);
      assert.equal(verdict("lateral.identity-direct"), "stopped", `${app} lateral.identity-direct`);
      assert.equal(verdict("lateral.other-app"), "stopped", `${app} lateral.other-app`);
    }
  });

  it("tells the apps apart by source subnet at the egress proxy, across nodes, with no static address", async () => {
    const ask = async (app: string) => {
      const target = session.probedApps.find((a) => a.name === app)!;
      const proxy = target.egress as { ip: string; port: number };
      // allowed, Squid looks the name up and answers 503 when that fails (its dns_timeout is 30 s here, where no resolver answers)
      const run = await runProbeCode(target, "proxy_request", { proxy_host: proxy.ip, proxy_port: proxy.port, method: "CONNECT", target: `${SUBNET_PROOF_DOMAIN}:443`, timeout: 50 }, 70_000);
      return { status: Number(run.output?.status ?? -2), evidence: String(run.output?.evidence ?? "no report") };
    };
    // the same request through the same proxy: only the subnet of forecast-widget's tasks is in the domain's ACL
    const allowed = await ask("forecast-widget");
    const denied = await ask("backup-agent");
    assert.ok(allowed.status > 0 && allowed.status !== 403 && allowed.status !== 407, `forecast-widget: ${allowed.evidence}`);
    assert.equal(denied.status, 403, `backup-agent: ${denied.evidence}`);
    assert.notEqual(nodesOf("app", "forecast-widget")[0], nodesOf("egress")[0], "the app and the proxy replica on different nodes");
  });

  it("keeps another app on another node from reaching the app, the services and Keycloak", async () => {
    // the config places every app alike; the test moves one to node 3 (a gateway and an egress replica are there too)
    const backup = session.up!.services.find((s) => s.labels[PLATFORM_LABEL.app] === "backup-agent")!;
    await cluster.docker(1, ["service", "update", "--detach", "--constraint-rm", `node.hostname==${NAME}-n1`, "--constraint-add", `node.hostname==${NAME}-n3`, backup.name], 60_000);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && nodesOf("app", "backup-agent").join() !== `${NAME}-n3`) {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await session.reconverge();
    }
    assert.deepEqual([nodesOf("app", "forecast-widget"), nodesOf("app", "backup-agent")], [[`${NAME}-n1`], [`${NAME}-n3`]]);
    const lateral = await session.probe({ only: ["lateral.other-app", "lateral.service-direct", "lateral.identity-direct"] });
    assert.equal(lateral.length, 6);
    assert.deepEqual(lateral.filter((r) => r.verdict !== "stopped").map((r) => `${r.target} ${r.probe}: ${r.verdict} ${r.evidence}`), []);
    // the other app's address the probe tried is the moved task's own, on node 3
    const moved = session.tasksOf("app", "backup-agent")[0];
    assert.ok(lateral.find((r) => r.target === "forecast-widget" && r.probe === "lateral.other-app")!.evidence.includes(Object.values(moved.addresses)[0]));
  });

  it("keeps serving through the other gateway replica when a node is cut off, and reschedules the lost replica", async () => {
    const cut = cluster.nodes.find((n) => n.hostname === `${NAME}-n3`)!;
    cluster.cutNode(cut.index);
    // the remaining replica answers: the gateway controls of one app pass again within a bounded time
    const deadline = Date.now() + 120_000;
    let last: ProbeResult[] = [];
    let consecutive = 0;
    while (Date.now() < deadline && consecutive < 2) {
      last = await session.probe({ apps: ["forecast-widget"], only: ["gateway.no-token"] });
      consecutive = last.length === 1 && last[0].verdict === "stopped" ? consecutive + 1 : 0;
    }
    assert.equal(consecutive, 2, `after the cut: ${last.map((r) => `${r.verdict} ${r.evidence}`).join("; ")}`);
    const gateway = session.up!.services.find((s) => s.labels[PLATFORM_LABEL.role] === "gateway")!;
    const rescheduledBy = Date.now() + 120_000;
    let onNodes: (string | undefined)[] = [];
    while (Date.now() < rescheduledBy) {
      onNodes = runningTasks(await tasksOf(cluster.manager.docker, gateway.name)).map((t) => hostnameOf.get(t.nodeId));
      if (onNodes.length === 2 && onNodes.every((n) => n === `${NAME}-n2`)) break;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    assert.deepEqual(onNodes, [`${NAME}-n2`, `${NAME}-n2`], "both gateway replicas running on the remaining worker");
  });
});
