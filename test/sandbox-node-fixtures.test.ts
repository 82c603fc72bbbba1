// sandbox/swarm/node-fixtures.ts against this machine's engine, as one node: the fixture puts the host
// marker and the static probe under the host's /tmp and listens on the host's network; stopping it
// removes them; a fixture that cannot listen leaves nothing behind; a run that died leaves a fixture the
// next run stops (so its files go too).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { connect, createServer, Server } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Docker from "dockerode";
import { dockerUnavailableSync } from "../sandbox/docker-availability";
import { builtStaticProbeDir, STATIC_PROBE_EXECUTABLE } from "../sandbox/provider-mirror/probe-mount";
import { cleanupNodeFixtureLeftovers, createNodeFixtures, NODE_FIXTURE_LABEL } from "../sandbox/swarm/node-fixtures";

const docker = new Docker();
const built = builtStaticProbeDir();
const skip = dockerUnavailableSync() ?? ("absent" in built ? built.absent : undefined);
const probe = "dir" in built ? join(built.dir, STATIC_PROBE_EXECUTABLE) : "";
const runId = () => `nodefix-${process.pid}-${randomBytes(3).toString("hex")}`;

/** The first line a TCP listener sends, or the error that stopped the connection. */
const firstLine = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let text = "";
    socket.setTimeout(3000, () => (socket.destroy(), resolve(`timeout after ${JSON.stringify(text)}`)));
    socket.on("data", (chunk) => (text += chunk.toString("utf8")));
    socket.on("end", () => resolve(text));
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

const fixtureContainers = async (run: string) => (await docker.listContainers({ all: true, filters: { label: [NODE_FIXTURE_LABEL, `platform.sandbox=${run}`] } })).length;
const imagePresent = (run: string) => docker.getImage(`platform-sandbox-node-fixture:${run}`).inspect().then(() => true, () => false);

describe("node fixtures (the Swarm sandbox's stand-ins on each node's host)", { skip, timeout: 120_000 }, () => {
  const busy: Server[] = [];
  after(() => busy.forEach((server) => server.close()));

  it("places the marker and the static probe under the host's /tmp, listens on the host's network, and removes all of it when closed", async () => {
    const run = runId();
    const fixtures = await createNodeFixtures(run, { local: docker }, probe);
    const dir = `/tmp/platform-sandbox-${run}-node`;
    try {
      assert.deepEqual(fixtures.hostMarker.path, `${dir}/host-marker`);
      assert.equal(readFileSync(fixtures.hostMarker.path, "utf8"), `${fixtures.hostMarker.nonce}\n`);
      assert.equal(statSync(fixtures.hostMarker.path).mode & 0o777, 0o644);
      assert.equal(fixtures.probeDir, `${dir}/probe`);
      const copy = join(fixtures.probeDir, STATIC_PROBE_EXECUTABLE);
      assert.equal(statSync(copy).mode & 0o777, 0o755);
      assert.ok(readFileSync(copy).equals(readFileSync(probe)), "the copy is the built executable");
      // the copy runs: app tasks execute it from their read-only bind
      assert.equal(spawnSync(copy, ["sleep", "0"]).status, 0);
      assert.equal(await firstLine(fixtures.hostListener.port), "platform-sandbox-host\n");
      assert.ok(fixtures.hostListener.port >= 30_000 && fixtures.hostListener.port < 32_000, String(fixtures.hostListener.port));
      const info = await fixtures.containers.get("local")!.inspect();
      assert.equal(info.Config.User, "65534:65534");
      assert.deepEqual(info.HostConfig.CapDrop, ["ALL"]);
      assert.equal(info.HostConfig.ReadonlyRootfs, true);
    } finally {
      const removed = await fixtures.close();
      assert.deepEqual(removed, ["node fixture on local", `image platform-sandbox-node-fixture:${run} on local`]);
    }
    assert.equal(existsSync(dir), false, `${dir} removed`);
    assert.equal(await fixtureContainers(run), 0);
    assert.equal(await imagePresent(run), false);
    assert.notEqual(await firstLine(fixtures.hostListener.port), "platform-sandbox-host\n");
  });

  it("refuses, naming the node and the port, when it cannot listen, and leaves nothing behind", async () => {
    const server = createServer();
    busy.push(server);
    await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
    const port = (server.address() as { port: number }).port;
    const run = runId();
    await assert.rejects(createNodeFixtures(run, { local: docker }, probe, { port }), new RegExp(`^Error: node local: the node fixture exited \\(2\\): platform-probe: node-fixture: listen on port ${port}: EADDRINUSE`));
    assert.equal(existsSync(`/tmp/platform-sandbox-${run}-node`), false);
    assert.equal(await fixtureContainers(run), 0);
    assert.equal(await imagePresent(run), false);
  });

  it("stops the fixture of a run whose process is gone, so that its files go too", async () => {
    const run = runId();
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "-e", `require("./sandbox/swarm/node-fixtures").createNodeFixtures(${JSON.stringify(run)}, { local: new (require("dockerode"))() }, ${JSON.stringify(probe)}).then(() => process.exit(0))`],
      { cwd: join(__dirname, ".."), encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(child.status, 0, child.stderr);
    const dir = `/tmp/platform-sandbox-${run}-node`;
    assert.ok(existsSync(`${dir}/host-marker`), "the dead run's fixture placed its files");
    const removed = await cleanupNodeFixtureLeftovers({ local: docker });
    assert.ok(removed.includes(`node fixture ${run} on local`), JSON.stringify(removed));
    assert.equal(existsSync(dir), false, `${dir} removed`);
    assert.equal(await fixtureContainers(run), 0);
    assert.equal(await imagePresent(run), false);
  });
});
