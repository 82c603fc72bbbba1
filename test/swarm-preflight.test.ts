// The swarm commands' pure parts (preflight/): merging daemon.json, the probe script and its output,
// the Engine's log frames, the verdict and its exit code, the table, durations, the probe service's
// spec; and both commands' refusals (usage, engine stack, conflicts, no engine) without a swarm.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Docker from "dockerode";
import { stringify } from "yaml";
import type { CommandIo } from "../cli/args";
import { main as preflightMain } from "../preflight/cli";
import { formatChanges, formatConflicts, mergeDaemonJson } from "../preflight/daemon-json";
import { fixFor, hostSteps, manualCheck } from "../preflight/host-steps";
import { main as nodeSetupMain, readDaemonJson } from "../preflight/node-setup";
import { NAME_PREFIX, probeServiceSpec, RUN_LABEL } from "../preflight/probe-service";
import { demuxDockerLogs, parseProbeOutput, probedRequirements, probeMarker, probeScript } from "../preflight/probe-script";
import { formatVerdict } from "../preflight/report";
import { loadSwarmStack } from "../preflight/stack";
import { NodeRun, preflightVerdict, probeTargets, relevantLines, SwarmNodeInfo, truncateSeen } from "../preflight/verdict";
import type { NodeRequirement } from "../render/swarm/node-requirements";
import { stackConfig } from "./support/stack-config";

