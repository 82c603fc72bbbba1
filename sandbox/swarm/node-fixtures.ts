// What the probes aim at on every node's own host, for a Swarm stack whose nodes are other machines:
// the host marker (breakout.host-paths), a listener on the host's network (lateral.host-services), and
// the static probe at one path on every node (the source of the app tasks' /opt/platform-probe bind).
// A file or a listener made on the machine running the sandbox would be on no node, and a probe aimed at
// it would be stopped whatever the isolation. One container per node, through that node's own engine
// (--nodes), from an image imported there that holds only the static probe: `platform-probe
// node-fixture` (sandbox/probes/static/node_fixture.go) places the files under the host's /tmp, listens,
// and removes the files when stopped.
import { randomBytes, randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import type Docker from "dockerode";
import { runEnded } from "../provider-mirror/docker-resources";
import { SANDBOX_LABEL, SANDBOX_PID_LABEL, sandboxLabels } from "../provider-mirror/labels";
import { STATIC_PROBE_EXECUTABLE } from "../provider-mirror/probe-mount";
import { uploadArchive } from "../provider-mirror/upload-archive";

/** Marks the fixture containers among a run's resources (the leftovers' cleanup stops them gracefully). */
export const NODE_FIXTURE_LABEL = "platform.sandbox.node-fixture";
const IMAGE_REPO = "platform-sandbox-node-fixture";
/** the host's /tmp, inside the fixture container */
const BOUND_TMP = "/node-tmp";
const READY_TIMEOUT_MS = 30_000;
/** SIGTERM, then this long for the files to go before the engine kills it */
const STOP_SECONDS = 10;
/** the listener's port: one for every node (the probe has one), away from the usual services */
const PORT_RANGE = [30_000, 32_000] as const;

export interface NodeFixtures {
  hostMarker: { path: string; nonce: string };
  hostListener: { port: number };
  /** the directory holding the static probe on every node: the app tasks' bind source */
  probeDir: string;
  /** each node's fixture container by hostname (for checks that the listener answers) */
  containers: Map<string, Docker.Container>;
  close(): Promise<string[]>;
}

/**
 * Starts a fixture on every node, one after the other; when one cannot start, those already started
 * are stopped (their files removed) and the error names the node. `staticProbe` is the built
 * executable (build/platform-probe).
 */
export async function createNodeFixtures(
  runId: string,
  nodes: Record<string, Docker>,
  staticProbe: string,
  options: { log?: (line: string) => void; port?: number } = {},
): Promise<NodeFixtures> {
  const log = options.log ?? (() => undefined);
  const dir = `platform-sandbox-${runId}-node`;
  const nonce = randomBytes(12).toString("hex");
  const port = options.port ?? randomInt(PORT_RANGE[0], PORT_RANGE[1]);
  const image = `${IMAGE_REPO}:${runId}`;
  const archive = uploadArchive({ file: STATIC_PROBE_EXECUTABLE, content: readFileSync(staticProbe), mode: 0o755 });
  const started = new Map<string, Docker.Container>();
  const imported: [string, Docker][] = [];
  // every fixture stopped and every image removed, whatever fails on the way; then the failures
  const close = async (): Promise<string[]> => {
    const removed: string[] = [];
    const problems: string[] = [];
    for (const [hostname, container] of started) {
      await stopFixture(hostname, container).then((done) => removed.push(...done), (error: Error) => problems.push(error.message));
    }
    started.clear();
    for (const [hostname, docker] of imported.splice(0)) {
      await docker.getImage(image).remove({ force: true }).then(() => removed.push(`image ${image} on ${hostname}`), (error: Error) => problems.push(`node ${hostname}: image ${image} not removed: ${error.message}`));
    }
    if (problems.length) throw new Error(problems.join("\n"));
    return removed;
  };
  try {
    for (const [hostname, docker] of Object.entries(nodes)) {
      await importImage(docker, archive, image, hostname);
      imported.push([hostname, docker]);
      const container = await docker.createContainer({
        name: `sbx-${runId}-node-fixture`,
        Image: image,
        Entrypoint: [`/${STATIC_PROBE_EXECUTABLE}`, "node-fixture", JSON.stringify({ tmp: BOUND_TMP, dir, nonce, port })],
        // the run's label and pid, and which of its resources is a fixture
        Labels: { ...sandboxLabels(runId), [NODE_FIXTURE_LABEL]: "true" },
        User: "65534:65534",
        Tty: true,
        HostConfig: {
          // on the host itself, also on nodes whose default runtime is gVisor (node requirement runsc)
          Runtime: "runc",
          NetworkMode: "host",
          Binds: [`/tmp:${BOUND_TMP}`],
          ReadonlyRootfs: true,
          CapDrop: ["ALL"],
          SecurityOpt: ["no-new-privileges"],
          Memory: 64 * 1024 * 1024,
          PidsLimit: 64,
        },
      });
      started.set(hostname, container);
      await container.start();
      await waitReady(container, hostname);
      log(`node fixture on ${hostname}: /tmp/${dir} (host marker, static probe), listener on port ${port}`);
    }
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { hostMarker: { path: `/tmp/${dir}/host-marker`, nonce }, hostListener: { port }, probeDir: `/tmp/${dir}/probe`, containers: started, close };
}

async function importImage(docker: Docker, archive: Buffer, image: string, hostname: string): Promise<void> {
  const [repo, tag] = image.split(":");
  try {
    const stream = (await docker.importImage(Readable.from(archive), { repo, tag })) as NodeJS.ReadableStream;
    const text = await new Promise<string>((resolve, reject) => {
      let out = "";
      stream.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
      stream.on("end", () => resolve(out));
      stream.on("error", reject);
    });
    const failed = /"error"\s*:\s*"([^"]*)"/.exec(text);
    if (failed) throw new Error(failed[1]);
  } catch (error) {
    throw new Error(`node ${hostname}: cannot import the node fixture's image ${image}: ${(error as Error).message}`);
  }
}

