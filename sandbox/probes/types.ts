// What the probes attack and what they report.
import type Docker from "dockerode";

/**
 * stopped / NOT STOPPED: an attack probe's outcome. ok / FAILED: a control check that must pass
 * (e.g. a whitelisted domain is allowed, gVisor's kernel is seen). skipped: could not run here.
 */
export type Verdict = "stopped" | "NOT STOPPED" | "ok" | "FAILED" | "skipped";

export interface ProbeResult {
  probe: string;
  category: "dos" | "breakout" | "lateral" | "egress" | "gateway" | "gvisor";
  /** the app (or attacker container) the attack ran from */
  target: string;
  verdict: Verdict;
  evidence: string;
  durationMs: number;
}

export const isFailure = (result: ProbeResult) => result.verdict === "NOT STOPPED" || result.verdict === "FAILED";

/** An app container (or an attacker placed like one), as the engine reports it. */
export interface AppTarget {
  name: string;
  container: Docker.Container;
  /** the address on its own network, and that network's bridge gateway */
  ip: string;
  network: string;
  bridgeGateway: string;
  /** the bridge gateway address of every network the container is on */
  bridgeGateways: string[];
  /**
   * The addresses of the host the container runs on, where lateral.host-services looks for the host
   * listener. Absent on one engine: there the bridge gateways are the host's addresses. On Swarm an
   * overlay's gateway is not (it lives in the overlay's own namespace): the node's address and its
   * docker_gwbridge gateway are.
   */
  hostAddresses?: string[];
  runtime: string;
  user: string;
  /** limits actually configured (docker inspect); undefined when unlimited */
  memoryMb?: number;
  cpus?: number;
  maxProcesses?: number;
  sigpending?: number;
  /** the container's healthcheck test, to run it during DoS probes */
  healthcheck?: string[];
  /** egress proxy in this app's subnet and the app's whitelist, when the stack declares one */
  egress?: { ip: string; port: number; whitelist: string[] } | { absent: string };
  /** whether the probe image's tools (python3) are in this container: the probes then run as Python scripts */
  hasPython: boolean;
  /** whether the static probe executable (mounted by the sandbox at /opt/platform-probe) runs here: used without python3 */
  hasStaticProbe: boolean;
  /** why no probe code can start in it although the static probe is there (e.g. its process limit is used up) */
  probeUnavailable?: string;
}

export interface Endpoint {
  name: string;
  ip: string;
  port: number;
}

/** One app as the gateway knows it: its chain's identity, grants and bucket, and its credentials. */
export interface GatewayAppInfo {
  name: string;
  /** the only URI SAN its filter chain accepts */
  spiffeId: string;
  clientId: string;
  grants: { service: string; methods: string[]; pathPrefixes: string[] }[];
  rateLimit: { requestsPerSecond: number; burst: number };
  /** from the program's resources (its upload seed): to stage "another app's certificate/token" attacks */
  credentials?: { certPem: string; keyPem: string; clientSecret: string };
}

/** A running gateway and what the probes need to attack it. */
export interface GatewayInfo {
  present: true;
  containerId: string;
  adminPort: number;
  apps: GatewayAppInfo[];
  /** every declared service */
  services: string[];
  /** Keycloak behind the token route, or why it is absent (tokens are then impossible) */
  identity: { present: true } | { absent: string };
  /** the platform CA (certificate and key, from the program's resources): to mint a right-CA, right-SAN, wrong-key certificate */
  ca?: { certPem: string; keyPem: string };
}

export interface ProbeEnvironment {
  docker: Docker;
  apps: AppTarget[];
  services: (Endpoint | { name: string; absent: string })[];
  identity: Endpoint | { absent: string };
  gateway: { absent: string } | GatewayInfo;
  egress: { absent: string } | { present: true };
  /** a file on the host (on a Swarm stack: on every node's host) the container must not be able to read */
  hostMarker: { path: string; nonce: string } | { absent: string };
  /** a listener outside every platform network, standing in for the internet */
  internet: Endpoint | { absent: string };
  /** whether probes may make the proxy contact real internet hosts (egress.whitelisted-allowed) */
  allowInternet?: boolean;
  /** a TCP port listening on every address of the Docker host (on a Swarm stack: of every node's host) */
  hostListener: { port: number } | { absent: string };
}

export const absentReason = (value: object): string | undefined => ("absent" in value ? (value as { absent: string }).absent : undefined);
