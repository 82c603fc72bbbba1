// swarm:preflight on a 4-node test cluster (test/support/swarm-cluster.ts): nodes 1-3 started with the
// stack's daemon.json, node 4 with none. The command runs as the operator runs it (its own process,
// DOCKER_HOST at the manager): node 4 fails no-new-privileges and ulimits (exit 1, named); drained, it is
// listed as not probed and the other three pass everything (exit 0 with --skip-unavailable, 1 without),
// also with the default probe image (the stack's egress proxy image);
// an image no node has is named per node (exit 2); a worker is refused (exit 2); Ctrl-C removes the
// services (exit 130). Every run leaves no probe service behind, and the cluster leaves nothing at all.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stringify } from "yaml";
import { RUN_LABEL } from "../preflight/probe-service";
import { loadSwarmStack } from "../preflight/stack";
import type { PreflightVerdict } from "../preflight/verdict";
import { findLeftovers, imageMissing, loadImage, startSwarmCluster, swarmClusterUnavailable, type SwarmCluster } from "./support/swarm-cluster";
import { REPO_ROOT, stackConfig } from "./support/stack-config";

const IMAGE = "platform/busybox:dev";
const NAME = "pf";
const STACK = "pfcluster";

/** The dev stack as a Swarm stack, without its gVisor app (no node of the test cluster runs runsc). */
function writeSwarmStack(dir: string): void {
  const config = stackConfig("dev");
  config["platform:orchestrator"] = "swarm";
  config["platform:network"] = { ...(config["platform:network"] as object), appPrefixLength: 27 };
  config["platform:apps"] = (config["platform:apps"] as Record<string, unknown>[]).map(({ runtime: _runtime, ...app }) => app);
  writeFileSync(join(dir, `Pulumi.${STACK}.yaml`), stringify({ config }));
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The command in its own process, as `npm run swarm:preflight` runs it, against `dockerHost`; SIGINT once `interruptOn` shows on stderr. */
function preflight(cluster: SwarmCluster, dir: string, args: string[], options: { node?: number; interruptOn?: string } = {}): Promise<Run> {
  const script = `require("./cli/args").exitWith(require("./preflight/cli").main(process.argv.slice(1), undefined, ${JSON.stringify(dir)}), { immediately: true })`;
  const child = spawn(process.execPath, ["--import", "tsx", "-e", script, "--", "--stack", STACK, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DOCKER_HOST: cluster.nodes[(options.node ?? 1) - 1].dockerHost },
  });
  let stdout = "";
  let stderr = "";
  let interrupted = false;
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
    if (options.interruptOn && !interrupted && stderr.includes(options.interruptOn)) {
      interrupted = true;
      child.kill("SIGINT");
    }
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  return new Promise((resolve) => child.on("close", (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); }));
}

async function probeServicesLeft(cluster: SwarmCluster): Promise<string[]> {
  const services = await cluster.manager.docker.listServices({ filters: { label: [RUN_LABEL] } });
  return services.map((s) => s.Spec?.Name ?? s.ID);
}

const cellsOf = (verdict: PreflightVerdict, hostname: string) => verdict.nodes.find((n) => n.node.hostname === hostname)!.cells;

