// One admission of a vendor's app, start to verdict: the manifest vetted in the stack (V-A), its SBOM and
// image against the advisory database (V-B), the app with its own image in the sandbox beside the stack's
// platform, watched and then attacked from inside (V-C), the verdict over all of it, and, when admitted,
// the admission record the standing dependency re-check reads. Inputs that cannot be used end it before
// anything is stood up (UnusableAdmissionInput); every later failure is a step's error in the report.
import Docker from "dockerode";
import { existsSync, readdirSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import type { PackConfig } from "../policies/evaluate";
import { ConfigError } from "../config/errors";
import { isStackName, LoadedConfig, loadStackFile, parsePlatformConfig, rawConfigFromFlatMap, readStackFile, STACK_NAME_RULE, StackFileError, stackFilePath } from "../config/load";
import { loadDatabase, resolveFromProject, vulnDbDir } from "../deps/cli/inputs";
import { UnusableInputError } from "../deps/model";
import type { AdvisoryDatabase } from "../deps/osv/load";
import { buildAdmissionRecord, writeAdmissionRecord } from "../deps/records";
import { imagePresent } from "../sandbox/docker-availability";
import { freeCidr, overlappingSubnets } from "../sandbox/provider-mirror/free-subnet";
import type { SandboxSession } from "../sandbox/session";
import { REPO_ROOT, StackInput } from "../sandbox/stack-input";
import { topologySvg } from "../topology/svg";
import { ADMISSION_REPORT_FORMAT, AdmissionReport } from "./report/model";
import { checkAppDependencies } from "./steps/dependency-step";
import { readManifest, vetManifest } from "./steps/manifest-step";
import { runSandboxStep } from "./steps/sandbox-step";
import { UnusableAdmissionInput } from "./steps/unusable-input";
import { overallVerdict } from "./verdict";

export interface AdmissionOptions {
  manifestFile: string;
  sbomFile?: string;
  /** default: the stack's platform:admission.vulnDb */
  vulnDb?: string;
  stack: string;
  observeMs: number;
  packConfig?: PackConfig;
  keep?: boolean;
  log: (line: string) => void;
  onSession?: (session: SandboxSession) => void;
  docker?: Docker;
}

function loadStack(stack: string): { file: string; flat: Record<string, unknown>; loaded: LoadedConfig } {
  if (!isStackName(stack)) throw new UnusableAdmissionInput(`--stack ${JSON.stringify(stack)}: give ${STACK_NAME_RULE}`);
  const file = stackFilePath(stack, REPO_ROOT);
  if (!existsSync(file)) {
    const stacks = readdirSync(REPO_ROOT).flatMap((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1] ?? []);
    throw new UnusableAdmissionInput(`--stack ${stack}: there is no ${file}: give one of this project's stacks (${stacks.join(", ") || "none"})`);
  }
  try {
    return { file, flat: readStackFile(file), loaded: loadStackFile(file) };
  } catch (error) {
    if (error instanceof StackFileError || error instanceof ConfigError) throw new UnusableAdmissionInput(`stack ${stack}: ${error.message}`);
    throw error;
  }
}

/** The database's directory, from --vuln-db or the stack; checked before anything slow runs. */
function vulnDbDirectory(option: string | undefined, loaded: LoadedConfig): string {
  let dir: string;
  try {
    dir = vulnDbDir(option, loaded.config.admission);
  } catch (error) {
    throw new UnusableAdmissionInput((error as Error).message);
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UnusableAdmissionInput(`vulnerability database ${dir} is not a directory: give --vuln-db DIR, a directory of osv.dev exports (docs/dependency-checks.md)`);
  return dir;
}

function loadVulnDb(dir: string): AdvisoryDatabase {
  try {
    return loadDatabase(dir);
  } catch (error) {
    if (error instanceof UnusableInputError || (error as NodeJS.ErrnoException).code) throw new UnusableAdmissionInput(`vulnerability database: ${(error as Error).message}`);
    throw error;
  }
}

/** The stack's apps with this one added (or replacing an earlier version of it), as the sandbox evaluates it. */
function stackWithApp(flat: Record<string, unknown>, manifest: Record<string, unknown>): Record<string, unknown> {
  const current = flat["platform:apps"];
  // the stack file was validated whole, so its apps are a list (Pulumi config may hold it as a JSON string)
  const apps = (typeof current === "string" ? JSON.parse(current) : (current ?? [])) as Record<string, unknown>[];
  return { ...flat, "platform:apps": [...apps.filter((a) => a?.name !== manifest.name), manifest] };
}

/** The stack's base CIDR, or a free /16 when a network on this engine already uses part of it (a dev stack that is up). */
async function sandboxNetwork(docker: Docker, flat: Record<string, unknown>, loaded: LoadedConfig, log: (line: string) => void): Promise<Record<string, unknown>> {
  const baseCidr = loaded.config.network.baseCidr;
  const taken = await overlappingSubnets(docker, baseCidr);
  if (!taken.length) return flat;
  const free = await freeCidr(docker, 16);
  log(`platform:network.baseCidr ${baseCidr} overlaps Docker networks on this engine (${taken.slice(0, 3).join(", ")}): the sandbox uses ${free} instead`);
  return { ...flat, "platform:network": { ...((flat["platform:network"] as object) ?? {}), baseCidr: free } };
}

export interface AdmissionResult {
  report: AdmissionReport;
  /** the app's place in the stack, drawn from the plan the sandbox ran (SVG), or why it could not be drawn */
  topology: { svg: string } | { error: string };
}

async function appTopology(flat: Record<string, unknown>, app: string, stackName: string): Promise<AdmissionResult["topology"]> {
  try {
    const { config } = parsePlatformConfig(rawConfigFromFlatMap(flat));
    return { svg: await topologySvg(config, { app, stack: stackName }) };
  } catch (error) {
    return { error: `the topology could not be drawn: ${(error as Error).message}` };
  }
}

export async function runAdmission(options: AdmissionOptions): Promise<AdmissionResult> {
  const started = new Date();
  const { log } = options;
  const docker = options.docker ?? new Docker();
  const stack = loadStack(options.stack);

  // the quick checks of every input first: a run of minutes never ends on a typo
  const read = readManifest(options.manifestFile);
  const app = read.app;
  const vulnDb = vulnDbDirectory(options.vulnDb, stack.loaded);
  try {
    if (!(await imagePresent(docker, app.image))) {
      throw new UnusableAdmissionInput(`image ${app.image} (app:image) is not in the local Docker engine: build it (docker build -t ${app.image} ...) or load the vendor's archive (docker load -i FILE) first; no registry is contacted`);
    }
  } catch (error) {
    if (error instanceof UnusableAdmissionInput) throw error;
    throw new UnusableAdmissionInput(`the Docker engine did not answer (${(error as Error).message}): start dockerd, or set DOCKER_HOST`);
  }
  log(`1/4 manifest: ${options.manifestFile} in ${stack.file}`);
  const manifest = await vetManifest(options.manifestFile, read, stack.file, options.packConfig);
  const database = loadVulnDb(vulnDb);
  const policy = stack.loaded.config.admission;

  log(`2/4 dependencies: ${options.sbomFile ?? "no SBOM"} and image ${app.image}`);
  const dependencies = await checkAppDependencies({ sbomFile: options.sbomFile, image: app.image, app: app.name, database, policy, docker });

  log(`3/4 sandbox: app ${app.name} beside stack ${options.stack}'s services, gateway, identity provider and egress proxy`);
  const flat = await sandboxNetwork(docker, stackWithApp(stack.flat, manifest.raw), stack.loaded, log);
  const input: StackInput = { stack: options.stack, stackName: `admit-${randomBytes(3).toString("hex")}`, config: flat };
  const sandbox = await runSandboxStep({
    input,
    app: app.name,
    limits: { memoryMb: app.resources.memoryMb, maxProcesses: app.resources.maxProcesses },
    observeMs: options.observeMs,
    rules: stack.loaded.config.monitor.rules,
    log,
    keep: options.keep,
    onSession: options.onSession,
  });

  log("4/4 verdict");
  const verdict = overallVerdict({ manifest: manifest.ruling, dependencies: dependencies.ruling, attacks: sandbox.attacks.ruling, behaviour: sandbox.behaviour.ruling });
  let record: string | undefined;
  if (verdict.verdict === "admit" && dependencies.report) {
    record = writeAdmissionRecord(resolveFromProject(policy.recordsDir), buildAdmissionRecord(dependencies.report, options.stack, app.name));
  }
  const topology = await appTopology(flat, app.name, input.stackName);
  const finished = new Date();
  const report: AdmissionReport = {
    format: ADMISSION_REPORT_FORMAT,
    app: app.name,
    image: app.image,
    manifest: options.manifestFile,
    ...(options.sbomFile ? { sbom: options.sbomFile } : {}),
    stack: options.stack,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    ...verdict,
    steps: { manifest: manifest.step, dependencies: dependencies.step, attacks: sandbox.attacks.step, behaviour: sandbox.behaviour.step },
    ...(record ? { record } : {}),
  };
  return { report, topology };
}
