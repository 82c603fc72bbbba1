// npm run sandbox -- [--stack dev] [--config FILE] [--keep] [--report FILE] [--only id,id] [--allow-internet] [--nodes H=URL,...]
// Stands the stack up in the local Docker mirror (a Swarm stack: on the swarm DOCKER_HOST manages, with
// every node's engine given by --nodes), runs the attack probes against it, prints a table,
// writes the report, and removes everything it created (unless --keep; also on Ctrl-C and failure).
// Exit code: 0 every runnable probe stopped, 1 something was NOT STOPPED / FAILED, 2 the run failed
// (including a run in which no attack ran at all: every probe skipped proves nothing).
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import { wantsColor } from "../cli/terminal";
import { exitWith, ParsedArgs, runCommand, UsageError } from "../cli/args";
import type { ProbeResult } from "./probes/types";
import { buildReport, formatMarkdown, formatTable, SandboxReport } from "./report";
import { newRunId, SandboxSession } from "./session";
import { stackInput } from "./stack-input";
import Docker from "dockerode";
import { parsePlatformConfig, rawConfigFromFlatMap } from "../config/load";
import { parseNodeEngines } from "./swarm/engines";
import { SwarmSandboxSession } from "./swarm/session";

const SANDBOX_COMMAND = {
  name: "sandbox",
  usage:
    "usage: npm run sandbox -- [--stack NAME] [--config FILE] [--keep] [--report FILE(.json|.md)] [--only probe,probe] [--allow-internet] [--nodes HOSTNAME=URL,...]\n" +
    "A Swarm stack (platform:orchestrator: swarm) is stood up on the swarm whose manager DOCKER_HOST points at; --nodes gives every\n" +
    "node's own engine (unix:///path or tcp://host:port), where its tasks are probed.\nThe table's verdicts are coloured on a terminal unless NO_COLOR is set.",
  options: {
    stack: { type: "string" },
    config: { type: "string" },
    keep: { type: "boolean" },
    report: { type: "string" },
    only: { type: "string" },
    "allow-internet": { type: "boolean" },
    nodes: { type: "string" },
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
  const runId = newRunId(started);
  let session: SandboxSession | SwarmSandboxSession | undefined;
  const teardown = async () => {
    if (!session) return;
    if (values.keep) {
      await session.teardown(true);
      console.log(`--keep: leaving run ${runId} in place (remove with: docker rm -f $(docker ps -aq -f label=platform.sandbox=${runId}); the next run cleans it up too)`);
      return;
    }
    const removed = await session.teardown();
    console.log(`teardown: removed ${removed.length} resources of run ${runId}`);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: tearing down`);
    teardown().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    const input = stackInput({ stack: values.stack, overlayFile: values.config });
    const log = (line: string) => console.log(line);
    const swarm = parsePlatformConfig(rawConfigFromFlatMap(input.config)).config.orchestrator === "swarm";
    if (!swarm && values.nodes) throw new UsageError(`--nodes: stack ${input.stack} is not a Swarm stack (platform:orchestrator is engine)`);
    if (swarm && !values.nodes) throw new UsageError(`--nodes: stack ${input.stack} is a Swarm stack: give every node's engine as HOSTNAME=URL,... (the manager is DOCKER_HOST)`);
    session = swarm ? new SwarmSandboxSession(runId, input, { manager: new Docker(), nodes: parseNodeEngines(values.nodes!), log }) : new SandboxSession(runId, input, { log });
    console.log(`sandbox run ${runId}: stack ${input.stack} as "${input.stackName}"${input.overlayFile ? ` with ${input.overlayFile}` : ""}`);
    const probe = session.staticProbe;
    if ("absent" in probe) console.log(`static probe: absent: ${probe.absent}`);
    else if (swarm) console.log(`static probe: ${probe.dir}, copied onto every node by the node fixtures and mounted read-only at /opt/platform-probe in every app task (for apps without python3)`);
    else console.log(`static probe: ${probe.dir} mounted read-only at /opt/platform-probe in every app container (for apps without python3)`);
    const up = await session.standUp();
    const results: ProbeResult[] = await session.probe({
      only: values.only?.split(",").map((s) => s.trim()),
      allowInternet: values["allow-internet"],
      onResult: (r) => console.log(`  ${r.verdict.padEnd(11)} ${r.target} ${r.probe}`),
    });
    // a Swarm stack has nothing of the kind: services wait for their images, and tasks have no static addresses to compare
    const notStarted = "notStarted" in up ? up.notStarted.map((n) => ({ resource: n.name, reason: n.reason })) : [];
    const report = buildReport(runId, input.stackName, started, notStarted, "discrepancies" in up ? up.discrepancies : [], results);
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
    if (error instanceof UsageError) throw error;
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
