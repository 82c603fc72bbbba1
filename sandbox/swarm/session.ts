// One sandbox run of a Swarm stack (platform:orchestrator: swarm): the program evaluated with real key
// material, its overlay networks, secrets, configs and services created through the swarm manager as
// the provider creates them, the stack waited on until every service has converged and every gateway
// replica holds Keycloak's keys, the attack probes run from a task of each app on the node it runs
// on, and everything removed. What the probes aim at on the hosts (a marker file, a listener) is put on
// every node's own host by the node fixtures (node-fixtures.ts), not on the machine running the sandbox.
import { join } from "node:path";
import type Docker from "dockerode";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../../config/load";
import type { RecordedResource } from "../../mock-runner/run-program";
import { PLATFORM_LABEL } from "../../plan/names";
import { evaluateProgram, labelsOf } from "../bringup";
import { imagePresent } from "../docker-availability";
import { createOutsideStandIn } from "../outside";
import { runSuite } from "../probes/suite";
import type { AppTarget, Endpoint, ProbeResult } from "../probes/types";
import { ProviderMirror } from "../provider-mirror/docker-resources";
import { builtStaticProbeDir, STATIC_PROBE_EXECUTABLE } from "../provider-mirror/probe-mount";
import { PROBE_IMAGE, READY_TIMEOUT_MS } from "../session";
import type { StackInput } from "../stack-input";
import { SwarmBringUp, swarmProbeEnvironment, SwarmService } from "./environment";
import { cleanupNodeFixtureLeftovers, createNodeFixtures, NodeFixtures } from "./node-fixtures";
import { waitConverged, waitForReplicaKeys } from "./readiness";
import { cleanupSwarmLeftovers, SwarmMirror } from "./swarm-mirror";
import type { TaskView } from "./tasks";

const NETWORK = "docker:index/network:Network";
const SECRET = "docker:index/secret:Secret";
const CONFIG = "docker:index/serviceConfig:ServiceConfig";
const SERVICE = "docker:index/service:Service";

export interface SwarmSessionOptions {
  /** the manager's engine: every swarm object is created through it */
  manager: Docker;
  /** each node's own engine by hostname (as `docker node ls` shows it): tasks are inspected and probed there */
  nodes: Record<string, Docker>;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

export class SwarmSandboxSession {
  readonly mirror: SwarmMirror;
  readonly staticProbe: { dir: string } | { absent: string };
  up?: SwarmBringUp;
  probedApps: AppTarget[] = [];
  private readonly nodeIds = new Map<string, Docker>();
  private outside?: ProviderMirror;
  /** the host marker, the host listener and the static probe on every node (made from the static probe) */
  nodeFixtures?: NodeFixtures;
  private internet?: Endpoint | { absent: string };
  private tornDown = false;
  /** whether standUp got as far as the swarm: before that there is nothing to remove (and maybe no manager to ask) */
  private touchedSwarm = false;
  private readonly log: (line: string) => void;

  constructor(readonly runId: string, readonly input: StackInput, private readonly options: SwarmSessionOptions) {
    this.staticProbe = builtStaticProbeDir();
    // the app tasks' static probe bind comes from the node fixtures: build/ is on this machine, not on the nodes
    this.mirror = new SwarmMirror(runId, options.manager, (id) => this.nodeIds.get(id));
    this.log = options.log ?? (() => undefined);
  }

  /** Every node of the swarm must have its engine given: a task on a node the sandbox cannot reach could not be probed. */
  private async mapNodes(): Promise<void> {
    const nodes = await this.options.manager.listNodes().catch((error: Error) => {
      throw new Error(`swarm sandbox: the engine DOCKER_HOST points at (${process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"}) cannot list the swarm's nodes, so it is not a swarm manager: ${(error as { json?: { message?: string } }).json?.message ?? error.message}`);
    });
    const missing: string[] = [];
    for (const node of nodes) {
      const hostname = node.Description?.Hostname ?? "";
      const engine = this.options.nodes[hostname];
      if (engine) this.nodeIds.set(node.ID!, engine);
      else missing.push(hostname || node.ID!);
    }
    if (missing.length) throw new Error(`swarm sandbox: no engine given for node(s) ${missing.join(", ")}; pass every node's engine by hostname`);
  }

