// The Swarm renderer's output on the 3-node test cluster (test/support/swarm-cluster.ts), created through
// the Engine API as @pulumi/docker would: nodes configured with the rendered daemon.json pass every node
// requirement probe; secrets and configs land at the engine wiring's paths, owners and modes under a
// read-only root; the tmpfs is noexec,nosuid,nodev; the hardening holds; the app reaches the gateway's
// replicas on other nodes by alias from an address in its own subnet; every node with a task on an app
// network holds a load-balancer address there (the address budget's last term); a task of the rendered
// restart policy is rescheduled when its node is cut off. Workload images are stood in for by
// busybox (the hardening, files and networks are the rendered ones).
import assert from "node:assert/strict";
import { test } from "node:test";
import Docker from "dockerode";
import { containsCidr, parseCidr } from "../config/cidr";
import { parsePlatformConfig } from "../config/load";
import { buildPlan } from "../plan/plan";
import { swarmObjectName } from "../render/swarm/files";
import { swarmStack, SwarmWorkload } from "../render/swarm/from-plan";
import { CreatedFile, engineNetworkSpec, engineServiceSpec } from "./support/swarm-engine-spec";
import { imageMissing, loadImage, runningOn, startSwarmCluster, swarmClusterUnavailable, waitFor, type SwarmCluster } from "./support/swarm-cluster";
import { rawPlatformConfig } from "./support/stack-config";

const IMAGE = "platform/busybox:dev";
const NAME = "swr";
const GATEWAY_PORT = 8443;

const nodeIndex = (cluster: SwarmCluster, hostname: string) => cluster.nodes.find((n) => n.hostname === hostname)!.index;

