// The admission report: what the admit command decided and why, with everything each step found. The
// JSON file is this object; the Markdown and HTML pages are drawn from it alone (plus the app's topology
// picture, which the HTML embeds), so the three always say the same.
import type { DependencyReport } from "../../deps/check";
import type { Finding } from "../../policies/evaluate";
import type { ProbeResult } from "../../sandbox/probes/types";
import type { Observation } from "../observe";

export const ADMISSION_REPORT_FORMAT = "platform-admission-report/1";

/** The steps of an admission, in the order they run (paper V-A to V-C, then the observation). */
export type StepName = "manifest" | "dependencies" | "attacks" | "behaviour";

/**
 * pass: the step ran and found nothing that rejects. reject: it ran and found reasons. error: it could
 * not run to the end (its reasons say why); an admission with an errored step never admits.
 */
export type StepStatus = "pass" | "reject" | "error";

/** One reason for a rejection, with the step that found it. */
export interface Reason {
  step: StepName;
  text: string;
}

export interface ManifestStep {
  status: StepStatus;
  /** the pack's findings the manifest brings (mandatory ones reject; advisories are listed) */
  findings: Finding[];
  /** findings the stack has without this app: not charged to the vendor */
  stackFindings: number;
  resourcesChecked: number;
}

export interface DependencyStep {
  status: StepStatus;
  /** the dependency check's report without its component list (that is kept in the admission record) */
  report?: Omit<DependencyReport, "components">;
  error?: string;
}

export interface AttackStep {
  status: StepStatus;
  /** the sandbox run's id: every Docker object it made is labelled with it */
  runId: string;
  /** how the probes ran in the app: "python" (its own python3) or "static" (the mounted static probe) */
  probeRuntime?: string;
  /** what the sandbox added to the app's container for the run only (the static probe mount) */
  sandboxOnly: string[];
  results: ProbeResult[];
  summary: Record<string, number>;
  attacksRun: number;
  /** declared values the engine did not honour (each rejects: what was tested is not what was declared) */
  discrepancies: { resource: string; field: string; declared: string; actual: string }[];
  notStarted: { resource: string; reason: string }[];
  error?: string;
}

/** A socket the app had to an address outside its own networks, as samples of its socket tables saw it. */
export interface OffNetworkSocket {
  protocol: "tcp" | "udp";
  /** address:port ([address]:port for IPv6) */
  remote: string;
  /** the TCP states it was seen in (SYN_SENT: a connection attempt); "connected" for UDP */
  states: string[];
}

/** Connection attempts seen in the app's own network namespace (admission/network-counters.ts). */
export interface NetworkCounters {
  /** packets the kernel could not route at all (ENETUNREACH) */
  noRoute: number;
  /** TCP connection attempts that failed (refused, unanswered, or no host: off-network attempts end so) */
  failedConnects: number;
  /** TCP connections the app opened */
  connectsOpened: number;
  /**
   * sockets to addresses outside the app's networks: only the gateway and the egress proxy are on them,
   * so each is an attempt to reach something directly (a service, another app, the internet)
   */
  offNetwork: OffNetworkSocket[];
}

export interface BehaviourStep {
  status: StepStatus;
  /** what was watched; the network counters are its `network` */
  observation?: Observation;
  error?: string;
}

export interface AdmissionReport {
  format: typeof ADMISSION_REPORT_FORMAT;
  app: string;
  image: string;
  manifest: string;
  sbom?: string;
  stack: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  verdict: "admit" | "reject";
  /** 0 admit, 1 reject, 2 unusable input or an admission that could not be carried out */
  exitCode: 0 | 1 | 2;
  /** every reason for a rejection or an error, in step order (empty when admitted) */
  reasons: Reason[];
  /** what was noticed but does not reject (advisories, parts that could be observed only in part) */
  notes: Reason[];
  steps: {
    manifest: ManifestStep;
    dependencies: DependencyStep;
    attacks: AttackStep;
    behaviour: BehaviourStep;
  };
  /** the admission record written for the standing dependency re-check (only when admitted) */
  record?: string;
}
