// Sandbox costs measured in this run: the pure input mapping, and in the real engine the bring-up of a
// hardened app container (create + connect + start) and an exec round trip, runc against gVisor.
// Bounded: a fixed number of rounds per measurement, well under 2 minutes.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import Docker from "dockerode";
import { idleApp } from "../test/support/idle-app";
import { toContainerPlan } from "../sandbox/provider-mirror/container-mapper";
import { ProviderMirror } from "../sandbox/provider-mirror/docker-resources";
import { freeCidr } from "../sandbox/provider-mirror/free-subnet";
import { execIn } from "../sandbox/exec";
import { dockerUnavailableSync, runscRegistered } from "../sandbox/docker-availability";

const IMAGE = "platform/busybox:dev";
const ROUNDS = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number) => `${value.toFixed(1)} ms`;

function declared(name: string, network: string, ip: string, runtime?: "runsc") {
  return idleApp({ name, image: IMAGE, hostname: "bench", uid: 20999, env: { A: "1" }, resources: { memoryMb: 64, cpus: 0.25, maxProcesses: 32 }, network, ip, aliases: [name], runtime });
}

async function main() {
  const mapperRounds = 20_000;
  const sample = declared("bench-map", "bench-net", "10.0.0.4");
  let started = performance.now();
  for (let i = 0; i < mapperRounds; i++) toContainerPlan("bench", sample, { "platform.sandbox": "bench" });
  const perPlan = ((performance.now() - started) * 1000) / mapperRounds;
  console.log(`input mapping (pure): ${perPlan.toFixed(1)} µs per container (${mapperRounds} rounds)`);

  const missing = dockerUnavailableSync([IMAGE]);
  if (missing) {
    console.log(`engine measurements skipped: ${missing}`);
    return;
  }
  const docker = new Docker();
  const mirror = new ProviderMirror(`bench-${process.pid}-${randomBytes(3).toString("hex")}`, docker);
  try {
    const subnet = await freeCidr(docker, 24, "10.240.0.0/12");
    const base = subnet.split("/")[0].split(".").slice(0, 3).join(".");
    const network = `sbxbench-${randomBytes(3).toString("hex")}`;
    await mirror.createNetwork("bench-net", { name: network, internal: true, ipamConfigs: [{ subnet, gateway: `${base}.1` }] });
    const runtimes: ("runc" | "runsc")[] = runscRegistered() ? ["runc", "runsc"] : ["runc"];
    const results: Record<string, { up: number; exec: number }> = {};
    for (const runtime of runtimes) {
      const ups: number[] = [];
      const execs: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const name = `${network}-${runtime}-${round}`;
        started = performance.now();
        const created = await mirror.createContainer(name, declared(name, network, `${base}.${10 + round + (runtime === "runsc" ? 100 : 0)}`, runtime === "runsc" ? "runsc" : undefined));
        ups.push(performance.now() - started);
        const container = docker.getContainer(created.id);
        for (let i = 0; i < 3; i++) execs.push((await execIn(container, ["true"], { timeoutMs: 10_000 })).durationMs);
        await container.remove({ force: true });
      }
      results[runtime] = { up: median(ups), exec: median(execs) };
      console.log(`${runtime}: bring-up (create, connect, start, running) median ${ms(results[runtime].up)} of ${ROUNDS}; exec round trip median ${ms(results[runtime].exec)} of ${ROUNDS * 3}`);
    }
    if (results.runsc) {
      console.log(`gVisor/runc: bring-up ×${(results.runsc.up / results.runc.up).toFixed(2)}, exec ×${(results.runsc.exec / results.runc.exec).toFixed(2)}`);
    }
  } finally {
    await mirror.teardown();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