async function containerOf(cluster: SwarmCluster, node: number, service: string): Promise<string> {
  const id = (await cluster.docker(node, ["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${service}`])).trim().split("\n")[0];
  assert.ok(id, `no ${service} container on node ${node}`);
  return id;
}

/** Runs a shell command in the container; its output, or the error text with ok false. */
async function sh(cluster: SwarmCluster, node: number, container: string, command: string): Promise<{ ok: boolean; out: string }> {
  try {
    return { ok: true, out: await cluster.docker(node, ["exec", container, "sh", "-c", command], 20_000) };
  } catch (error) {
    return { ok: false, out: (error as Error).message };
  }
}

/** Stand-in contents: distinct per workload and file, so a mount of the wrong object shows. */
const contentOf = (w: SwarmWorkload, purpose: string) => `${w.key}:${purpose}:stand-in\n`;

async function createFiles(docker: Docker, w: SwarmWorkload): Promise<CreatedFile[]> {
  const created: CreatedFile[] = [];
  for (const ref of w.files) {
    const content = contentOf(w, ref.purpose);
    const name = swarmObjectName(w.service.name, ref, content);
    const body = { Name: name, Data: Buffer.from(content).toString("base64"), Labels: { "platform.test": "swarm-render" } };
    const made = (ref.kind === "secret" ? await docker.createSecret(body) : await docker.createConfig(body)) as unknown as { id: string };
    created.push({ ref, id: made.id, name });
  }
  return created;
}

test("the rendered Swarm stack on three nodes: node requirements, files, hardening, aliases, addresses, rescheduling", { timeout: 300_000 }, async (t) => {
  const unavailable = swarmClusterUnavailable() ?? (await imageMissing(IMAGE));
  if (unavailable) return t.skip(unavailable);

  const raw = rawPlatformConfig("dev");
  raw.orchestrator = "swarm";
  raw.network = { ...raw.network, appPrefixLength: 27 };
  // cross-node traffic needs an unencrypted overlay on this kernel (no gcm(aes)): test/swarm-cluster.test.ts pins the encrypted outcome
  raw.swarm = { encryptOverlays: false, placement: { apps: ["node.role==worker"] } };
  const plan = buildPlan(parsePlatformConfig(raw).config, "dev");
  const stack = swarmStack(plan);
  const app = stack.workloads.find((w) => w.key === "forecast-widget")!;
  const gateway = stack.workloads.find((w) => w.role === "gateway")!;
  const appPlan = plan.apps.find((a) => a.config.name === app.key)!;

  const cluster = await startSwarmCluster({ nodes: 3, name: NAME, daemonConfig: stack.daemonJson });
  t.after(() => cluster.stop());
  await loadImage(cluster, IMAGE);
  const docker = cluster.manager.docker;

  const networkIds: Record<string, string> = {};
  for (const network of stack.networks) networkIds[network.name] = ((await docker.createNetwork(engineNetworkSpec(network) as any)) as any).id;

  // the app as rendered, with an idle command; the gateway as rendered, with a web server that names its node
  const appService = { ...app.service, taskSpec: { ...app.service.taskSpec, containerSpec: { ...app.service.taskSpec.containerSpec, image: IMAGE, args: ["sh", "-c", "exec sleep 3600"] } } };
  const web = `mkdir -p /tmp/w && echo "$NODE" > /tmp/w/index.html && exec httpd -f -p ${GATEWAY_PORT} -h /tmp/w`;
  const gatewaySpec = gateway.service.taskSpec.containerSpec;
  const gatewayService = {
    ...gateway.service,
    taskSpec: {
      ...gateway.service.taskSpec,
      containerSpec: {
        ...gatewaySpec,
        image: IMAGE,
        args: ["sh", "-c", web],
        env: { ...gatewaySpec.env, NODE: "{{.Node.Hostname}}" },
        healthcheck: { ...gatewaySpec.healthcheck, tests: ["CMD-SHELL", `timeout 3 wget -q -O /dev/null http://127.0.0.1:${GATEWAY_PORT}/`] },
      },
    },
  };
  for (const [w, service] of [[app, appService], [gateway, gatewayService]] as const) {
    await docker.createService(engineServiceSpec(service, networkIds, await createFiles(docker, w)) as any);
  }
  const appNodes = await waitFor("1 app task running", 90_000, () => runningOn(cluster, app.service.name, 1));
  const gatewayNodes = await waitFor("2 gateway tasks running", 90_000, () => runningOn(cluster, gateway.service.name, 2));
  t.diagnostic(`app on ${appNodes.join(", ")}, gateway on ${gatewayNodes.join(", ")}`);
  assert.notEqual(appNodes[0], `${NAME}-n1`, "placement: apps only on workers");
  assert.equal(new Set(gatewayNodes).size, 2, "spread: the gateway's replicas on two nodes");
  const node = nodeIndex(cluster, appNodes[0]);
  const container = await containerOf(cluster, node, app.service.name);
  const run = (command: string) => sh(cluster, node, container, command);

  await t.test("every node requirement probe passes on nodes with the rendered daemon.json", async () => {
    for (const requirement of stack.nodeRequirements.filter((r) => r.probe && r.id !== "runsc")) {
      const { ok, out } = await run(requirement.probe!.command.map((a) => `'${a}'`).join(" "));
      assert.ok(ok, `${requirement.id}: ${out}`);
      assert.match(out, new RegExp(requirement.probe!.expect), `${requirement.id}`);
    }
  });

  await t.test("secrets and configs are at the engine wiring's paths, root-owned, group and mode as its uploads, under a read-only root", async () => {
    assert.equal((await run("id -u; id -g")).out.trim(), `${appPlan.uid}\n${appPlan.uid}`);
    for (const ref of app.files) {
      const stat = await run(`stat -c '%u %g %a' ${ref.fileName}`);
      assert.equal(stat.out.trim(), `0 ${appPlan.uid} ${ref.fileMode.toString(8)}`, ref.fileName);
      assert.equal((await run(`cat ${ref.fileName}`)).out, contentOf(app, ref.purpose), ref.fileName);
    }
    assert.equal((await run(`echo x > ${app.files[0].fileName}`)).ok, false, "files are read-only");
    assert.equal((await run("touch /etc/platform/tls/new")).ok, false, "no new file beside them");
    assert.equal((await run("touch /new")).ok, false, "read-only root");
  });

  await t.test("the tmpfs is writable, sized, and noexec,nosuid,nodev without any option saying so", async () => {
    const line = (await run("grep ' /tmp ' /proc/mounts")).out;
    for (const flag of ["rw", "nosuid", "nodev", "noexec", "size=16384k"]) assert.match(line, new RegExp(`[ ,]${flag}[ ,]`), `${flag} in ${line}`);
    // 1777 is tmpfs's own default, so /proc/mounts does not list it
    assert.equal((await run("stat -c %a /tmp")).out.trim(), "1777");
    assert.ok((await run("cp /bin/busybox /tmp/bb && chmod 755 /tmp/bb")).ok);
    assert.equal((await run("/tmp/bb true")).ok, false, "nothing executes from /tmp");
  });

  await t.test("no capabilities, and the memory limit", async () => {
    assert.match((await run("grep CapEff /proc/self/status")).out, /CapEff:\s+0000000000000000/);
    const limit = (await run("cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max")).out.trim();
    assert.equal(limit, String(app.service.taskSpec.resources.limits.memoryBytes));
  });

  await t.test("the app reaches the gateway's replicas by alias, from an address in its own subnet", async () => {
    const subnet = parseCidr(appPlan.network.subnet)!;
    const own = (await cluster.docker(node, ["inspect", "-f", `{{(index .NetworkSettings.Networks "${appPlan.network.dockerName}").IPAddress}}`, container])).trim();
    assert.ok(containsCidr(subnet, parseCidr(`${own}/32`)!), `${own} in ${appPlan.network.subnet}`);
    const answers = new Set<string>();
    for (let i = 0; i < 12 && answers.size < 2; i += 1) {
      // -Y off: busybox wget follows the app's HTTP_PROXY (the egress proxy, not started here) and ignores NO_PROXY
      const reply = await run(`timeout 5 wget -Y off -q -O - http://gateway:${GATEWAY_PORT}/`);
      if (reply.ok) answers.add(reply.out.trim());
    }
    assert.ok(answers.size >= 1, "the gateway answered by its alias");
    for (const answer of answers) assert.ok(gatewayNodes.includes(answer), `${answer} runs a gateway task`);
    const resolved = (await run("nslookup gateway 2>/dev/null | grep -A9 '^Name' | grep -o '[0-9]*\\.[0-9]*\\.[0-9]*\\.[0-9]*' || true")).out.trim().split("\n").filter(Boolean);
    for (const address of resolved) assert.ok(containsCidr(subnet, parseCidr(`${address}/32`)!), `gateway resolves to ${address}, in the app's subnet`);
    t.diagnostic(`gateway answered from ${[...answers].join(", ")}; resolves to ${resolved.join(", ")}`);
  });

  await t.test("a node with a task on the app network holds a load-balancer address on it", async () => {
    const inspect = JSON.parse(await cluster.docker(node, ["network", "inspect", appPlan.network.dockerName]))[0];
    const lb = Object.entries(inspect.Containers ?? {}).filter(([id]) => id.startsWith("lb-"));
    assert.equal(lb.length, 1, JSON.stringify(inspect.Containers));
    const address = String((lb[0][1] as any).IPv4Address).split("/")[0];
    assert.ok(containsCidr(parseCidr(appPlan.network.subnet)!, parseCidr(`${address}/32`)!), `${address} in the app's subnet`);
  });

  await t.test("with the rendered restart policy, the app's task moves when its node is cut off", async () => {
    const other = appNodes[0] === `${NAME}-n2` ? `${NAME}-n3` : `${NAME}-n2`;
    cluster.cutNode(node);
    try {
      const moved = await waitFor(`the app running on ${other}`, 90_000, async () => {
        const nodes = await runningOn(cluster, app.service.name, 1);
        return nodes?.[0] === other ? nodes : undefined;
      });
      assert.deepEqual(moved, [other]);
    } finally {
      cluster.restoreNode(node);
    }
  });
});