/** Waits for the fixture's "ready"; an exit or silence names the node and what the fixture said. */
async function waitReady(container: Docker.Container, hostname: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const said = await output(container);
    if (/^ready$/m.test(said)) return;
    const state = (await container.inspect()).State;
    if (!state.Running) throw new Error(`node ${hostname}: the node fixture exited (${state.ExitCode}): ${said.replace(/^removed$/m, "").trim() || "no output"}`);
    if (Date.now() > deadline) throw new Error(`node ${hostname}: the node fixture did not get ready within ${READY_TIMEOUT_MS / 1000} s: ${said.trim() || "no output"}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function output(container: Docker.Container): Promise<string> {
  const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  return logs.toString("utf8").replace(/\r/g, "");
}

/** SIGTERM (the fixture removes its files), then the container; a fixture that did not remove them says so. */
async function stopFixture(hostname: string, container: Docker.Container): Promise<string[]> {
  await container.stop({ t: STOP_SECONDS }).catch(() => undefined);
  const said = await output(container).catch(() => "");
  await container.remove({ force: true }).catch(() => undefined);
  if (!/^removed$/m.test(said)) throw new Error(`node ${hostname}: the node fixture did not say it removed its files under /tmp: ${said.trim() || "no output"}`);
  return [`node fixture on ${hostname}`];
}

/** Stops the node fixtures of earlier runs whose process is gone (so they remove their files), on every node. */
export async function cleanupNodeFixtureLeftovers(nodes: Record<string, Docker>): Promise<string[]> {
  const removed: string[] = [];
  for (const [hostname, docker] of Object.entries(nodes)) {
    for (const info of await docker.listContainers({ all: true, filters: { label: [NODE_FIXTURE_LABEL] } })) {
      const pid = Number(info.Labels[SANDBOX_PID_LABEL] ?? 0);
      if (!runEnded(pid)) continue;
      const container = docker.getContainer(info.Id);
      // one that has exited left its files: started again, it places them anew (or, its port taken,
      // removes them and exits), and stopping it removes them
      if (info.State !== "running") await container.start().then(() => waitReady(container, hostname)).catch(() => undefined);
      await stopFixture(hostname, container).catch(() => undefined);
      await docker.getImage(info.Image).remove({ force: true }).catch(() => undefined);
      removed.push(`node fixture ${info.Labels[SANDBOX_LABEL]} on ${hostname}`);
    }
  }
  return removed;
}
