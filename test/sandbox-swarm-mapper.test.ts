// The Swarm sandbox's provider mirror without a swarm: the program's recorded docker.Service inputs
// (the dev stack as a Swarm stack under mocks) → the Engine API ServiceSpec, refusals that name the
// input, the static probe added to app services only, and the --nodes list.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import type Docker from "dockerode";
import { parsePlatformConfig } from "../config/load";
import { SwarmPlatform } from "../components/swarm/swarm-platform";
import { ProgramRun, RecordedResource, runProgram } from "../mock-runner/run-program";
import { checkReproducible } from "../sandbox/bringup";
import { SandboxInputError } from "../sandbox/provider-mirror/input-error";
import { parseNodeEngines } from "../sandbox/swarm/engines";
import { toServiceSpec } from "../sandbox/swarm/service-mapper";
import { SwarmMirror } from "../sandbox/swarm/swarm-mirror";
import { rawPlatformConfig, REPO_ROOT } from "./support/stack-config";

const SERVICE = "docker:index/service:Service";

describe("sandbox/swarm: the provider mirror's ServiceSpec", { timeout: 120_000 }, () => {
  let run: ProgramRun;
  let ids: Map<string, string>;
  before(async () => {
    const raw = rawPlatformConfig("dev");
    raw.orchestrator = "swarm";
    raw.network = { ...raw.network, appPrefixLength: 27 };
    const { config } = parsePlatformConfig(raw);
    run = await runProgram(() => (new SwarmPlatform("platform", { config, stack: "dev" }), {}), { config: {}, stack: "dev" });
    ids = new Map(run.resources.filter((r) => r.custom).map((r) => [r.id, `swarm-${r.id}`]));
  });
  const service = (name: string): RecordedResource => run.ofType(SERVICE).find((s) => s.inputs.name === name)!;

  it("maps every service the program declares, with the run's labels added", () => {
    for (const s of run.ofType(SERVICE)) {
      const spec = toServiceSpec(s.name, s.inputs, ids, { "platform.sandbox": "run-1" });
      assert.equal(spec.Name, s.inputs.name);
      assert.equal(spec.Labels["platform.sandbox"], "run-1");
      assert.equal(spec.Labels["platform.stack"], "dev");
    }
  });

  it("carries the gateway's fields as the provider sends them: ids resolved, durations in nanoseconds", () => {
    const inputs = service("plat-dev-gateway").inputs;
    const spec = toServiceSpec("gateway", inputs, ids, {});
    const c = spec.TaskTemplate.ContainerSpec;
    assert.equal(c.Image, "platform/envoy:1.40.0");
    assert.equal(c.User, "9100:9100");
    assert.equal(c.ReadOnly, true);
    assert.deepEqual(c.CapabilityDrop, ["ALL"]);
    assert.deepEqual(c.Mounts, [{ Type: "tmpfs", Target: "/tmp", TmpfsOptions: { SizeBytes: 16 * 1024 * 1024, Mode: 0o1777 } }]);
    assert.deepEqual(
      c.Secrets.map((s: any) => [s.File.Name, s.SecretID]),
      inputs.taskSpec.containerSpec.secrets.map((s: any) => [s.fileName, `swarm-${s.secretId}`]),
    );
    assert.ok(c.Configs.every((f: any) => f.ConfigID.startsWith("swarm-") && f.File.UID === "0" && f.File.GID === "9100"));
    assert.equal(c.Healthcheck.Interval, 10e9);
    assert.equal(c.Healthcheck.StartPeriod, 10e9);
    assert.deepEqual(spec.TaskTemplate.RestartPolicy, { Condition: "any", MaxAttempts: 5, Delay: 5e9, Window: 120e9 });
    assert.deepEqual(spec.TaskTemplate.Placement, { Constraints: [], Preferences: [{ Spread: { SpreadDescriptor: "node.id" } }] });
    assert.deepEqual(
      spec.TaskTemplate.Networks.map((n: any) => n.Target),
      inputs.taskSpec.networksAdvanceds.map((n: any) => `swarm-${n.id}`),
    );
    assert.ok(spec.TaskTemplate.Networks.every((n: any) => n.Aliases.includes("gateway")));
    assert.deepEqual(spec.Mode, { Replicated: { Replicas: 2 } });
    assert.equal(spec.UpdateConfig.Order, "start-first");
    assert.equal(spec.UpdateConfig.Monitor, 15e9);
    assert.equal(spec.UpdateConfig.FailureAction, "rollback");
    assert.equal(spec.RollbackConfig.FailureAction, "pause");
    assert.deepEqual(spec.EndpointSpec, { Mode: "dnsrr" });
  });

  it("refuses, naming the input, a reference to something not created, an input it cannot reproduce, and published ports", () => {
    const inputs = service("plat-dev-app-forecast-widget").inputs;
    assert.throws(() => toServiceSpec("app", inputs, new Map(), {}), (e: unknown) => e instanceof SandboxInputError && /input taskSpec\.containerSpec\.(secrets|configs)\[0\]\.(secretId|configId): refers to .* which the sandbox has not created/.test((e as Error).message));
    const withRuntime = { ...inputs, taskSpec: { ...inputs.taskSpec, runtime: "plugin" } };
    assert.throws(() => toServiceSpec("app", withRuntime, ids, {}), /app: input taskSpec\.runtime: the sandbox cannot reproduce this input faithfully/);
    const privileged = { ...inputs, taskSpec: { ...inputs.taskSpec, containerSpec: { ...inputs.taskSpec.containerSpec, privileges: { seLinuxContext: { disable: true } } } } };
    assert.throws(() => toServiceSpec("app", privileged, ids, {}), /input taskSpec\.containerSpec\.privileges: the sandbox cannot reproduce/);
    const published = { ...inputs, endpointSpec: { mode: "vip", ports: [{ targetPort: 80 }] } };
    assert.throws(() => toServiceSpec("app", published, ids, {}), /input endpointSpec\.ports: published ports are not reproduced/);
    const bind = { ...inputs, taskSpec: { ...inputs.taskSpec, containerSpec: { ...inputs.taskSpec.containerSpec, mounts: [{ type: "bind", source: "/", target: "/host" }] } } };
    assert.throws(() => toServiceSpec("app", bind, ids, {}), /input taskSpec\.containerSpec\.mounts\[0\]\.type: bind mounts are not reproduced/);
  });

  it("adds the static probe to app services only, and says so", async () => {
    const created: Record<string, any>[] = [];
    const manager = { createService: async (spec: Record<string, any>) => (created.push(spec), { id: `svc-${created.length}` }) } as unknown as Docker;
    const mirror = new SwarmMirror("run-1", manager, () => undefined, { staticProbeDir: "/srv/probe" });
    for (const r of run.ofType("docker:index/network:Network")) mirror.ids.set(r.id, `n-${r.id}`);
    for (const r of run.resources.filter((r) => /secret:Secret|serviceConfig:ServiceConfig/.test(r.type))) mirror.ids.set(r.id, `f-${r.id}`);
    const app = await mirror.createService("app", service("plat-dev-app-forecast-widget").inputs);
    const gateway = await mirror.createService("gateway", service("plat-dev-gateway").inputs);
    assert.deepEqual(app.sandboxOnly, ["/srv/probe:/opt/platform-probe:ro"]);
    assert.deepEqual(created[0].TaskTemplate.ContainerSpec.Mounts.at(-1), { Type: "bind", Source: "/srv/probe", Target: "/opt/platform-probe", ReadOnly: true });
    assert.deepEqual(gateway.sandboxOnly, []);
    assert.ok(!created[1].TaskTemplate.ContainerSpec.Mounts.some((m: any) => m.Type === "bind"));
    assert.equal(created[0].Labels["platform.sandbox"], "run-1");
  });

  it("is refused by the one-engine sandbox, naming the Swarm one, and accepted by the Swarm sandbox", () => {
    assert.throws(() => checkReproducible(run.resources, "engine"), /resource type docker:index\/(network:Network|secret:Secret|service:Service|serviceConfig:ServiceConfig) cannot be reproduced by the engine sandbox.*a Swarm stack/);
    assert.doesNotThrow(() => checkReproducible(run.resources, "swarm"));
  });
});

