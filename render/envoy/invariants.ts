// The gateway's security invariants, checked on every render at deploy time without any Envoy schema:
// every downstream filter chain terminates mTLS, demands a client certificate and pins its app's key;
// every SPKI pin is well-formed; the admin interface stays on loopback; every cluster a route, a JWKS
// fetch or a gRPC service names exists. Whether Envoy accepts the whole config is for the real binary
// (`envoy --mode validate`, run by the tests against the rendered bootstrap).

type InvariantKind = "missing-cluster" | "bad-spki-pin" | "client-cert-not-required" | "admin-not-loopback";

interface InvariantIssue {
  /** JSON path, e.g. `static_resources.listeners[0].filter_chains[0]` */
  path: string;
  kind: InvariantKind;
  message: string;
}

const DOWNSTREAM_TLS = "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
const SPKI_PIN = /^[A-Za-z0-9+/]{43}=$/;

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function isValidSpkiPin(pin: unknown): boolean {
  return typeof pin === "string" && SPKI_PIN.test(pin) && Buffer.from(pin, "base64").length === 32;
}

function typeOfAny(value: unknown): string | undefined {
  const t = asObj(value)?.["@type"];
  return typeof t === "string" ? t.slice(t.lastIndexOf("/") + 1) : undefined;
}

/**
 * Visits every object key of a JSON tree depth first in document order. The path is built only when
 * asked for (a 500-app bootstrap has about a million nodes; most are never reported).
 */
function walk(value: unknown, visit: (key: string, value: unknown, path: () => string) => void, segments: string[] = []): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      segments.push(`[${i}]`);
      walk(item, visit, segments);
      segments.pop();
    });
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value as Obj)) {
      segments.push(segments.length ? `.${key}` : key);
      visit(key, item, () => segments.join(""));
      walk(item, visit, segments);
      segments.pop();
    }
  }
}

function checkAdmin(bootstrap: Obj, issues: InvariantIssue[]): void {
  const socket = asObj(asObj(asObj(bootstrap.admin)?.address)?.socket_address);
  if (socket && socket.address !== "127.0.0.1" && socket.address !== "::1") {
    issues.push({ path: "admin.address.socket_address.address", kind: "admin-not-loopback", message: `the admin interface must listen on 127.0.0.1 only, not ${JSON.stringify(socket.address)}` });
  }
}

function checkFilterChain(chain: Obj, path: string, issues: InvariantIssue[]): void {
  const tls = asObj(asObj(chain.transport_socket)?.typed_config);
  if (!tls || typeOfAny(tls) !== DOWNSTREAM_TLS) {
    issues.push({ path, kind: "client-cert-not-required", message: "this filter chain has no DownstreamTlsContext: every chain must terminate mTLS (set transport_socket to envoy.transport_sockets.tls with require_client_certificate: true)" });
    return;
  }
  const tlsPath = `${path}.transport_socket.typed_config`;
  if (tls.require_client_certificate !== true) {
    issues.push({ path: `${tlsPath}.require_client_certificate`, kind: "client-cert-not-required", message: "require_client_certificate must be true on every downstream TLS filter chain" });
  }
  const pins = asObj(asObj(tls.common_tls_context)?.validation_context)?.verify_certificate_spki;
  if (!Array.isArray(pins) || pins.length === 0) {
    issues.push({ path: `${tlsPath}.common_tls_context.validation_context.verify_certificate_spki`, kind: "bad-spki-pin", message: "every downstream filter chain must pin its app's key (verify_certificate_spki with the SPKI SHA-256)" });
  }
}

/** Cluster names referred to by routes, HTTP URIs (remote JWKS), TCP proxies and gRPC services. */
function clusterReferences(listeners: unknown): { path: string; name: string }[] {
  const refs: { path: string; name: string }[] = [];
  walk(listeners, (key, value, path) => {
    if ((key === "cluster" || key === "cluster_name") && typeof value === "string") refs.push({ path: `static_resources.listeners${path()}`, name: value });
    if (key === "weighted_clusters") {
      for (const [i, c] of asArray(asObj(value)?.clusters).entries()) {
        const name = asObj(c)?.name;
        if (typeof name === "string") refs.push({ path: `static_resources.listeners${path()}.clusters[${i}].name`, name });
      }
    }
  });
  return refs;
}

/** Every invariant the bootstrap breaks; empty when it holds them all. */
export function checkGatewayInvariants(bootstrap: unknown): InvariantIssue[] {
  const issues: InvariantIssue[] = [];
  const root = asObj(bootstrap) ?? {};
  checkAdmin(root, issues);
  walk(root, (key, value, path) => {
    if (key !== "verify_certificate_spki") return;
    for (const [i, pin] of asArray(value).entries()) {
      if (!isValidSpkiPin(pin)) issues.push({ path: `${path()}[${i}]`, kind: "bad-spki-pin", message: `${JSON.stringify(pin)} is not a SPKI SHA-256 pin: expected 44 characters of base64 encoding 32 bytes` });
    }
  });
  const resources = asObj(root.static_resources) ?? {};
  for (const [l, listener] of asArray(resources.listeners).entries()) {
    for (const [c, chain] of asArray(asObj(listener)?.filter_chains).entries()) {
      checkFilterChain(asObj(chain) ?? {}, `static_resources.listeners[${l}].filter_chains[${c}]`, issues);
    }
  }
  const clusters = new Set(asArray(resources.clusters).map((c) => asObj(c)?.name).filter((n): n is string => typeof n === "string"));
  for (const ref of clusterReferences(resources.listeners)) {
    if (!clusters.has(ref.name)) {
      const known = [...clusters].sort().join(", ") || "(none)";
      issues.push({ path: ref.path, kind: "missing-cluster", message: `${ref.path} refers to cluster "${ref.name}", which is not defined in static_resources.clusters; defined: ${known}` });
    }
  }
  return issues;
}

export class GatewayInvariantError extends Error {
  constructor(readonly issues: InvariantIssue[]) {
    super(`the rendered Envoy bootstrap breaks the gateway's invariants (${issues.length} issue(s)):\n` + issues.map((i) => `  ${i.path}: [${i.kind}] ${i.message}`).join("\n"));
    this.name = "GatewayInvariantError";
  }
}

export function assertGatewayInvariants(bootstrap: unknown): void {
  const issues = checkGatewayInvariants(bootstrap);
  if (issues.length > 0) throw new GatewayInvariantError(issues);
}
