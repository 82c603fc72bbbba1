// One sandbox run as a session: the stack evaluated and stood up in the local engine and made ready,
// optionally with one app held back and started later (the admission watches an app from its first
// moment, on a stack that is already up), the attack probes run, and everything torn down. The sandbox
// command and the admission command both drive it.
import { randomBytes } from "node:crypto";
import type { RecordedResource } from "../mock-runner/run-program";
import { PLATFORM_LABEL } from "../plan/names";
import { bringUp, BringUp, evaluateProgram, labelsOf, endpointDiscrepancies } from "./bringup";
import { imagePresent } from "./docker-availability";
import { gatewayInfo, probeEnvironment } from "./environment";
import { createHostFixtures, HostFixtures } from "./fixtures";
import { createOutsideStandIn } from "./outside";
import { runSuite } from "./probes/suite";
import type { AppTarget, ProbeResult } from "./probes/types";
import { cleanupLeftovers, ProviderMirror } from "./provider-mirror/docker-resources";
import { builtStaticProbeDir } from "./provider-mirror/probe-mount";
import { waitUntilReady } from "./readiness";
import type { StackInput } from "./stack-input";

/** The image of the outside stand-in (a listener the probes try to reach past the egress proxy). */
export const PROBE_IMAGE = "platform/probe:dev";
/** how long the stack may take to be healthy (Keycloak alone needs 55–90 s on 2 cores) */
export const READY_TIMEOUT_MS = 300_000;

export function newRunId(now = new Date()): string {
  return `${now.toISOString().slice(0, 19).replace(/[-:T]/g, "")}-${randomBytes(3).toString("hex")}`;
}

export interface SessionOptions {
  log?: (line: string) => void;
  /** an app whose container is created only by startHeldApp(), once the rest of the stack is ready */
  holdBackApp?: string;
}

const isContainer = (r: RecordedResource) => r.type === "docker:index/container:Container";

/** The running container of an app (not its upload seed, which is created and never started). */
export function isAppContainer(r: RecordedResource, app: string): boolean {
  const labels = labelsOf(r.inputs);
  return isContainer(r) && labels[PLATFORM_LABEL.role] === "app" && labels[PLATFORM_LABEL.app] === app && r.inputs.start !== false;
}

export class SandboxSession {
  readonly mirror: ProviderMirror;
  /** where the static probe executable is mounted from, or why it is absent */
  readonly staticProbe: { dir: string } | { absent: string };
  up?: BringUp;
  /** the apps the last probe() attacked from, as the engine showed them */
  probedApps: AppTarget[] = [];
  private fixtures?: HostFixtures;
  private tornDown = false;
  private held?: RecordedResource;
  private readonly log: (line: string) => void;

  constructor(readonly runId: string, readonly input: StackInput, private readonly options: SessionOptions = {}) {
    // apps without python3 run the static probe, mounted from build/ (the one difference from production)
    this.staticProbe = builtStaticProbeDir();
    this.mirror = new ProviderMirror(runId, undefined, { staticProbeDir: "dir" in this.staticProbe ? this.staticProbe.dir : undefined });
    this.log = options.log ?? (() => undefined);
  }

  /** Removes leftovers of earlier runs, evaluates the program, creates everything (but a held-back app) and waits until the stack is ready. */
  async standUp(): Promise<BringUp> {
    const leftovers = await cleanupLeftovers(this.mirror.docker);
    if (leftovers.length) this.log(`removed ${leftovers.length} leftovers of earlier runs`);
    const resources = await evaluateProgram(this.input);
    this.log(`program: ${resources.length} resources`);
    const app = this.options.holdBackApp;
    if (app !== undefined) {
      const held = resources.filter((r) => isAppContainer(r, app));
      if (held.length !== 1) throw new Error(`the program declares ${held.length} running containers for app ${app}, expected exactly one`);
      this.held = held[0];
    }
    const up = await bringUp(this.mirror, resources.filter((r) => r !== this.held), (line) => this.log(`  ${line}`));
    // every resource stays in the record: the gateway's view of the apps needs their credentials
    up.resources = resources;
    this.up = up;
    // never probe a half-up stack: a container that does not get healthy fails the run
    await waitUntilReady(this.mirror.docker, up, gatewayInfo(up, this.input.config), { timeoutMs: READY_TIMEOUT_MS, log: (line) => this.log(`  ${line}`) });
    return up;
  }

  /** Creates and starts the held-back app's container; returns its id and when it was started. */
  async startHeldApp(): Promise<{ id: string; name: string; startedAt: Date }> {
    const up = this.up;
    const held = this.held;
    if (!up || !held) throw new Error("startHeldApp: stand the stack up with holdBackApp first");
    const startedAt = new Date();
    const created = await this.mirror.createContainer(held.name, held.inputs);
    up.containers.push({ resource: held.name, name: created.name, id: created.id, labels: labelsOf(held.inputs), inputs: held.inputs, sandboxOnly: created.sandboxOnly });
    this.log(`  container ${created.name}${created.sandboxOnly.length ? ` (sandbox only, not in production: ${created.sandboxOnly.join(", ")})` : ""}`);
    up.discrepancies.push(...(await endpointDiscrepancies(this.mirror, held.name, created.id, held.inputs)));
    return { id: created.id, name: created.name, startedAt };
  }

  /** The running container of a role (gateway, egress, identity), if the stack has one. */
  containerOf(role: string): string | undefined {
    return this.up?.containers.find((c) => c.labels[PLATFORM_LABEL.role] === role && c.inputs.start !== false)?.id;
  }

  /** Runs the attack probes from the given apps (default all), against the whole stack. */
  async probe(options: { apps?: string[]; only?: string[]; allowInternet?: boolean; onResult?: (result: ProbeResult) => void } = {}): Promise<ProbeResult[]> {
    const up = this.up;
    if (!up) throw new Error("probe: stand the stack up first");
    const docker = this.mirror.docker;
    this.fixtures = await createHostFixtures(this.runId);
    let internet: Awaited<ReturnType<typeof createOutsideStandIn>>["endpoint"] | { absent: string };
    if (await imagePresent(docker, PROBE_IMAGE)) internet = (await createOutsideStandIn(this.mirror, `sbx-${this.runId}`, PROBE_IMAGE)).endpoint;
    else internet = { absent: `not started: image ${PROBE_IMAGE} not present (the outside stand-in)` };
    const env = { ...(await probeEnvironment(docker, up, this.input.config, { hostMarker: this.fixtures.hostMarker, hostListener: this.fixtures.hostListener, internet })), allowInternet: options.allowInternet };
    const targets = options.apps ? env.apps.filter((a) => options.apps!.includes(a.name)) : env.apps;
    this.probedApps = targets;
    this.log(`probing ${targets.length} app(s): ${targets.map((a) => `${a.name} (${a.runtime})`).join(", ")}`);
    return runSuite(env, targets, { only: options.only, onResult: options.onResult });
  }

  /** Removes everything the run created (unless kept); safe to call more than once. */
  async teardown(keep = false): Promise<string[]> {
    if (this.tornDown) return [];
    this.tornDown = true;
    await this.fixtures?.close().catch(() => undefined);
    if (keep) return [];
    return this.mirror.teardown();
  }
}
