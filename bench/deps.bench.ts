// Dependency checks against a database the size of a real one: 100,000 generated OSV advisories in
// osv.dev's export layout (one all.zip per ecosystem). Measured in this one run:
//   - loading it (unzip, parse, check, index), next to the floor of only unzipping (the same zip reader) and JSON.parse-ing the same bytes;
//   - heap held by the loaded database;
//   - component checks per second (matchComponents: lookup, range walk, alias merge, severity).
// Goals (issue 14): the database loaded in under 5 s, >= 50,000 component checks/s.
// Run: npm run bench -- deps
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { componentFromPurl } from "../deps/ecosystems";
import type { Component } from "../deps/model";
import { loadAdvisoryDatabase } from "../deps/osv/load";
import { matchComponents } from "../deps/osv/match";
import { readZipEntries } from "../deps/osv/zip";
import { componentPurls, writeOsvCorpus } from "./support/osv-corpus";

const ADVISORIES = 100_000;
const COMPONENTS = 20_000;
const LOAD_GOAL_S = 5;
const CHECK_GOAL = 50_000;
const TIME_BUDGET_MS = 240_000;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapMiB = () => (gc(), gc(), process.memoryUsage().heapUsed / 2 ** 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The floor: the same zip reader and JSON.parse on every record, and nothing else (no checks, no index). */
function floorParse(dir: string): number {
  let records = 0;
  const decoder = new TextDecoder();
  for (const folder of readdirSync(dir)) {
    readZipEntries(readFileSync(join(dir, folder, "all.zip")), 2 ** 25, {
      wanted: () => true,
      entry: (_name, bytes) => {
        if (typeof bytes === "string") throw new Error(bytes);
        JSON.parse(decoder.decode(bytes));
        records++;
      },
    });
  }
  return records;
}

function timed<T>(run: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = run();
  return { ms: performance.now() - t0, value };
}

function main(): void {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "deps-bench-"));
  try {
    const written = timed(() => writeOsvCorpus(dir, ADVISORIES));
    console.log(`generated ${ADVISORIES.toLocaleString("en-US")} advisories (${(written.value.jsonBytes / 2 ** 20).toFixed(0)} MiB of JSON) in ${(written.ms / 1000).toFixed(1)} s`);

    const loads: number[] = [];
    const floors: number[] = [];
    for (let round = 0; round < 3; round++) {
      floors.push(timed(() => floorParse(dir)).ms);
      loads.push(timed(() => loadAdvisoryDatabase(dir)).ms);
    }
    const before = heapMiB();
    const database = loadAdvisoryDatabase(dir);
    const held = heapMiB() - before;
    const load = median(loads) / 1000;
    console.log(`load: median ${load.toFixed(2)} s of 3 (floor: unzip + JSON.parse only, ${(median(floors) / 1000).toFixed(2)} s → ×${(median(loads) / median(floors)).toFixed(2)}); ${database.stats.records.toLocaleString("en-US")} records, ${database.stats.broken.length} broken`);
    console.log(`  goal < ${LOAD_GOAL_S} s: ${load < LOAD_GOAL_S ? "met" : "NOT met"} (${(LOAD_GOAL_S / load).toFixed(2)}× headroom); heap held by the database ${held.toFixed(0)} MiB`);

    const components = componentPurls(COMPONENTS, ADVISORIES).map((purl) => componentFromPurl(purl, { kind: "sbom" })) as Component[];
    if (components.some((c) => typeof c === "string" || c.problem)) throw new Error("the generated components must all be checkable");
    let vulnerable = 0;
    let vulnerabilities = 0;
    matchComponents(database, components); // JIT and version caches
    const rounds: number[] = [];
    for (let round = 0; round < 7 && performance.now() - started < TIME_BUDGET_MS; round++) {
      const { ms, value } = timed(() => matchComponents(database, components));
      rounds.push(ms);
      vulnerable = value.filter((m) => m.vulnerabilities.length).length;
      vulnerabilities = value.reduce((n, m) => n + m.vulnerabilities.length, 0);
    }
    const perSecond = COMPONENTS / (median(rounds) / 1000);
    console.log(`checks: ${COMPONENTS.toLocaleString("en-US")} components (75% named in the database), median ${median(rounds).toFixed(0)} ms of ${rounds.length} rounds → ${Math.round(perSecond).toLocaleString("en-US")} component checks/s; ${vulnerable} vulnerable, ${vulnerabilities} vulnerabilities`);
    console.log(`  goal ≥ ${CHECK_GOAL.toLocaleString("en-US")}/s: ${perSecond >= CHECK_GOAL ? "met" : "NOT met"} (${(perSecond / CHECK_GOAL).toFixed(2)}× the goal)`);
    console.log(`total bench time ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
