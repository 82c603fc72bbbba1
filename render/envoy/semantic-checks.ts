// Checks of our own on top of the schema: references resolve, pins are well-formed, every
// downstream filter chain demands a client certificate, and the admin interface stays on loopback.
import type { ConfigIssue, MessageVisitor } from "./proto-walker";

const DOWNSTREAM_TLS = "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
const SPKI_PIN = /^[A-Za-z0-9+/]{43}=$/;

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);

export function isValidSpkiPin(pin: unknown): boolean {
  return typeof pin === "string" && SPKI_PIN.test(pin) && Buffer.from(pin, "base64").length === 32;
}

function typeOfAny(value: unknown): string | undefined {
  const t = asObj(value)?.["@type"];
  return typeof t === "string" ? t.slice(t.lastIndexOf("/") + 1) : undefined;
}

export class SemanticChecks {
  private readonly clusters = new Set<string>();
  private readonly clusterRefs: { path: string; name: string; what: string }[] = [];
  private readonly issues: ConfigIssue[] = [];

  readonly visitor: MessageVisitor = (typeName, value, path) => {
    switch (typeName) {
      case "envoy.config.cluster.v3.Cluster":
        if (typeof value.name === "string") this.clusters.add(value.name);
        break;
      case "envoy.config.route.v3.RouteAction": {
        if (typeof value.cluster === "string") this.clusterRefs.push({ path: `${path}.cluster`, name: value.cluster, what: "route" });
        const weighted = asObj(value.weighted_clusters ?? value.weightedClusters)?.clusters;
        if (Array.isArray(weighted)) weighted.forEach((c, i) => {
          const name = asObj(c)?.name;
          if (typeof name === "string") this.clusterRefs.push({ path: `${path}.weighted_clusters.clusters[${i}].name`, name, what: "weighted route" });
        });
        break;
      }
      case "envoy.config.core.v3.HttpUri":
        if (typeof value.cluster === "string") this.clusterRefs.push({ path: `${path}.cluster`, name: value.cluster, what: "HTTP URI (e.g. remote JWKS)" });
        break;
      case "envoy.config.core.v3.GrpcService.EnvoyGrpc": {
        const name = value.cluster_name ?? value.clusterName;
        if (typeof name === "string") this.clusterRefs.push({ path: `${path}.cluster_name`, name, what: "gRPC service" });
        break;
      }
      case "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy":
        if (typeof value.cluster === "string") this.clusterRefs.push({ path: `${path}.cluster`, name: value.cluster, what: "TCP proxy" });
        break;
      case "envoy.config.listener.v3.FilterChain":
        this.checkFilterChain(value, path);
        break;
      case "envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext":
        this.checkPins(value, path);
        break;
      case "envoy.config.bootstrap.v3.Admin":
        this.checkAdmin(value, path);
        break;
    }
  };

  private checkFilterChain(chain: Obj, path: string): void {
    const socket = asObj(chain.transport_socket ?? chain.transportSocket);
    const tls = asObj(socket?.typed_config ?? socket?.typedConfig);
    if (!tls || typeOfAny(tls) !== DOWNSTREAM_TLS) {
      this.issues.push({ path, kind: "client-cert-not-required", message: "this filter chain has no DownstreamTlsContext: every chain must terminate mTLS (set transport_socket to envoy.transport_sockets.tls with require_client_certificate: true)" });
      return;
    }
    if ((tls.require_client_certificate ?? tls.requireClientCertificate) !== true) {
      this.issues.push({ path: `${path}.transport_socket.typed_config.require_client_certificate`, kind: "client-cert-not-required", message: "require_client_certificate must be true on every downstream TLS filter chain" });
    }
    const common = asObj(tls.common_tls_context ?? tls.commonTlsContext);
    const validation = asObj(common?.validation_context ?? common?.validationContext)
      ?? asObj(asObj(common?.combined_validation_context ?? common?.combinedValidationContext)?.default_validation_context);
    const pins = validation?.verify_certificate_spki ?? validation?.verifyCertificateSpki;
    if (!Array.isArray(pins) || pins.length === 0) {
      this.issues.push({ path: `${path}.transport_socket.typed_config.common_tls_context.validation_context.verify_certificate_spki`, kind: "bad-spki-pin", message: "every downstream filter chain must pin its app's key (verify_certificate_spki with the SPKI SHA-256)" });
    }
  }

  private checkPins(context: Obj, path: string): void {
    const pins = context.verify_certificate_spki ?? context.verifyCertificateSpki;
    if (!Array.isArray(pins)) return;
    pins.forEach((pin, i) => {
      if (!isValidSpkiPin(pin)) {
        this.issues.push({ path: `${path}.verify_certificate_spki[${i}]`, kind: "bad-spki-pin", message: `${JSON.stringify(pin)} is not a SPKI SHA-256 pin: expected 44 characters of base64 encoding 32 bytes` });
      }
    });
  }

  private checkAdmin(admin: Obj, path: string): void {
    const socket = asObj(asObj(admin.address)?.socket_address ?? asObj(admin.address)?.socketAddress);
    const host = socket?.address;
    if (socket && host !== "127.0.0.1" && host !== "::1") {
      this.issues.push({ path: `${path}.address.socket_address.address`, kind: "admin-not-loopback", message: `the admin interface must listen on 127.0.0.1 only, not ${JSON.stringify(host)}` });
    }
  }

  /** Issues found; call after the walk, when every cluster is known. */
  finish(): ConfigIssue[] {
    for (const ref of this.clusterRefs) {
      if (!this.clusters.has(ref.name)) {
        const known = [...this.clusters].sort().join(", ") || "(none)";
        this.issues.push({ path: ref.path, kind: "missing-cluster", message: `${ref.what} refers to cluster "${ref.name}", which is not defined in static_resources.clusters; defined: ${known}` });
      }
    }
    return this.issues;
  }
}
