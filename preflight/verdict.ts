// From the swarm's nodes and what each probe task printed to a verdict per node and requirement, and the
// exit code. Pure. A node counts as verified only when its task ran and printed every section: a node
// that was not probed is never reported as passing.
import type { NodeRequirement } from "../render/swarm/node-requirements";
import { fixFor, manualCheck } from "./host-steps";
import type { ParsedProbeOutput } from "./probe-script";

/** The label that puts gVisor apps on a node (render/swarm: the runsc requirement). */
export const RUNSC_LABEL = "platform.runtime";

export interface SwarmNodeInfo {
  id: string;
  hostname: string;
  role: string;
  /** ready, down, unknown, disconnected */
  state: string;
  /** active, pause, drain */
  availability: string;
  labels: Record<string, string>;
}

/** What happened to one node's probe task. */
export type NodeRun = { kind: "probed"; output: ParsedProbeOutput } | { kind: "not-probed"; reason: string };

export type CellStatus = "pass" | "FAIL" | "manual" | "n/a" | "not probed";

export interface Cell {
  node: string;
  requirement: NodeRequirement["id"];
  status: CellStatus;
  /** FAIL: what was seen (truncated); manual: what to check; n/a and not probed: why */
  detail: string;
  /** FAIL: the daemon.json key or host step that fixes it */
  fix?: string;
}

export interface NodeVerdict {
  node: SwarmNodeInfo;
  /** the task ran and printed every section */
  probed: boolean;
  /** why not, when not probed */
  reason?: string;
  cells: Cell[];
}

export interface PreflightVerdict {
  stack: string;
  image: string;
  nodes: NodeVerdict[];
  /** problems of the swarm as a whole (e.g. no node for the stack's gVisor apps) */
  findings: string[];
  probedNodes: number;
  failures: number;
  exitCode: 0 | 1 | 2;
}

export interface VerdictOptions {
  stack: string;
  image: string;
  /** Drain, Pause and not-Ready nodes are listed as not probed without failing the run */
  skipUnavailable: boolean;
}

/** Only Ready + Active nodes can run a task now. */
export function unavailableReason(node: SwarmNodeInfo): string | undefined {
  if (node.state !== "ready") return `node is ${node.state}, not ready`;
  if (node.availability !== "active") return `availability ${node.availability}, not active`;
  return undefined;
}

export function probeTargets(nodes: readonly SwarmNodeInfo[]): SwarmNodeInfo[] {
  return nodes.filter((n) => unavailableReason(n) === undefined);
}

const SEEN_MAX = 160;

/** Literal text of at least 5 characters in a pattern (`Max open files` in `(?:^|\\n)Max open files\\s+1024`). */
function literalsOf(pattern: string): string[] {
  return pattern
    .split(/\\[a-zA-Z]|\(\?[:=!]|[\\^$.*+?()[\]{}|]/)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk.length >= 5 && /[a-z]/i.test(chunk));
}

/** The lines of a probe's output the pattern is about (those holding one of its literals); all lines when none does. */
export function relevantLines(output: string, pattern: string): string {
  const literals = literalsOf(pattern);
  const lines = output.split("\n").filter((line) => literals.some((literal) => line.includes(literal)));
  return lines.length ? lines.join("\n") : output;
}