const dir = mkdtempSync(join(tmpdir(), "swarm-preflight-unit-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Pulumi.<name>.yaml in the temp dir: the dev stack, as a Swarm stack unless `engine`, its gVisor app kept unless `noRunsc`. */
function writeStack(name: string, options: { engine?: boolean; noRunsc?: boolean } = {}): void {
  const config = stackConfig("dev");
  if (!options.engine) {
    config["platform:orchestrator"] = "swarm";
    config["platform:network"] = { ...(config["platform:network"] as object), appPrefixLength: 27 };
  }
  if (options.noRunsc) config["platform:apps"] = (config["platform:apps"] as Record<string, unknown>[]).map(({ runtime: _r, ...app }) => app);
  writeFileSync(join(dir, `Pulumi.${name}.yaml`), stringify({ config }));
}
writeStack("sw");
writeStack("plain", { noRunsc: true });
writeStack("eng", { engine: true });

const swarm = loadSwarmStack("sw", dir, "test").swarm;
const requirements = swarm.nodeRequirements;
const plain = loadSwarmStack("plain", dir, "test").swarm.nodeRequirements;

function capture(): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe("daemon.json merge", () => {
  const required = swarm.daemonJson;

  it("adds what is missing, changes weaker scalars, keeps every other key", () => {
    const { merged, changes, conflicts } = mergeDaemonJson({ "log-driver": "json-file", "no-new-privileges": false, "default-ipc-mode": "shareable" }, required);
    assert.deepEqual(conflicts, []);
    assert.equal(merged["log-driver"], "json-file");
    assert.equal(merged["no-new-privileges"], true);
    assert.equal(merged["default-ipc-mode"], "private");
    assert.deepEqual(merged["default-ulimits"], required["default-ulimits"]);
    const lines = formatChanges(changes);
    assert.ok(lines.includes('~ no-new-privileges: false -> true'), lines.join("\n"));
    assert.ok(lines.includes('~ default-ipc-mode: "shareable" -> "private"'));
    assert.ok(lines.includes('+ default-cgroupns-mode: "private"'));
    assert.ok(lines.includes('+ default-ulimits.nproc: {"Name":"nproc","Soft":512,"Hard":512}'));
  });

  it("merges ulimits per limit: others kept, equal ones unchanged", () => {
    const core = { Name: "core", Soft: 0, Hard: 0 };
    const existing = { "default-ulimits": { core, nofile: { Name: "nofile", Soft: 1024, Hard: 1024 } } };
    const { merged, changes } = mergeDaemonJson(existing, required);
    assert.deepEqual((merged["default-ulimits"] as Record<string, unknown>).core, core);
    assert.deepEqual(changes.filter((c) => c.key.startsWith("default-ulimits")).map((c) => c.key), ["default-ulimits.nproc", "default-ulimits.sigpending"]);
  });

  it("nothing to change once merged", () => {
    const { merged } = mergeDaemonJson({}, required);
    const again = mergeDaemonJson(merged, required);
    assert.deepEqual(again.changes, []);
    assert.deepEqual(formatChanges(again.changes), ["= nothing to change: every required key is already set"]);
  });

  it("refuses seccomp-profile unconfined and a ulimit higher or lower than the stack's, naming the key", () => {
    const existing = {
      "seccomp-profile": "unconfined",
      "default-ulimits": { nofile: { Name: "nofile", Soft: 65536, Hard: 65536 }, nproc: { Name: "nproc", Soft: 64, Hard: 64 } },
    };
    const { conflicts } = mergeDaemonJson(existing, required);
    assert.deepEqual(conflicts.map((c) => c.key), ["seccomp-profile", "default-ulimits.nofile", "default-ulimits.nproc"]);
    const lines = formatConflicts("/etc/docker/daemon.json", conflicts);
    assert.match(lines[0], /"seccomp-profile" is "unconfined", the stack needs unset .*remove "seccomp-profile"/);
    assert.match(lines[1], /"default-ulimits.nofile" is .*65536.*soft 1024, hard 1024; higher than the stack's limit/);
    assert.match(lines[2], /lower than the stack's limit/);
  });

  it("keeps a seccomp profile file with a warning; refuses default-ulimits that is not an object", () => {
    assert.match(mergeDaemonJson({ "seccomp-profile": "/etc/docker/strict.json" }, required).warnings[0], /at least as strict/);
    assert.deepEqual(mergeDaemonJson({ "seccomp-profile": "builtin" }, required).warnings, []);
    assert.deepEqual(mergeDaemonJson({ "default-ulimits": ["nofile=1"] }, required).conflicts.map((c) => c.key), ["default-ulimits"]);
  });
});

describe("swarm:node-setup", () => {
  const setup = async (args: string[]) => {
    const io = capture();
    const code = await nodeSetupMain(args, io, dir);
    return { code, out: io.out.join("\n"), err: io.err.join("\n") };
  };

  it("dry run: the merged file on stdout, the changes and host steps on stderr, nothing written", async () => {
    const file = join(dir, "dry.json");
    writeFileSync(file, '{"log-driver": "json-file"}\n');
    const run = await setup(["--stack", "sw", "--daemon-json", file]);
    assert.equal(run.code, 0, run.err);
    assert.deepEqual(JSON.parse(run.out), { "log-driver": "json-file", ...swarm.daemonJson });
    assert.match(run.err, /^\+ no-new-privileges: true$/m);
    assert.match(run.err, /^- no-swap: no swap on the node/m);
    assert.match(run.err, /^- apparmor: AppArmor/m);
    assert.match(run.err, /^- runsc: .*--label-add platform.runtime=runsc/m);
    assert.match(run.err, /dry run: nothing written; add --write/);
    assert.equal(readFileSync(file, "utf8"), '{"log-driver": "json-file"}\n');
  });

  it("--write: written atomically with the previous file as .bak, mode kept; a second run has nothing to write", async () => {
    const file = join(dir, "write.json");
    writeFileSync(file, '{"debug": true}\n', { mode: 0o600 });
    const run = await setup(["--stack", "sw", "--daemon-json", file, "--write"]);
    assert.equal(run.code, 0, run.err);
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), { debug: true, ...swarm.daemonJson });
    assert.equal(readFileSync(`${file}.bak`, "utf8"), '{"debug": true}\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(run.err, /written .*write\.json \(previous file: .*write\.json\.bak\); restart dockerd/);
    const again = await setup(["--stack", "sw", "--daemon-json", file, "--write"]);
    assert.equal(again.code, 0);
    assert.match(again.err, /already holds every requirement: nothing to write/);
  });

  it("an absent file is {}: --write creates it, with no .bak", async () => {
    const file = join(dir, "new.json");
    const run = await setup(["--stack", "sw", "--daemon-json", file, "--write"]);
    assert.equal(run.code, 0, run.err);
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), swarm.daemonJson);
    assert.equal(existsSync(`${file}.bak`), false);
    assert.deepEqual(readDaemonJson(join(dir, "absent.json")), {});
  });

  it("a conflict: exit 2, the key named, nothing written even with --write", async () => {
    const file = join(dir, "conflict.json");
    const text = '{"seccomp-profile": "unconfined"}';
    writeFileSync(file, text);
    const run = await setup(["--stack", "sw", "--daemon-json", file, "--write"]);
    assert.equal(run.code, 2);
    assert.equal(run.out, "");
    assert.match(run.err, /"seccomp-profile" is "unconfined"/);
    assert.match(run.err, /nothing written/);
    assert.equal(readFileSync(file, "utf8"), text);
    assert.equal(existsSync(`${file}.bak`), false);
  });

  it("refuses an engine stack naming platform:orchestrator, invalid JSON, and a missing --stack", async () => {
    const engine = await setup(["--stack", "eng", "--daemon-json", join(dir, "x.json")]);
    assert.equal(engine.code, 2);
    assert.match(engine.err, /--stack eng: platform:orchestrator is "engine"; swarm:node-setup is for Swarm stacks/);
    const file = join(dir, "broken.json");
    writeFileSync(file, "{ not json");
    const broken = await setup(["--stack", "sw", "--daemon-json", file]);
    assert.equal(broken.code, 2);
    assert.match(broken.err, /broken\.json is not valid JSON/);
    const missing = await setup([]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--stack is required/);
    const unknown = await setup(["--stack", "nope"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /there is no .*Pulumi\.nope\.yaml; the stacks here are eng, plain, sw/);
  });
});

describe("the probe script and its output", () => {
  const marker = probeMarker("abc123");

  it("runs every probe in one shell, fenced; the sections come back with their status", () => {
    const script = probeScript(requirements, marker);
    const run = spawnSync("sh", ["-c", script], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const parsed = parseProbeOutput(run.stdout, marker);
    assert.equal(parsed.done, true);
    assert.deepEqual(parsed.missingTools, [], "grep, cat and dmesg are on this host");
    assert.deepEqual(Object.keys(parsed.sections), probedRequirements(requirements).map((r) => r.id));
    assert.match(parsed.sections.seccomp.output, /^Seccomp:/);
    assert.equal(parsed.sections.seccomp.status, 0);
    assert.match(parsed.sections.ulimits.output, /Max open files/);
  });

  it("names the tools the image lacks, and quotes arguments the shell must not expand", () => {
    const odd: NodeRequirement = { id: "seccomp", field: "engine default", why: "", provide: "", daemonJson: {}, probe: { command: ["no-such-tool-xyz", "$HOME", "it's"], expect: "x" } };
    const echo: NodeRequirement = { ...odd, id: "no-swap", probe: { command: ["echo", "$HOME", "it's"], expect: "x" } };
    const parsed = parseProbeOutput(spawnSync("sh", ["-c", probeScript([odd, echo], marker)], { encoding: "utf8" }).stdout, marker);
    assert.deepEqual(parsed.missingTools, ["no-such-tool-xyz"]);
    assert.equal(parsed.sections["no-swap"].output, "$HOME it's\n");
    assert.notEqual(parsed.sections.seccomp.status, 0);
  });

  it("ignores lines outside sections and other markers; a cut-off section keeps its lines without a status", () => {
    const text = [
      "noise",
      `${marker} tools missing:`,
      `${marker} begin seccomp`,
      "Seccomp:\t2",
      "::platform-preflight:other:: end seccomp 0",
      `${marker} end seccomp 0`,
      `${marker} begin ulimits`,
      "Max open files 1024 1024 files",
    ].join("\n");
    const parsed = parseProbeOutput(text, marker);
    assert.deepEqual(parsed.sections.seccomp, { output: "Seccomp:\t2\n::platform-preflight:other:: end seccomp 0\n", status: 0 });
    assert.deepEqual(parsed.sections.ulimits, { output: "Max open files 1024 1024 files\n" });
    assert.equal(parsed.done, false);
    assert.throws(() => probeMarker("a b"), /nonce must be/);
  });

  it("demultiplexes the Engine's log frames; plain text passes through", () => {
    const frame = (stream: number, text: string) => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    const long = "x".repeat(300);
    assert.equal(demuxDockerLogs(Buffer.concat([frame(1, "a\n"), frame(2, `${long}\n`), frame(1, "b\n")])), `a\n${long}\nb\n`);
    assert.equal(demuxDockerLogs(Buffer.from("plain\ntext\n")), "plain\ntext\n");
    assert.equal(demuxDockerLogs(Buffer.alloc(0)), "");
  });
});

describe("verdict", () => {
  const node = (hostname: string, extra: Partial<SwarmNodeInfo> = {}): SwarmNodeInfo => ({ id: `id-${hostname}`, hostname, role: "worker", state: "ready", availability: "active", labels: {}, ...extra });
  const marker = probeMarker("feed");
  const passingText = [
    `${marker} tools missing:`,
    ...[
      ["no-new-privileges", "NoNewPrivs:\t1"],
      ["seccomp", "Seccomp:\t2"],
      ["ulimits", "Limit Soft Limit Hard Limit Units\nMax processes 512 512 processes\nMax open files 1024 1024 files\nMax pending signals 256 256 signals"],
      ["cgroupns-private", "12:memory:/\n0::/"],
      ["no-swap", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority"],
    ].flatMap(([id, out]) => [`${marker} begin ${id}`, out, `${marker} end ${id} 0`]),
    `${marker} done`,
  ].join("\n");
  const probed = (text: string): NodeRun => ({ kind: "probed", output: parseProbeOutput(text, marker) });
  const options = { stack: "plain", image: "img", skipUnavailable: false };

  it("passes when every probed requirement matches on every node; requirements without a probe are 'by hand'", () => {
    const nodes = [node("a"), node("b")];
    const verdict = preflightVerdict(nodes, plain, new Map(nodes.map((n) => [n.id, probed(passingText)])), options);
    assert.equal(verdict.exitCode, 0);
    assert.equal(verdict.probedNodes, 2);
    const statuses = verdict.nodes[0].cells.map((c) => `${c.requirement}=${c.status}`);
    assert.deepEqual(statuses, [
      "no-new-privileges=pass", "seccomp=pass", "apparmor=manual", "ulimits=pass", "ipc-private=manual", "cgroupns-private=pass", "no-swap=pass", "static-addresses=n/a",
    ]);
    const text = formatVerdict(verdict).join("\n");
    assert.match(text, /^no-new-privileges\s+pass\s+pass$/m);
    assert.match(text, /^apparmor\s+by hand\s+by hand$/m);
    assert.match(text, /^  apparmor: on the node, `docker info/m);
    assert.match(text, /^result: pass: every probed requirement passed on 2 node\(s\)$/m);
  });

  it("a mismatch is a FAIL naming node, requirement, what was seen and the fix: exit 1", () => {
    const nodes = [node("a"), node("b")];
    const bad = passingText.replace("NoNewPrivs:\t1", "NoNewPrivs:\t0").replace("Max open files 1024 1024", "Max open files 1048576 1048576");
    const verdict = preflightVerdict(nodes, plain, new Map([[nodes[0].id, probed(passingText)], [nodes[1].id, probed(bad)]]), options);
    assert.equal(verdict.exitCode, 1);
    assert.equal(verdict.failures, 2);
    const text = formatVerdict(verdict).join("\n");
    assert.match(text, /^FAIL b no-new-privileges: saw "NoNewPrivs: 0"; fix: daemon.json "no-new-privileges" \(npm run swarm:node-setup -- --stack plain --write/m);
    assert.match(text, /^FAIL b ulimits: saw "Max processes 512 512 processes Max open files 1048576 1048576 files Max pending signals 256 256 signals"/m);
    assert.match(text, /^result: FAIL: 2 FAIL on b$/m);
  });

  it("a missing section, a cut-off run or missing tools never pass", () => {
    const [a, b, c] = [node("a"), node("b"), node("c")];
    const noSection = passingText.replace(/^.*begin no-swap[\s\S]*?end no-swap 0\n/m, "");
    const cutOff = passingText.replace(/\n.*done$/, "");
    const noTools = passingText.replace("tools missing:", "tools missing: grep");
    const verdict = preflightVerdict([a, b, c], plain, new Map([[a.id, probed(noSection)], [b.id, probed(cutOff)], [c.id, probed(noTools)]]), options);
    assert.equal(verdict.exitCode, 1);
    assert.deepEqual(verdict.nodes[0].cells.find((x) => x.requirement === "no-swap")!.status, "FAIL");
    assert.equal(verdict.nodes[1].reason, "the probe task's output ended before its last line");
    assert.match(verdict.nodes[2].reason!, /the image lacks grep/);
    assert.equal(verdict.nodes[2].cells.find((x) => x.requirement === "seccomp")!.status, "not probed");
  });

  it("Drain / Down nodes are not probed: exit 1, or 0 with skipUnavailable; no node probed is exit 2", () => {
    const nodes = [node("a"), node("b", { availability: "drain" }), node("c", { state: "down" })];
    assert.deepEqual(probeTargets(nodes).map((n) => n.hostname), ["a"]);
    const runs = new Map([[nodes[0].id, probed(passingText)]]);
    const strict = preflightVerdict(nodes, plain, runs, options);
    assert.equal(strict.exitCode, 1);
    assert.deepEqual(strict.nodes.map((v) => v.reason), [undefined, "availability drain, not active", "node is down, not ready"]);
    assert.match(formatVerdict(strict).join("\n"), /^result: FAIL: not every node was probed; not probed: b, c$/m);
    assert.equal(preflightVerdict(nodes, plain, runs, { ...options, skipUnavailable: true }).exitCode, 0);
    const none = preflightVerdict(nodes, plain, new Map([[nodes[0].id, { kind: "not-probed", reason: "the image img is not on this node" }]]), { ...options, skipUnavailable: true });
    assert.equal(none.exitCode, 2);
    assert.match(formatVerdict(none).join("\n"), /a  id-a  worker, ready, active: not probed \(the image img is not on this node\)/);
    assert.equal(preflightVerdict([], plain, new Map(), options).exitCode, 2);
  });

  it("an Active node whose task did not run fails the run even with skipUnavailable", () => {
    const nodes = [node("a"), node("b")];
    const runs = new Map<string, NodeRun>([[nodes[0].id, probed(passingText)], [nodes[1].id, { kind: "not-probed", reason: "no result within 60 s" }]]);
    assert.equal(preflightVerdict(nodes, plain, runs, { ...options, skipUnavailable: true }).exitCode, 1);
  });

  it("runsc: n/a on unlabelled nodes, probed on labelled ones, a finding when no probed node is labelled", () => {
    const runscText = passingText.replace(/\n(.*) done$/, `\n$1 begin runsc\n[    0.000000] Starting gVisor...\n$1 end runsc 0\n$1 done`);
    const plainNode = node("a");
    const unlabelled = preflightVerdict([plainNode], requirements, new Map([[plainNode.id, probed(passingText)]]), { ...options, stack: "sw" });
    assert.equal(unlabelled.nodes[0].cells.find((c) => c.requirement === "runsc")!.status, "n/a");
    assert.equal(unlabelled.exitCode, 1);
    assert.match(unlabelled.findings[0], /no probed node is labelled platform.runtime=runsc/);
    const gvisor = node("g", { labels: { "platform.runtime": "runsc" } });
    const labelled = preflightVerdict([plainNode, gvisor], requirements, new Map([[plainNode.id, probed(passingText)], [gvisor.id, probed(runscText)]]), { ...options, stack: "sw" });
    assert.equal(labelled.exitCode, 0);
    assert.equal(labelled.nodes[1].cells.find((c) => c.requirement === "runsc")!.status, "pass");
  });

  it("what was seen: the pattern's lines, folded and cut", () => {
    const limits = "Limit Soft Hard\nMax cpu time unlimited unlimited seconds\nMax open files 4 4 files\n";
    const ulimits = plain.find((r) => r.id === "ulimits")!;
    assert.equal(relevantLines(limits, ulimits.probe!.expect), "Max open files 4 4 files");
    assert.equal(relevantLines("1:cpu:/x\n", plain.find((r) => r.id === "cgroupns-private")!.probe!.expect), "1:cpu:/x\n");
    assert.equal(truncateSeen("a\n\tb  c\n"), "a b c");
    assert.equal(truncateSeen(""), "(no output)");
    assert.equal(truncateSeen("x".repeat(200), 10), `${"x".repeat(9)}…`);
  });

  it("fixes and manual checks come from the requirements", () => {
    const byId = (id: string) => requirements.find((r) => r.id === id)!;
    assert.match(fixFor(byId("ulimits"), "sw"), /^daemon.json "default-ulimits" \(npm run swarm:node-setup -- --stack sw --write/);
    assert.equal(fixFor(byId("no-swap"), "sw"), byId("no-swap").provide);
    assert.match(manualCheck(byId("ipc-private")), /cannot tell private from shareable/);
    assert.deepEqual(hostSteps(requirements).map((s) => s.split(":")[0]), ["seccomp", "apparmor", "no-swap", "static-addresses", "runsc"]);
  });
});

describe("swarm:preflight", () => {
  it("one probe service per node: pinned, run once, labelled, unprivileged, read-only, no capabilities", () => {
    const spec = probeServiceSpec({ id: "abcdefghijklmnopqrstuvwxy", hostname: "h", role: "worker", state: "ready", availability: "active", labels: {} }, "img", "echo hi", "run1");
    assert.equal(spec.Name, `${NAME_PREFIX}-run1-abcdefghijkl`);
    assert.ok(spec.Name.length <= 63);
    assert.equal(spec.Labels[RUN_LABEL], "run1");
    assert.deepEqual(spec.TaskTemplate.Placement.Constraints, ["node.id==abcdefghijklmnopqrstuvwxy"]);
    assert.deepEqual(spec.TaskTemplate.RestartPolicy, { Condition: "none", MaxAttempts: 0 });
    assert.deepEqual(spec.Mode, { Replicated: { Replicas: 1 } });
    const c = spec.TaskTemplate.ContainerSpec;
    assert.deepEqual(c.Command, ["sh", "-c", "echo hi"]);
    assert.notEqual(c.User.split(":")[0], "0");
    assert.equal(c.ReadOnly, true);
    assert.deepEqual(c.CapabilityDrop, ["ALL"]);
  });

  const preflight = async (args: string[], docker: Docker) => {
    const io = capture();
    const code = await preflightMain(args, io, dir, docker);
    return { code, out: io.out.join("\n"), err: io.err.join("\n") };
  };
  const nowhere = new Docker({ socketPath: join(dir, "no-engine.sock") });

  it("refuses bad usage, an engine stack and an unreachable engine with exit 2, before touching any swarm", async () => {
    const missing = await preflight([], nowhere);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--stack is required/);
    const timeout = await preflight(["--stack", "sw", "--timeout", "soon"], nowhere);
    assert.equal(timeout.code, 2);
    assert.match(timeout.err, /--timeout "soon" is not a duration: give a whole number with a unit, e\.g\. 60s, 2m or 1m30s \(from 1s to 1h\)/);
    const engine = await preflight(["--stack", "eng"], nowhere);
    assert.equal(engine.code, 2);
    assert.match(engine.err, /platform:orchestrator is "engine"; swarm:preflight is for Swarm stacks/);
    const unreachable = await preflight(["--stack", "sw"], nowhere);
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.err, /cannot reach the Docker engine at /);
  });
});
