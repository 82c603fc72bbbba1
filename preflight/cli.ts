// npm run swarm:preflight -- --stack NAME [--image IMAGE] [--timeout 60s] [--json FILE] [--skip-unavailable]
// Checks, before a deploy, that every node of the swarm the Docker client points at (DOCKER_HOST) provides
// the stack's node requirements (render/swarm/node-requirements.ts): one short-lived probe service per
// Ready + Active node runs every probe, its output comes back through the service logs API, and each
// requirement's pattern is matched. The services are removed in every case, Ctrl-C included.
// Exit code: 0 every probed requirement passed on every node (at least one probed), 1 a FAIL or a node
// not probed, 2 bad usage, an invalid or non-Swarm stack, no swarm manager, or no node probed.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import Docker from "dockerode";
import { CommandIo, exitWith, processIo, runCommand, USAGE_EXIT_CODE } from "../cli/args";
import { parseDurationOption } from "../cli/duration";
import { ConfigError } from "../config/errors";
import { StackFileError } from "../config/load";
import { dockerHostName, managerProblem, removeProbeServices, RUN_LABEL, runProbeTasks, swarmNodes } from "./probe-service";
import { demuxDockerLogs, probeMarker, probeScript } from "./probe-script";
import { formatVerdict } from "./report";
import { loadSwarmStack, PROJECT_DIR } from "./stack";
import { NodeRun, preflightVerdict, probeTargets } from "./verdict";

const INTERRUPTED = 130;

const PREFLIGHT_COMMAND = {
  name: "swarm:preflight",
  usage: [
    "usage: npm run swarm:preflight -- --stack NAME [--image IMAGE] [--timeout 60s] [--json FILE] [--skip-unavailable]",
    "  --stack NAME        the Swarm stack whose node requirements to check (Pulumi.NAME.yaml)",
    "  --image IMAGE       the probe tasks' image, present on every node, with sh, grep and cat",
    "                      (default: the stack's egress proxy image, platform:egress.image)",
    "  --timeout DURATION  how long to wait for every probe task, e.g. 60s, 2m (default 60s, from 1s to 1h)",
    "  --json FILE         also write the verdict as JSON to FILE",
    "  --skip-unavailable  Drain, Pause and not-Ready nodes are listed as not probed without failing the run",
    "runs against the swarm manager DOCKER_HOST points at (default unix:///var/run/docker.sock)",
    "exit code: 0 every probed requirement passed on every node, 1 a FAIL or a node not probed,",
    "           2 bad usage, an invalid or non-Swarm stack, no swarm manager, or no node probed",
  ].join("\n"),
  options: {
    stack: { type: "string" },
    image: { type: "string" },
    timeout: { type: "string", default: "60s" },
    json: { type: "string" },
    "skip-unavailable": { type: "boolean" },
  },
} as const;

/** A probe task needs seconds to be scheduled and started; longer than an hour is a hung node. */
const TIMEOUT_RANGE = { minMs: 1000, maxMs: 3_600_000 };

interface PreflightValues {
  stack: string | undefined;
  image: string | undefined;
  timeout: string;
  json: string | undefined;
  "skip-unavailable": boolean;
}

async function preflight(values: PreflightValues, io: CommandIo, projectDir: string, docker: Docker): Promise<number> {
  const timeoutMs = parseDurationOption("timeout", values.timeout, TIMEOUT_RANGE);
  let loaded;
  try {
    loaded = loadSwarmStack(values.stack, projectDir, "swarm:preflight");
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof StackFileError)) throw error;
    io.stderr(`swarm:preflight: ${error.message}`);
    return USAGE_EXIT_CODE;
  }
  const image = values.image ?? loaded.config.egress.image;

  let problem: string | undefined;
  try {
    problem = await managerProblem(docker);
  } catch (error) {
    problem = `cannot reach the Docker engine at ${dockerHostName()}: ${(error as Error).message}`;
  }
  if (problem) {
    io.stderr(`swarm:preflight: ${problem}`);
    return USAGE_EXIT_CODE;
  }
  const nodes = await swarmNodes(docker);
  const requirements = loaded.swarm.nodeRequirements;
  const runId = randomBytes(5).toString("hex");
  const marker = probeMarker(randomBytes(8).toString("hex"));
  const targets = probeTargets(nodes);

  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let runs = new Map<string, NodeRun>();
  let leftover = "";
  let removed: string[] = [];
  try {
    if (targets.length > 0) {
      io.stderr(`swarm:preflight: probing ${targets.length} node(s) with ${image} (services labelled ${RUN_LABEL}=${runId}, up to ${values.timeout})`);
      runs = await runProbeTasks(docker, targets, { image, script: probeScript(requirements, marker), marker, runId, timeoutMs, signal: abort.signal, decodeLogs: demuxDockerLogs, progress: (message) => io.stderr(`swarm:preflight: ${message}`) });
    }
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    try {
      removed = await removeProbeServices(docker, runId);
    } catch (error) {
      leftover = `could not remove the probe services: ${(error as Error).message}; remove them with docker service rm $(docker service ls -q --filter label=${RUN_LABEL}=${runId})`;
    }
  }
  const verdict = preflightVerdict(nodes, requirements, runs, { stack: loaded.stack, image, skipUnavailable: values["skip-unavailable"] });
  io.stdout(formatVerdict(verdict).join("\n"));
  if (values.json !== undefined) {
    try {
      writeFileSync(values.json, `${JSON.stringify(verdict, null, 2)}\n`);
    } catch (error) {
      io.stderr(`swarm:preflight: cannot write --json ${values.json}: ${(error as Error).message}`);
      return USAGE_EXIT_CODE;
    }
  }
  if (leftover) {
    io.stderr(`swarm:preflight: ${leftover}`);
    return Math.max(verdict.exitCode, 1);
  }
  if (abort.signal.aborted) {
    io.stderr(`swarm:preflight: interrupted; removed ${removed.length} probe service(s)`);
    return INTERRUPTED;
  }
  return verdict.exitCode;
}

/** The command, callable in-process: `argv` without the node and script names; `docker` defaults to DOCKER_HOST's engine. */
export function main(argv: readonly string[], io: CommandIo = processIo, projectDir = PROJECT_DIR, docker: Docker = new Docker()): Promise<number> {
  return runCommand(PREFLIGHT_COMMAND, argv, ({ values }) => preflight(values, io, projectDir, docker), io);
}

if (require.main === module) exitWith(main(process.argv.slice(2)), { immediately: true });
