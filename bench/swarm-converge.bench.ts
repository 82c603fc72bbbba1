// Issue 16: time for a Swarm stack to converge on the 3-node test cluster (test/support/swarm-cluster.ts),
// stood up by the Swarm sandbox exactly as the provider creates it: 2 apps and then 20 apps, one after
// the other on the same cluster, so the ratio compares like with like. Converged: every service has its
// replicas running and healthy on their nodes, and every gateway replica holds Keycloak's keys.
// Keycloak is pinned to the manager (its image is loaded there only); everything else is placed by the
// scheduler. Figures are from one run; Keycloak's start (about 45 s on 2 cores) is in both.
import { parsePlatformConfig, rawConfigFromFlatMap } from "../config/load";
import { buildPlan } from "../plan/plan";
import { swarmStack } from "../render/swarm/from-plan";
import { newRunId } from "../sandbox/session";
import { stackInput, StackInput } from "../sandbox/stack-input";
import { SwarmSandboxSession } from "../sandbox/swarm/session";
import { loadImage, startSwarmCluster, SwarmCluster, swarmClusterUnavailable } from "../test/support/swarm-cluster";

const NAME = "sbench";
const APP_IMAGE = "platform/demo-app:dev";
const IMAGES: Record<string, number[]> = {
  [APP_IMAGE]: [1, 2, 3],
  "platform/demo-service:dev": [1, 2, 3],
  "platform/envoy:1.40.0": [1, 2, 3],
  "platform/squid:dev": [1, 2, 3],
  "platform/keycloak:26.7.3": [1],
};

function stackWith(apps: number): StackInput {
  const base = stackInput({ stack: "dev" }).config as Record<string, any>;
  const template = (base["platform:apps"] as Record<string, any>[])[0];
  const config: Record<string, any> = {
    ...base,
    "platform:orchestrator": "swarm",
    "platform:network": { ...base["platform:network"], appPrefixLength: 27 },
    "platform:apps": Array.from({ length: apps }, (_, i) => ({ ...template, name: `app-${String(i + 1).padStart(2, "0")}`, image: APP_IMAGE })),
    // this kernel has no gcm(aes) (docs/swarm.md)
    "platform:swarm": { encryptOverlays: false, placement: { identity: [`node.hostname==${NAME}-n1`] } },
  };
  return { stack: "dev", stackName: `${NAME}${apps}`, config };
}

interface Sample { apps: number; services: number; tasks: number; evaluateS: number; createS: number; convergeS: number; keysS: number }

async function converge(cluster: SwarmCluster, apps: number): Promise<Sample> {
  const marks: Record<string, number> = {};
  const started = Date.now();
  const session = new SwarmSandboxSession(newRunId(), stackWith(apps), {
    manager: cluster.manager.docker,
    nodes: Object.fromEntries(cluster.nodes.map((n) => [n.hostname, n.docker])),
    log: (line) => {
      const at = (Date.now() - started) / 1000;
      if (line.startsWith("program:")) marks.evaluated = at;
      if (/^\s+service\s/.test(line)) marks.created = at;
      if (/converged /.test(line)) marks.converged = at;
      if (/every chain .* signing keys/.test(line)) marks.keys = at;
    },
  });
  try {
    const up = await session.standUp();
    const ready = (Date.now() - started) / 1000;
    return {
      apps,
      services: up.services.length,
      tasks: [...up.tasks.values()].reduce((n, t) => n + t.length, 0),
      evaluateS: marks.evaluated,
      createS: marks.created - marks.evaluated,
      convergeS: marks.converged - marks.created,
      keysS: ready - marks.converged,
    };
  } finally {
    await session.teardown();
  }
}

async function main(): Promise<void> {
  const unavailable = swarmClusterUnavailable();
  if (unavailable) {
    console.log(`swarm-converge: not measured: ${unavailable}`);
    process.exitCode = 1;
    return;
  }
  const cluster = await startSwarmCluster({ name: NAME, daemonConfig: swarmStack(buildPlan(parsePlatformConfig(rawConfigFromFlatMap(stackWith(20).config)).config, NAME)).daemonJson });
  try {
    const loadStarted = Date.now();
    for (const [image, nodes] of Object.entries(IMAGES)) await loadImage(cluster, image, { nodes, timeoutMs: 180_000 });
    console.log(`3-node test cluster up in ${(cluster.startupMs / 1000).toFixed(1)} s, images loaded in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s`);
    const samples = [await converge(cluster, 2), await converge(cluster, 20)];
    console.log("Swarm stack stood up by the sandbox on 3 nodes (seconds; each phase after the previous one)");
    console.log(" apps  services  tasks  evaluate  create  converge  gateway keys   total");
    for (const s of samples) {
      const total = s.evaluateS + s.createS + s.convergeS + s.keysS;
      console.log([String(s.apps).padStart(5), String(s.services).padStart(9), String(s.tasks).padStart(6), s.evaluateS.toFixed(1).padStart(9), s.createS.toFixed(1).padStart(7), s.convergeS.toFixed(1).padStart(9), s.keysS.toFixed(1).padStart(13), total.toFixed(1).padStart(7)].join(" "));
    }
    const [small, large] = samples;
    console.log(`20 apps vs 2 apps: converge ${(large.convergeS / small.convergeS).toFixed(2)}x, create ${(large.createS / small.createS).toFixed(2)}x ('converge': from the last service created to every task healthy; Keycloak's start is in both)`);
  } finally {
    await cluster.stop();
  }
}

main().catch((error) => {
  console.error(`swarm-converge failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
});
