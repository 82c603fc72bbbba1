// The gateway end to end from the tests' side: an app's client (the sandbox's gateway script, run in the
// app's own container as its own user, paced by the app's token bucket), the gateway's JSON access log
// read from its stdout through the Docker API and its admin counters, JWTs forged on the host, and a
// service's impostor certificate (the platform CA's, the service's SANs, another key).
import { createHash, generateKeyPairSync, sign, X509Certificate } from "node:crypto";
import type Docker from "dockerode";
import { caSignedCertificate, generateKey } from "../../mock-runner/key-material";
import { exchangeWithGateway, GatewayExchange, plannedRequests, RateBudget, StepResult } from "../../sandbox/probes/gateway-client";
import type { GatewayAppInfo } from "../../sandbox/probes/types";

/** One line of the gateway's access log (docs/log-formats.md; Envoy writes numbers and nulls as JSON). */
export interface GatewayLogLine {
  source: string;
  time: string;
  app: string;
  client: string;
  peer: string | null;
  method: string | null;
  path: string | null;
  service: string | null;
  status: number;
  flags: string;
  duration_ms: number | null;
  details: string | null;
  token_client: string | null;
  request_id: string | null;
  upstream_host: string | null;
  [field: string]: unknown;
}

/** Docker's multiplexed log stream (8-byte frame headers) → the stdout text; a TTY's raw stream as is. */
function stdoutOf(raw: Buffer): string {
  if (raw.length >= 8 && raw[0] <= 2 && raw[1] === 0 && raw[2] === 0 && raw[3] === 0) {
    const out: Buffer[] = [];
    for (let at = 0; at + 8 <= raw.length; ) {
      const size = raw.readUInt32BE(at + 4);
      if (raw[at] === 1) out.push(raw.subarray(at + 8, at + 8 + size));
      at += 8 + size;
    }
    return Buffer.concat(out).toString("utf8");
  }
  return raw.toString("utf8");
}

/** The gateway container's stdout, read through the Engine API (as the monitor reads it). */
export class GatewayAccessLog {
  constructor(private readonly container: Docker.Container) {}

  async lines(): Promise<GatewayLogLine[]> {
    const raw = (await this.container.logs({ stdout: true, stderr: false, follow: false })) as unknown as Buffer;
    return stdoutOf(raw)
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as GatewayLogLine)
      .filter((line) => line.source === "gateway");
  }

  /**
   * Waits until every marker appears in some line's path (Envoy flushes its access log every 10 s, so a
   * line can take that long) and returns all lines then. Bounded; returns what there is at the deadline.
   */
  async waitFor(markers: string[], timeoutMs = 30_000): Promise<GatewayLogLine[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = await this.lines();
      if (markers.every((m) => lines.some((l) => l.path?.includes(m))) || Date.now() > deadline) return lines;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** Lines whose path carries the marker (each request of the tests carries a query nonce `n=<marker>`). */
export function linesFor(lines: GatewayLogLine[], marker: string): GatewayLogLine[] {
  return lines.filter((l) => l.path?.includes(marker));
}

/** An app calling the gateway from inside its container (its UID, network, files), never faster than its bucket allows. */
export class AppClient {
  private token?: { value: string; at: number };
  /** the UID the last exchange ran as (the script reports os.getuid()) */
  lastUid?: number;

  constructor(
    readonly info: GatewayAppInfo,
    readonly container: Docker.Container,
    readonly ip: string,
    private readonly budget: RateBudget,
  ) {}

  get name(): string {
    return this.info.name;
  }

  async run(exchange: GatewayExchange, timeoutMs = 90_000): Promise<Record<string, StepResult>> {
    await this.budget.take(this.name, plannedRequests(exchange));
    const outcome = await exchangeWithGateway(this.container, exchange, timeoutMs);
    if ("failure" in outcome) throw new Error(`${this.name}: ${outcome.failure}`);
    this.lastUid = outcome.uid;
    for (const step of Object.values(outcome.steps)) if (step.access_token && step.claims?.azp === this.name) this.token = { value: step.access_token, at: Date.now() };
    return outcome.steps;
  }

  /** The app's own token (fetched through the gateway with its client-secret file, reused while fresh). */
  async ownToken(): Promise<string> {
    if (!this.token || Date.now() - this.token.at > 120_000) {
      const steps = await this.run({ steps: [{ id: "token", token_request: "own" }] });
      if (steps.token.status !== 200 || !steps.token.access_token) throw new Error(`${this.name} could not get its token: ${JSON.stringify(steps.token).slice(0, 300)}`);
    }
    return this.token!.value;
  }

  /** Waits until its bucket is full (before a flood). */
  async bucketFull(): Promise<void> {
    await this.budget.full(this.name);
  }

  /** After a flood: its bucket is empty. */
  drained(): void {
    this.budget.drain(this.name);
  }
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString("base64url");

/** The header and claims of a JWT, unverified. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")));
  return { header, claims };
}

/** A JWT signed RS256 by a key made here (never Keycloak's), or with alg "none". */
export function forgeJwt(claims: Record<string, unknown>, options: { kid?: string; alg?: "RS256" | "none" } = {}): string {
  const alg = options.alg ?? "RS256";
  const head = b64url(JSON.stringify({ alg, typ: "JWT", ...(options.kid ? { kid: options.kid } : {}) }));
  const body = b64url(JSON.stringify(claims));
  if (alg === "none") return `${head}.${body}.`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return `${head}.${body}.${b64url(sign("sha256", Buffer.from(`${head}.${body}`), privateKey))}`;
}

/** A real token with its claims changed and its signature kept (a tampered token). */
export function tamperJwt(token: string, change: Record<string, unknown>): string {
  const [head, , signature] = token.split(".");
  return `${head}.${b64url(JSON.stringify({ ...decodeJwt(token).claims, ...change }))}.${signature}`;
}

/** The `Hash=` Envoy puts in x-forwarded-client-cert: SHA-256 of the client certificate's DER, hex. */
export function certificateHash(certPem: string): string {
  return createHash("sha256").update(new X509Certificate(certPem).raw).digest("hex");
}

/**
 * A server certificate an impostor at a service's address could hold if the CA key leaked or the CA
 * misissued: signed by the platform CA, for the service's own SANs (URI and DNS, copied from its real
 * certificate) and common name, server usages, but for a fresh key. Only the gateway's SPKI pin tells it apart.
 */
export function impostorServerIdentity(genuineCertPem: string, ca: { certPem: string; keyPem: string }): { cert: string; key: string } {
  const genuine = new X509Certificate(genuineCertPem);
  const sans = (genuine.subjectAltName ?? "").split(", ");
  const of = (kind: string) => sans.filter((s) => s.startsWith(`${kind}:`)).map((s) => s.slice(kind.length + 1));
  const commonName = /^CN=(.*)$/m.exec(genuine.subject)?.[1];
  const key = generateKey("ECDSA", "P256").privateKeyPem;
  const cert = caSignedCertificate({ privateKeyPem: key, subject: { commonName }, uris: of("URI"), dnsNames: of("DNS") }, { validityPeriodHours: 24, allowedUses: ["digital_signature", "key_encipherment", "server_auth"] }, { certPem: ca.certPem, privateKeyPem: ca.keyPem });
  return { cert, key };
}

/** SHA-256 of a certificate's SubjectPublicKeyInfo, base64: what Envoy's verify_certificate_spki pins. */
export function spkiPin(certPem: string): string {
  return createHash("sha256").update(new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" })).digest("base64");
}