/** The output as one short line: whitespace runs folded, cut at `max` characters with an ellipsis. */
export function truncateSeen(output: string, max = SEEN_MAX): string {
  const line = output.replace(/\s+/g, " ").trim();
  if (line === "") return "(no output)";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Whether the requirement applies on this node: runsc only where apps may be placed (the label); static addresses nowhere (aliases). */
function notApplicable(requirement: NodeRequirement, node: SwarmNodeInfo): string | undefined {
  if (requirement.id === "static-addresses") return "nothing to provide on a node: the stack reaches the proxies by alias";
  if (requirement.id === "runsc" && node.labels[RUNSC_LABEL] !== "runsc") return `no label ${RUNSC_LABEL}=runsc: no gVisor app is placed here`;
  return undefined;
}

function probeCell(requirement: NodeRequirement, node: SwarmNodeInfo, output: ParsedProbeOutput, stack: string): Cell {
  const base = { node: node.hostname, requirement: requirement.id };
  const section = output.sections[requirement.id];
  const fix = fixFor(requirement, stack);
  if (!section) return { ...base, status: "FAIL", detail: "the probe printed nothing (its section is missing)", fix };
  if (new RegExp(requirement.probe!.expect).test(section.output)) return { ...base, status: "pass", detail: "" };
  const prefix = section.status === undefined ? "cut off: " : section.status === 0 ? "" : `exit ${section.status}: `;
  return { ...base, status: "FAIL", detail: `saw ${JSON.stringify(`${prefix}${truncateSeen(relevantLines(section.output, requirement.probe!.expect))}`)}`, fix };
}

/** One node's row: a cell per requirement. */
export function nodeVerdict(node: SwarmNodeInfo, requirements: readonly NodeRequirement[], run: NodeRun | undefined, stack: string): NodeVerdict {
  const unavailable = unavailableReason(node);
  let reason = unavailable ?? (run === undefined ? "no probe task ran" : run.kind === "not-probed" ? run.reason : undefined);
  if (!reason && run?.kind === "probed") {
    if (run.output.missingTools.length) reason = `the image lacks ${run.output.missingTools.join(", ")} (pick another with --image)`;
    else if (!run.output.done) reason = "the probe task's output ended before its last line";
  }
  const cells = requirements.map((requirement): Cell => {
    const base = { node: node.hostname, requirement: requirement.id };
    const na = notApplicable(requirement, node);
    if (na) return { ...base, status: "n/a", detail: na };
    if (!requirement.probe) return { ...base, status: "manual", detail: manualCheck(requirement) };
    if (reason || run?.kind !== "probed") return { ...base, status: "not probed", detail: reason ?? "" };
    return probeCell(requirement, node, run.output, stack);
  });
  return { node, probed: reason === undefined, ...(reason ? { reason } : {}), cells };
}

/**
 * The whole run. Exit 0: at least one node probed, every probed requirement passed everywhere, and every
 * node was probed (or, with skipUnavailable, the unprobed ones are Drain/Pause/not Ready). Exit 1: a FAIL,
 * a finding, or a node that should have been probed and was not. Exit 2: no node probed at all.
 */
export function preflightVerdict(
  nodes: readonly SwarmNodeInfo[],
  requirements: readonly NodeRequirement[],
  runs: ReadonlyMap<string, NodeRun>,
  options: VerdictOptions,
): PreflightVerdict {
  const verdicts = [...nodes]
    .sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0))
    .map((node) => nodeVerdict(node, requirements, runs.get(node.id), options.stack));
  const findings: string[] = [];
  const runsc = requirements.find((r) => r.id === "runsc");
  if (runsc && !verdicts.some((v) => v.probed && v.node.labels[RUNSC_LABEL] === "runsc")) {
    findings.push(
      `runsc: the stack has gVisor apps, and no probed node is labelled ${RUNSC_LABEL}=runsc; their tasks would stay pending. Fix: ${runsc.provide}`,
    );
  }
  const failures = verdicts.flatMap((v) => v.cells).filter((c) => c.status === "FAIL").length;
  const probedNodes = verdicts.filter((v) => v.probed).length;
  // with skipUnavailable, only nodes that could not run a task now are excused
  const missed = verdicts.filter((v) => !v.probed && !(options.skipUnavailable && unavailableReason(v.node) !== undefined)).length;
  const exitCode = probedNodes === 0 ? 2 : failures > 0 || findings.length > 0 || missed > 0 ? 1 : 0;
  return { stack: options.stack, image: options.image, nodes: verdicts, findings, probedNodes, failures, exitCode };
}
