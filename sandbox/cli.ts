// npm run sandbox -- [--stack dev] [--config FILE] [--keep] [--report FILE] [--only id,id] [--allow-internet]
// Stands the stack up in the local Docker mirror, runs the attack probes against it, prints a table,
// writes the report, and removes everything it created (unless --keep; also on Ctrl-C and failure).
// Exit code: 0 every runnable probe stopped, 1 something was NOT STOPPED / FAILED, 2 the run failed
// (including a run in which no attack ran at all: every probe skipped proves nothing).
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import { wantsColor } from "../cli/terminal";
import { exitWith, ParsedArgs, runCommand } from "../cli/args";
import { bringUp, evaluateProgram } from "./bringup";
import { imagePresent } from "./docker-availability";
import { cleanupLeftovers, ProviderMirror } from "./provider-mirror/docker-resources";
import { builtStaticProbeDir } from "./provider-mirror/probe-mount";
import { gatewayInfo, probeEnvironment } from "./environment";
import { waitUntilReady } from "./readiness";
import { createHostFixtures, HostFixtures } from "./fixtures";
import { createOutsideStandIn } from "./outside";
import { runSuite } from "./probes/suite";
import type { ProbeResult } from "./probes/types";
import { buildReport, formatMarkdown, formatTable, SandboxReport } from "./report";
import { stackInput } from "./stack-input";

export const PROBE_IMAGE = "platform/probe:dev";
/** how long the stack may take to be healthy (Keycloak alone needs 55–90 s on 2 cores) */
const READY_TIMEOUT_MS = 300_000;

const SANDBOX_COMMAND = {
  name: "sandbox",
  usage: "usage: npm run sandbox -- [--stack NAME] [--config FILE] [--keep] [--report FILE(.json|.md)] [--only probe,probe] [--allow-internet]\nThe table's verdicts are coloured on a terminal unless NO_COLOR is set.",
  options: {
    stack: { type: "string" },
    config: { type: "string" },
    keep: { type: "boolean" },
    report: { type: "string" },
    only: { type: "string" },
    "allow-internet": { type: "boolean" },
  },
} as const;

function writeReport(file: string, report: SandboxReport): string[] {
  const json = JSON.stringify(report, null, 2) + "\n";
  const ext = extname(file);
  if (ext === ".json") return (writeFileSync(file, json), [file]);
  if (ext === ".md") return (writeFileSync(file, formatMarkdown(report)), [file]);
  writeFileSync(`${file}.json`, json);
  writeFileSync(`${file}.md`, formatMarkdown(report));
  return [`${file}.json`, `${file}.md`];
}

async function sandbox({ values }: ParsedArgs<typeof SANDBOX_COMMAND.options>): Promise<number> {
  const started = new Date();
  const runId = `${started.toISOString().slice(0, 19).replace(/[-:T]/g, "")}-${randomBytes(3).toString("hex")}`;
  // apps without python3 run the static probe, mounted from build/ (the one difference from production)
  const staticProbe = builtStaticProbeDir();
  const mirror = new ProviderMirror(runId, undefined, { staticProbeDir: "dir" in staticProbe ? staticProbe.dir : undefined });
  let fixtures: HostFixtures | undefined;
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    await fixtures?.close().catch(() => undefined);
    if (values.keep) {
      console.log(`--keep: leaving run ${runId} in place (remove with: docker rm -f $(docker ps -aq -f label=platform.sandbox=${runId}); the next run cleans it up too)`);
      return;
    }
    const removed = await mirror.teardown();
    console.log(`teardown: removed ${removed.length} resources of run ${runId}`);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: tearing down`);
    teardown().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    const leftovers = await cleanupLeftovers(mirror.docker);
    if (leftovers.length) console.log(`removed ${leftovers.length} leftovers of earlier runs`);
    const input = stackInput({ stack: values.stack, overlayFile: values.config });
    console.log(`sandbox run ${runId}: stack ${input.stack} as "${input.stackName}"${input.overlayFile ? ` with ${input.overlayFile}` : ""}`);
    console.log("dir" in staticProbe ? `static probe: ${staticProbe.dir} mounted read-only at /opt/platform-probe in every app container (for apps without python3)` : `static probe: absent: ${staticProbe.absent}`);
    const resources = await evaluateProgram(input);
    console.log(`program: ${resources.length} resources`);
    const up = await bringUp(mirror, resources, (line) => console.log(`  ${line}`));
    // never probe a half-up stack: a container that does not get healthy fails the run (exit 2)
    await waitUntilReady(mirror.docker, up, gatewayInfo(up, input.config), { timeoutMs: READY_TIMEOUT_MS, log: (line) => console.log(`  ${line}`) });
    fixtures = await createHostFixtures(runId);
    let internet: Awaited<ReturnType<typeof createOutsideStandIn>>["endpoint"] | { absent: string };
    if (await imagePresent(mirror.docker, PROBE_IMAGE)) internet = (await createOutsideStandIn(mirror, `sbx-${runId}`, PROBE_IMAGE)).endpoint;
    else internet = { absent: `not started: image ${PROBE_IMAGE} not present (the outside stand-in)` };
    const env = { ...(await probeEnvironment(mirror.docker, up, input.config, { hostMarker: fixtures.hostMarker, hostListener: fixtures.hostListener, internet })), allowInternet: values["allow-internet"] };
    console.log(`probing ${env.apps.length} app(s): ${env.apps.map((a) => `${a.name} (${a.runtime})`).join(", ")}`);
    const results: ProbeResult[] = await runSuite(env, env.apps, {
      only: values.only?.split(",").map((s) => s.trim()),
      onResult: (r) => console.log(`  ${r.verdict.padEnd(11)} ${r.target} ${r.probe}`),
    });
    const report = buildReport(runId, input.stackName, started, up.notStarted.map((n) => ({ resource: n.name, reason: n.reason })), up.discrepancies, results);
    console.log("\n" + formatTable(results, 110, wantsColor(process.stdout, process.env)));
    if (report.notStarted.length) console.log(`\nnot started:\n${report.notStarted.map((n) => `  ${n.resource}: ${n.reason}`).join("\n")}`);
    if (report.discrepancies.length) console.log(`\nDECLARED BUT NOT IN FORCE:\n${report.discrepancies.map((d) => `  ${d.resource} ${d.field}: declared ${d.declared}, actual ${d.actual}`).join("\n")}`);
    if (values.report) console.log(`report: ${writeReport(values.report, report).join(", ")}`);
    if (report.error) {
      // skipped probes are not stopped attacks: a run in which none ran is an error, never a pass
      console.error(`sandbox failed: ${report.error}`);
      return 2;
    }
    return report.passed ? 0 : 1;
  } catch (error) {
    const message = (error as Error).message;
    console.error(`sandbox failed: ${message}`);
    if (values.report) {
      const report = { ...buildReport(runId, values.stack ?? "?", started, [], [], []), passed: false, error: message };
      console.log(`report: ${writeReport(values.report, report).join(", ")}`);
    }
    return 2;
  } finally {
    await teardown();
  }
}

exitWith(runCommand(SANDBOX_COMMAND, process.argv.slice(2), sandbox), { immediately: true });