  async standUp(): Promise<SwarmBringUp> {
    const { config } = parsePlatformConfig(rawConfigFromFlatMap(this.input.config));
    if (config.orchestrator !== "swarm") throw new Error(`stack ${this.input.stack}: platform:orchestrator is ${config.orchestrator}; the Swarm sandbox stands up Swarm stacks only (npm run sandbox runs one-engine stacks)`);
    await this.mapNodes();
    this.touchedSwarm = true;
    const leftovers = [...(await cleanupSwarmLeftovers(this.options.manager)), ...(await cleanupNodeFixtureLeftovers(this.options.nodes))];
    if (leftovers.length) this.log(`removed ${leftovers.length} leftovers of earlier runs`);
    if ("dir" in this.staticProbe) {
      // before any service: the app tasks bind the probe's directory the fixtures place on every node
      this.nodeFixtures = await createNodeFixtures(this.runId, this.options.nodes, join(this.staticProbe.dir, STATIC_PROBE_EXECUTABLE), { log: (line) => this.log(`  ${line}`) });
      this.mirror.options.staticProbeDir = this.nodeFixtures.probeDir;
    }
    const resources = await evaluateProgram(this.input, "swarm");
    this.log(`program: ${resources.length} resources`);
    const up: SwarmBringUp = { resources, services: [], tasks: new Map() };
    this.up = up;
    const of = (type: string) => resources.filter((r) => r.type === type);
    for (const r of of(NETWORK)) {
      await this.mirror.createNetwork(r.name, r.id, r.inputs);
      this.log(`  network   ${r.inputs.name}`);
    }
    for (const r of of(SECRET)) await this.mirror.createFile("secret", r.name, r.id, r.inputs);
    for (const r of of(CONFIG)) await this.mirror.createFile("config", r.name, r.id, r.inputs);
    this.log(`  ${of(SECRET).length} secrets, ${of(CONFIG).length} configs`);
    for (const r of of(SERVICE)) up.services.push(await this.createService(r));
    const converged = await this.reconverge();
    const gateway = up.services.find((s) => s.labels[PLATFORM_LABEL.role] === "gateway");
    const identity = up.services.some((s) => s.labels[PLATFORM_LABEL.role] === "identity");
    if (gateway && identity) await waitForReplicaKeys(this.mirror, converged.get(gateway.name) ?? [], config.gateway.adminPort, { log: (line) => this.log(`  ${line}`) });
    return up;
  }

  /**
   * Waits until every service has its replicas healthy again and takes their tasks as the probes'
   * targets: after standing up, and after a test moved or lost tasks (a node cut off, a constraint changed).
   */
  async reconverge(): Promise<Map<string, TaskView[]>> {
    const up = this.up;
    if (!up) throw new Error("reconverge: stand the stack up first");
    up.tasks = await waitConverged(
      this.mirror,
      up.services.map((s) => ({ name: s.name, replicas: Number(s.inputs.mode?.replicated?.replicas ?? 1) })),
      { timeoutMs: this.options.readyTimeoutMs ?? READY_TIMEOUT_MS, log: (line) => this.log(`  ${line}`) },
    );
    return up.tasks;
  }

  private async createService(r: RecordedResource): Promise<SwarmService> {
    const created = await this.mirror.createService(r.name, r.inputs);
    this.log(`  service   ${created.name}${created.sandboxOnly.length ? ` (sandbox only, not in production: ${created.sandboxOnly.join(", ")})` : ""}`);
    return { resource: r.name, name: created.name, id: created.id, labels: labelsOf(r.inputs), inputs: r.inputs, sandboxOnly: created.sandboxOnly };
  }

  /** The healthy running tasks of a service of the stack, by its platform role (and app name). */
  tasksOf(role: string, app?: string) {
    const service = this.up?.services.find((s) => s.labels[PLATFORM_LABEL.role] === role && (app === undefined || s.labels[PLATFORM_LABEL.app] === app));
    return service ? (this.up!.tasks.get(service.name) ?? []) : [];
  }

  async probe(options: { apps?: string[]; only?: string[]; onResult?: (result: ProbeResult) => void } = {}): Promise<ProbeResult[]> {
    const up = this.up;
    if (!up) throw new Error("probe: stand the stack up first");
    // made once per session: probe() may run again (after a node is cut, say) against the same stand-ins
    this.internet ??= await this.createInternet();
    const internet = this.internet;
    const noFixtures = { absent: `no node fixtures: ${"absent" in this.staticProbe ? this.staticProbe.absent : "not made"} (the host marker and listener on every node are made from the static probe)` };
    const hostMarker = this.nodeFixtures?.hostMarker ?? noFixtures;
    const hostListener = this.nodeFixtures?.hostListener ?? noFixtures;
    const env = await swarmProbeEnvironment(this.mirror, up, this.input.config, { hostMarker, hostListener, internet });
    const targets = options.apps ? env.apps.filter((a) => options.apps!.includes(a.name)) : env.apps;
    this.probedApps = targets;
    this.log(`probing ${targets.length} app(s): ${targets.map((a) => a.name).join(", ")}`);
    return runSuite(env, targets, { only: options.only, onResult: options.onResult });
  }

  /** the stand-in for the internet: on the manager's engine, on a network of its own no task is on */
  private async createInternet(): Promise<Endpoint | { absent: string }> {
    // a label of its own: the swarm's networks carry the run's label on the same engine
    this.outside = new ProviderMirror(`${this.runId}-outside`, this.options.manager);
    if (!(await imagePresent(this.options.manager, PROBE_IMAGE))) return { absent: `not started: image ${PROBE_IMAGE} not present on the manager (the outside stand-in)` };
    return (await createOutsideStandIn(this.outside, `sbx-${this.runId}`, PROBE_IMAGE)).endpoint;
  }

  async teardown(keep = false): Promise<string[]> {
    if (this.tornDown) return [];
    this.tornDown = true;
    if (keep) return [];
    // the stand-in's container holds its network, which carries the run's label too: it goes first
    const removed = this.outside ? await this.outside.teardown() : [];
    try {
      if (this.touchedSwarm) removed.push(...(await this.mirror.teardown()));
    } finally {
      // after the services (their app tasks bind the probe directory the fixtures placed), and in every case
      if (this.nodeFixtures) removed.push(...(await this.nodeFixtures.close()));
    }
    return removed;
  }
}
