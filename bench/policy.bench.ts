// Offline checker throughput: resources checked per second with every rule on (resource and stack
// rules, runtime-style unknown-checking proxy), for 1,000 and 10,000 container resources.
// Goal: >= 20,000 resources/s. Run: npx tsx bench/policy.bench.ts
import { performance } from "node:perf_hooks";
import { checkFile } from "../checker/check";
import { evaluate, CheckedResource } from "../policies/evaluate";
import { allRules } from "../policies/registry";
import { CONTAINER, hardenedAppProps } from "../test/fixtures/policy/resources";

const GOAL = 20_000;
const TIME_BUDGET_MS = 90_000;
const started = performance.now();

/**
 * Hardened service containers, with every fourth one an insecure app container (privileged, root,
 * SYS_ADMIN, unpinned, and none of its stack wiring), so the run also pays for violation messages.
 */
function containers(count: number): CheckedResource[] {
  return Array.from({ length: count }, (_, i) => {
    const props = hardenedAppProps();
    props.name = `svc-${i}`;
    props.labels = [{ label: "platform.role", value: "service" }, { label: "platform.service", value: `svc-${i}` }];
    props.networkMode = "services";
    props.networksAdvanced = [{ name: "services", aliases: [`svc-${i}`] }];
    if (i % 4 === 0) {
      props.labels = [{ label: "platform.role", value: "app" }, { label: "platform.app", value: `app-${i}` }];
      props.privileged = true;
      props.user = "root";
      props.capabilities = { drops: [], adds: ["SYS_ADMIN"] };
      props.image = `registry.example/app-${i}:latest`;
    }
    return { type: CONTAINER, name: `app-${i}`, props };
  });
}

async function measure(label: string, count: number, once: () => number | Promise<number>): Promise<{ perSecond: number; findings: number }> {
  for (let warm = 0; warm < 3; warm++) await once(); // JIT and module caches
  const rounds: number[] = [];
  let findings = 0;
  for (let round = 0; round < 9 && performance.now() - started < TIME_BUDGET_MS; round++) {
    const t0 = performance.now();
    findings = await once();
    rounds.push(performance.now() - t0);
  }
  rounds.sort((a, b) => a - b);
  const median = rounds[Math.floor(rounds.length / 2)];
  const perSecond = count / (median / 1000);
  console.log(`  ${label.padEnd(40)} ${String(count).padStart(6)} containers  median ${median.toFixed(1).padStart(7)} ms  ${Math.round(perSecond).toLocaleString("en-US").padStart(9)} resources/s  (${findings} findings, ${rounds.length} rounds)`);
  return { perSecond, findings };
}

console.log(`policy checker benchmark: ${allRules.length} rules on (${allRules.filter((r) => r.kind === "stack").length} stack rules), goal ${GOAL.toLocaleString("en-US")} resources/s`);
async function run(): Promise<void> {
  const results: { label: string; perSecond: number }[] = [];
  for (const count of [1_000, 10_000]) {
    const resources = containers(count);
    const engine = await measure("engine: evaluate()", count, () => evaluate(resources).length);
    const text = JSON.stringify(resources.map((r) => ({ type: r.type, name: r.name, props: r.props })));
    const endToEnd = await measure("checker: JSON file -> findings", count, async () => (await checkFile("bench.json", undefined, text)).findings.length);
    results.push({ label: `${count} engine`, perSecond: engine.perSecond }, { label: `${count} end-to-end`, perSecond: endToEnd.perSecond });
}
  const slowest = results.reduce((a, b) => (a.perSecond < b.perSecond ? a : b));
  const scale = results[2].perSecond / results[0].perSecond;
  console.log(`slowest: ${slowest.label} at ${Math.round(slowest.perSecond).toLocaleString("en-US")} resources/s = ${(slowest.perSecond / GOAL).toFixed(2)}x the goal (${slowest.perSecond >= GOAL ? "met" : "NOT met"})`);
  console.log(`scaling: engine throughput at 10,000 is ${scale.toFixed(2)}x that at 1,000 (1.00 = linear)`);
  console.log(`total bench time ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

void run();