describe("sandbox/swarm: --nodes HOSTNAME=URL,...", () => {
  it("takes unix sockets and tcp endpoints by hostname", () => {
    const engines = parseNodeEngines("n1=unix:///tmp/n1.sock, n2=tcp://10.0.0.2:2375");
    assert.deepEqual(Object.keys(engines), ["n1", "n2"]);
    assert.equal((engines.n1 as any).modem.socketPath, "/tmp/n1.sock");
    assert.equal((engines.n2 as any).modem.host, "10.0.0.2");
  });
  it("refuses what it cannot use, naming the entry", () => {
    assert.throws(() => parseNodeEngines(""), /--nodes: no node given; list every node as HOSTNAME=URL/);
    assert.throws(() => parseNodeEngines("n1"), /--nodes: "n1" is not HOSTNAME=URL/);
    assert.throws(() => parseNodeEngines("n1=http://x"), /--nodes: node n1: "http:\/\/x" is not unix:\/\/\/path or tcp:\/\/host:port/);
    assert.throws(() => parseNodeEngines("n1=unix:///a,n1=unix:///b"), /--nodes: node n1 is given twice/);
  });
});

describe("npm run sandbox on a Swarm stack", { timeout: 120_000 }, () => {
  const sandbox = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "sandbox/cli.ts"), ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } });
  it("asks for every node's engine on a Swarm stack, and refuses --nodes on a one-engine stack, before anything is created", () => {
    const swarm = sandbox(["--stack", "swarm"]);
    assert.equal(swarm.status, 2, swarm.stderr);
    assert.match(swarm.stderr, /^sandbox: --nodes: stack swarm is a Swarm stack: give every node's engine as HOSTNAME=URL,\.\.\. \(the manager is DOCKER_HOST\)\n\nusage: /);
    const engine = sandbox(["--stack", "dev", "--nodes", "n1=unix:///tmp/none.sock"]);
    assert.equal(engine.status, 2, engine.stderr);
    assert.match(engine.stderr, /^sandbox: --nodes: stack dev is not a Swarm stack \(platform:orchestrator is engine\)/);
  });

  it("says when DOCKER_HOST is not a swarm manager, and removes nothing it did not create", () => {
    const run = sandbox(["--stack", "swarm", "--nodes", "n1=unix:///tmp/none.sock"], { DOCKER_HOST: "unix:///tmp/platform-no-such-engine.sock" });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /^sandbox failed: swarm sandbox: the engine DOCKER_HOST points at \(unix:\/\/\/tmp\/platform-no-such-engine\.sock\) cannot list the swarm's nodes, so it is not a swarm manager: /m);
    assert.match(run.stdout, /teardown: removed 0 resources of run /);
  });
});
