// A Node TLS server that applies a rendered gateway chain's downstream TLS settings the way Envoy
// does: the chain is chosen by the client's source address (filter_chain_match.source_prefix_ranges),
// the client certificate must chain to the trusted CA, carry the chain's URI SAN and have a key whose
// SPKI SHA-256 is in verify_certificate_spki. Protocol floor, cipher suites and curves come from the
// chain's tls_params.
import * as net from "node:net";
import * as tls from "node:tls";
import { spkiPinFromDer } from "../../render/envoy/spki";

type Obj = Record<string, any>;

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface ConnectionVerdict {
  chain: string | undefined;
  accepted: boolean;
  reason: string;
}

const TLS_VERSION: Record<string, tls.SecureVersion> = { TLSv1_2: "TLSv1.2", TLSv1_3: "TLSv1.3" };

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function inPrefix(ip: string, range: { address_prefix: string; prefix_len: number }): boolean {
  const mask = range.prefix_len === 0 ? 0 : (0xffffffff << (32 - range.prefix_len)) >>> 0;
  return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(range.address_prefix) & mask) >>> 0);
}

function uriSans(cert: import("node:crypto").X509Certificate): string[] {
  return (cert.subjectAltName ?? "").split(", ").filter((s) => s.startsWith("URI:")).map((s) => s.slice(4));
}

export class EnvoyTlsEmulator {
  readonly verdicts: ConnectionVerdict[] = [];
  private server?: net.Server;

  /** `material` is the gateway's own certificate, key and the CA the chains trust. */
  constructor(private readonly chains: Obj[], private readonly material: TlsMaterial) {}

  private chainFor(remote: string): Obj | undefined {
    const ip = remote.replace(/^::ffff:/, "");
    return this.chains.find((c) => (c.filter_chain_match?.source_prefix_ranges ?? []).some((r: { address_prefix: string; prefix_len: number }) => inPrefix(ip, r)));
  }

  async listen(host = "127.0.0.1"): Promise<number> {
    this.server = net.createServer((raw) => this.accept(raw));
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Envoy's certificate checks: chain to the trusted CA, SPKI pin, then URI SAN. */
  private checkPeer(socket: tls.TLSSocket, validation: Obj): string | undefined {
    const peer = socket.getPeerX509Certificate();
    if (!peer) return "no client certificate";
    if (!socket.authorized) return `untrusted certificate: ${String(socket.authorizationError)}`;
    const pins: string[] = validation.verify_certificate_spki ?? [];
    const pin = spkiPinFromDer(peer.publicKey.export({ type: "spki", format: "der" }));
    if (pins.length > 0 && !pins.includes(pin)) return "spki pin mismatch";
    const wanted: string[] = (validation.match_typed_subject_alt_names ?? []).map((m: Obj) => m.matcher.exact);
    if (wanted.length > 0 && !uriSans(peer).some((san) => wanted.includes(san))) return "subject alt name mismatch";
    return undefined;
  }

  private readonly chainServers = new Map<string, tls.Server>();

  /** One tls.Server per chain (it sets authorized/authorizationError); connections are handed to it. */
  private serverFor(chain: Obj): tls.Server {
    let server = this.chainServers.get(chain.name);
    if (server) return server;
    const downstream = chain.transport_socket.typed_config;
    const ctx = downstream.common_tls_context;
    const params = ctx.tls_params;
    server = tls.createServer({
      key: this.material.keyPem,
      cert: this.material.certPem,
      ca: [this.material.caPem],
      requestCert: downstream.require_client_certificate === true,
      // checked in checkPeer, so the reason can be recorded; the outcome is the same refusal
      rejectUnauthorized: false,
      minVersion: TLS_VERSION[params.tls_minimum_protocol_version],
      maxVersion: TLS_VERSION[params.tls_maximum_protocol_version],
      ciphers: params.cipher_suites.join(":"),
      ecdhCurve: params.ecdh_curves.join(":"),
    });
    const verdict = (accepted: boolean, reason: string) => this.verdicts.push({ chain: chain.name, accepted, reason });
    server.on("tlsClientError", (error) => verdict(false, `handshake: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
    server.on("secureConnection", (socket: tls.TLSSocket) => {
      socket.on("error", () => socket.destroy());
      const rejection = this.checkPeer(socket, ctx.validation_context);
      if (rejection) {
        verdict(false, rejection);
        socket.destroy();
        return;
      }
      verdict(true, "ok");
      socket.end(`OK ${chain.name}\n`);
    });
    this.chainServers.set(chain.name, server);
    return server;
  }

  private accept(raw: net.Socket): void {
    const chain = this.chainFor(raw.remoteAddress ?? "");
    if (!chain) {
      this.verdicts.push({ chain: undefined, accepted: false, reason: "no filter chain matches the source address" });
      raw.destroy();
      return;
    }
    this.serverFor(chain).emit("connection", raw);
  }
}

export interface ClientOutcome {
  ok: boolean;
  reply: string;
  error?: string;
}

/** Connects from `localAddress`, presents `client`, verifies the gateway against `caPem`; bounded by `timeoutMs`. */
export function tryClient(port: number, options: { localAddress: string; client: { certPem: string; keyPem: string }; caPem: string; maxVersion?: tls.SecureVersion; timeoutMs?: number }): Promise<ClientOutcome> {
  return new Promise((resolve) => {
    let reply = "";
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      raw.destroy();
      resolve({ ok: reply.startsWith("OK"), reply: reply.trim(), ...(error ? { error } : {}) });
    };
    // the source address picks the gateway's filter chain, as an app's subnet does
    const raw = net.connect({ host: "127.0.0.1", port, localAddress: options.localAddress });
    const socket = tls.connect({
      socket: raw,
      host: "127.0.0.1",
      cert: options.client.certPem,
      key: options.client.keyPem,
      ca: [options.caPem],
      ...(options.maxVersion ? { maxVersion: options.maxVersion, minVersion: "TLSv1" as const } : {}),
    });
    const timer = setTimeout(() => finish("timeout"), options.timeoutMs ?? 5000);
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => (reply += chunk));
    socket.on("end", () => finish());
    socket.on("close", () => finish());
    socket.on("error", (error) => finish((error as NodeJS.ErrnoException).code ?? error.message));
  });
}
