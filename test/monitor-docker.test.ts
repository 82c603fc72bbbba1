// The Docker log follower against the real engine: containers found by label (also when they start
// later), lines read through the multiplexed log stream, and a restart that neither loses nor repeats lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { DockerLogFollower, sinceParameter, splitTimestamp } from "../monitor/docker-logs";
import { LineSplitter } from "../monitor/events/line-splitter";
import { parseLogLine } from "../monitor/events/parse";
import { PLATFORM_LABEL } from "../plan/names";
import { dockerUnavailable } from "../sandbox/docker-availability";

const IMAGE = "platform/busybox:dev";
const LINES = 40;
const docker = new Docker();

test("docker timestamps: padded so they compare as strings, and turned into `since`", () => {
  assert.deepEqual(splitTimestamp("2026-11-23T12:00:00.1Z {\"a\":1}"), ["2026-11-23T12:00:00.100000000Z", "{\"a\":1}"]);
  assert.deepEqual(splitTimestamp("2026-11-23T12:00:00Z x"), ["2026-11-23T12:00:00.000000000Z", "x"]);
  assert.deepEqual(splitTimestamp("no-timestamp line"), ["", "no-timestamp line"]);
  assert.ok(splitTimestamp("2026-11-23T12:00:00.1Z a")[0] > splitTimestamp("2026-11-23T12:00:00.09Z a")[0]);
  assert.equal(sinceParameter("2026-11-23T12:00:00.120000000Z"), `${Date.parse("2026-11-23T12:00:00Z") / 1000}.120000000`);
});

test("follows a gateway container that starts later, and resumes after a restart without loss or repeats", { timeout: 90_000 }, async (t) => {
  const unavailable = await dockerUnavailable(docker, [IMAGE]);
  if (unavailable) return t.skip(unavailable);
  const stack = `mon8d-${randomBytes(3).toString("hex")}`;
  const dir = mkdtempSync(join(tmpdir(), `${stack}-`));
  let container: Docker.Container | undefined;
  const followers: DockerLogFollower[] = [];
  t.after(async () => {
    for (const follower of followers) follower.stop();
    await container?.remove({ force: true }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const received: string[] = [];
  const malformed: string[] = [];
  const logs: string[] = [];
  const newFollower = () => {
    const follower = new DockerLogFollower({
      docker,
      stack,
      splitter: () =>
        new LineSplitter(
          (line) => {
            const parsed = parseLogLine(line);
            if (parsed.ok && parsed.event.source === "gateway") received.push(parsed.event.path);
            else malformed.push(line);
          },
          () => undefined,
        ),
      onAppStarted: () => undefined,
      log: (level, message) => logs.push(`${level}: ${message}`),
      cursorFile: join(dir, "cursors.json"),
    });
    followers.push(follower);
    return follower;
  };
  const first = newFollower();
  await first.start();
  assert.deepEqual(first.followedContainers(), []);

  const line = `{"source":"gateway","time":"2026-11-23T12:00:00Z","app":"alpha","client":"10.208.4.20","peer":"-","method":"GET","path":"/p$i","service":"weather","status":401,"flags":"-","duration_ms":1}`;
  container = await docker.createContainer({
    name: `${stack}-gateway`,
    Image: IMAGE,
    // stderr is not the access log: it must be ignored
    Cmd: ["sh", "-c", `i=0; while [ $i -lt ${LINES} ]; do i=$((i+1)); echo '${line.replace("$i", "'$i'")}'; echo "noise on stderr $i" >&2; sleep 0.1; done; sleep 120`],
    Labels: { [PLATFORM_LABEL.role]: "gateway", [PLATFORM_LABEL.stack]: stack },
    HostConfig: { NetworkMode: "none", Memory: 32 * 1024 * 1024 },
  });
  await container.start();
  const deadline = Date.now() + 15_000;
  while (received.length < 10 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(received.length >= 10, `the follower picked up the container from its start event (${received.length} lines; ${logs.join("; ")})`);
  first.stop();
  const beforeRestart = received.length;
  await new Promise((resolve) => setTimeout(resolve, 800)); // lines keep coming while no monitor runs

  const second = newFollower();
  await second.start();
  assert.equal(second.followedContainers().length, 1, "found the running container by its labels");
  while (received.length < LINES && Date.now() < deadline + 15_000) await new Promise((resolve) => setTimeout(resolve, 100));
  second.stop();
  assert.ok(beforeRestart < LINES, "the restart happened mid-stream");
  assert.deepEqual(received, Array.from({ length: LINES }, (_, i) => `/p${i + 1}`), "every line exactly once, in order");
  assert.deepEqual(malformed, []);
});