test("swarm:preflight on four nodes, one without the stack's daemon.json", { timeout: 280_000 }, async (t) => {
  const unavailable = swarmClusterUnavailable() ?? (await imageMissing(IMAGE));
  if (unavailable) return t.skip(unavailable);
  const dir = mkdtempSync(join(tmpdir(), "swarm-preflight-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeSwarmStack(dir);
  const stack = loadSwarmStack(STACK, dir, "test").swarm;
  const probed = stack.nodeRequirements.filter((r) => r.probe).map((r) => r.id);
  assert.deepEqual(probed, ["no-new-privileges", "seccomp", "ulimits", "cgroupns-private", "no-swap"]);

  const cluster = await startSwarmCluster({ nodes: 4, name: NAME, nodeDaemonConfig: (index) => (index === 4 ? {} : stack.daemonJson) });
  let stopped = false;
  t.after(async () => { if (!stopped) await cluster.stop(); });
  t.diagnostic(`cluster of 4 Ready in ${cluster.startupMs} ms`);
  await loadImage(cluster, IMAGE);
  const jsonFile = join(dir, "verdict.json");

  await t.test("node 4 without the daemon.json: exit 1, naming the node, no-new-privileges, ulimits and the fix", async () => {
    const started = Date.now();
    const run = await preflight(cluster, dir, ["--image", IMAGE, "--timeout", "60s", "--json", jsonFile]);
    t.diagnostic(`run: ${Date.now() - started} ms, exit ${run.code}\n${run.stderr}${run.stdout}`);
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.match(run.stdout, /^FAIL pf-n4 no-new-privileges: saw "NoNewPrivs: 0"; fix: daemon.json "no-new-privileges"/m);
    assert.match(run.stdout, /^FAIL pf-n4 ulimits: saw "Max processes \S+ \S+ processes Max open files \d+ \d+ files Max pending signals/m);
    const verdict = JSON.parse(readFileSync(jsonFile, "utf8")) as PreflightVerdict;
    assert.equal(verdict.probedNodes, 4);
    for (const node of ["pf-n1", "pf-n2", "pf-n3"]) {
      assert.deepEqual(cellsOf(verdict, node).filter((c) => probed.includes(c.requirement)).map((c) => `${c.requirement} ${c.status}`), probed.map((id) => `${id} pass`), node);
    }
    const n4 = Object.fromEntries(cellsOf(verdict, "pf-n4").map((c) => [c.requirement, c.status]));
    assert.equal(n4["no-new-privileges"], "FAIL");
    assert.equal(n4.ulimits, "FAIL");
    assert.equal(n4.seccomp, "pass", "Docker's default profile applies without any daemon.json");
    // cgroup v2 engines default to a private cgroup namespace; cgroup v1 engines to the host's
    assert.equal(n4["cgroupns-private"], existsSync("/sys/fs/cgroup/cgroup.controllers") ? "pass" : "FAIL");
    assert.deepEqual(await probeServicesLeft(cluster), [], "every probe service removed");
  });

  await t.test("node 4 drained: listed as not probed; the other three pass every probe (exit 0 with --skip-unavailable, 1 without)", async () => {
    await cluster.docker(1, ["node", "update", "--availability", "drain", "pf-n4"]);
    const skipped = await preflight(cluster, dir, ["--image", IMAGE, "--skip-unavailable", "--json", jsonFile]);
    t.diagnostic(`exit ${skipped.code}\n${skipped.stderr}${skipped.stdout}`);
    assert.equal(skipped.code, 0, skipped.stderr + skipped.stdout);
    const verdict = JSON.parse(readFileSync(jsonFile, "utf8")) as PreflightVerdict;
    assert.equal(verdict.probedNodes, 3);
    assert.equal(verdict.failures, 0);
    assert.deepEqual(cellsOf(verdict, "pf-n4").filter((c) => c.requirement === "no-new-privileges").map((c) => c.status), ["not probed"]);
    assert.match(skipped.stdout, /pf-n4 .*not probed \(availability drain, not active\)/);
    assert.match(skipped.stdout, /^result: pass: every probed requirement passed on 3 node\(s\); not probed: pf-n4$/m);

    const strict = await preflight(cluster, dir, ["--image", IMAGE]);
    assert.equal(strict.code, 1, strict.stdout);
    assert.match(strict.stdout, /^result: FAIL: not every node was probed; not probed: pf-n4$/m);
    assert.deepEqual(await probeServicesLeft(cluster), []);
  });

  await t.test("without --image: the stack's egress proxy image runs the probes", async (st) => {
    const egress = stack.workloads.find((w) => w.role === "egress")!.service.taskSpec.containerSpec.image;
    const missing = await imageMissing(egress);
    if (missing) return st.skip(missing);
    const started = Date.now();
    await loadImage(cluster, egress);
    st.diagnostic(`loadImage ${egress}: ${Date.now() - started} ms`);
    const run = await preflight(cluster, dir, ["--skip-unavailable"]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, new RegExp(`^swarm preflight: stack ${STACK}, probe image ${egress.replace(/[.]/g, "\\.")}, 4 node\\(s\\), 3 probed$`, "m"));
  });

  await t.test("an image no node has: each node named, exit 2 (no node probed)", async () => {
    // a registry on the nodes' own loopback: the pull is refused at once, nothing leaves the host
    const absent = "localhost:1/platform/absent:none";
    const run = await preflight(cluster, dir, ["--image", absent, "--timeout", "40s"]);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    for (const node of ["pf-n1", "pf-n2", "pf-n3"]) assert.match(run.stdout, new RegExp(`${node} .*not probed \\(the image ${absent} is not on this node`));
    assert.match(run.stdout, /^result: no node probed/m);
    assert.deepEqual(await probeServicesLeft(cluster), []);
  });

  await t.test("a worker is refused; Ctrl-C removes the services", async () => {
    const worker = await preflight(cluster, dir, ["--image", IMAGE], { node: 2 });
    assert.equal(worker.code, 2);
    assert.match(worker.stderr, /is a swarm worker, not a manager: point DOCKER_HOST at a manager/);

    // interrupted while its three services exist (node 4 is drained) and it waits for their tasks
    const interrupted = await preflight(cluster, dir, ["--image", IMAGE], { interruptOn: "waiting for their tasks" });
    t.diagnostic(interrupted.stderr);
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.match(interrupted.stderr, /interrupted; removed 3 probe service\(s\)/);
    assert.deepEqual(await probeServicesLeft(cluster), []);
  });

  await t.test("the cluster leaves nothing behind", async () => {
    stopped = true;
    await cluster.stop();
    assert.deepEqual(findLeftovers(NAME), []);
  });
});
