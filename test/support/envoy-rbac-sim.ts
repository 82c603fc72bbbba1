// A small evaluator of the Envoy RBAC/route subset the gateway renderer emits, used by property tests
// to ask "would this request be allowed?" of a rendered chain. It implements only the matchers we
// emit and throws on any other, so a renderer change cannot silently escape the tests.
type Obj = Record<string, any>;

export interface SimRequest {
  method: string;
  path: string;
  /** client certificate URI SAN */
  peerUri: string;
  /** verified JWT payload (after normalize_payload_in_metadata: scope is a list), or undefined */
  jwt?: { azp?: string; scope?: string[] };
}

function stringMatch(m: Obj, value: string | undefined): boolean {
  if (value === undefined) return false;
  if ("exact" in m) return value === m.exact;
  if ("prefix" in m) return value.startsWith(m.prefix);
  throw new Error(`sim: unsupported string matcher ${JSON.stringify(m)}`);
}

function permission(p: Obj, req: SimRequest): boolean {
  if (p.and_rules) return p.and_rules.rules.every((r: Obj) => permission(r, req));
  if (p.or_rules) return p.or_rules.rules.some((r: Obj) => permission(r, req));
  if (p.header) {
    if (p.header.name !== ":method") throw new Error(`sim: unsupported header ${p.header.name}`);
    return stringMatch(p.header.string_match, req.method);
  }
  if (p.url_path) return stringMatch(p.url_path.path, req.path.split("?")[0]);
  if (p.any === true) return true;
  throw new Error(`sim: unsupported permission ${JSON.stringify(p)}`);
}

/** The value at a metadata matcher's path in the jwt_authn filter's dynamic metadata (the verified payload). */
function metadataValue(m: Obj, req: SimRequest): unknown {
  if (m.filter !== "envoy.filters.http.jwt_authn") throw new Error(`sim: unsupported metadata filter ${m.filter}`);
  let node: any = req.jwt ? { jwt_payload: req.jwt } : {};
  for (const segment of m.path) node = node?.[segment.key];
  return node;
}

function metadataMatches(m: Obj, req: SimRequest): boolean {
  const value = metadataValue(m, req);
  const matcher = m.value;
  if (matcher.string_match) return typeof value === "string" && stringMatch(matcher.string_match, value);
  if (matcher.list_match) return Array.isArray(value) && value.some((v) => typeof v === "string" && stringMatch(matcher.list_match.one_of.string_match, v));
  throw new Error(`sim: unsupported metadata matcher ${JSON.stringify(matcher)}`);
}

const MTLS_AUTHENTICATED = "type.googleapis.com/envoy.extensions.rbac.principals.mtls_authenticated.v3.Config";

/**
 * The `envoy.rbac.principals.mtls_authenticated` principal. The request's certificate was validated by the
 * chain's TLS context (every SimRequest stands for one that was); `san_matcher` must then match one of its
 * SANs, and takes precedence over `any_validated_client_certificate`; with neither Envoy refuses the config.
 */
function mtlsAuthenticated(custom: Obj, req: SimRequest): boolean {
  const config = custom.typed_config ?? {};
  if (custom.name !== "envoy.rbac.principals.mtls_authenticated" || config["@type"] !== MTLS_AUTHENTICATED) throw new Error(`sim: unsupported custom principal ${JSON.stringify(custom)}`);
  const unknown = Object.keys(config).filter((k) => !["@type", "san_matcher", "any_validated_client_certificate"].includes(k));
  if (unknown.length > 0) throw new Error(`sim: unsupported mtls_authenticated fields ${unknown.join(", ")}`);
  if (config.san_matcher) {
    if (config.san_matcher.san_type !== "URI") throw new Error(`sim: only URI SANs are modelled, not ${config.san_matcher.san_type}`);
    return stringMatch(config.san_matcher.matcher, req.peerUri);
  }
  if (config.any_validated_client_certificate === true) return true;
  throw new Error("sim: mtls_authenticated without san_matcher or any_validated_client_certificate (Envoy rejects it)");
}

function principal(p: Obj, req: SimRequest): boolean {
  if (p.and_ids) return p.and_ids.ids.every((i: Obj) => principal(i, req));
  if (p.or_ids) return p.or_ids.ids.some((i: Obj) => principal(i, req));
  if (p.custom) return mtlsAuthenticated(p.custom, req);
  if (p.sourced_metadata) {
    const source = p.sourced_metadata.metadata_source ?? "DYNAMIC";
    if (source !== "DYNAMIC") throw new Error(`sim: unsupported metadata source ${source}`);
    return metadataMatches(p.sourced_metadata.metadata_matcher, req);
  }
  if (p.any === true) return true;
  throw new Error(`sim: unsupported principal ${JSON.stringify(p)}`);
}

function hcmOf(chain: Obj): Obj {
  return chain.filters.find((f: Obj) => f.name === "envoy.filters.network.http_connection_manager").typed_config;
}

/** The RBAC decision of a chain (ALLOW policies: allowed when any policy matches). */
export function rbacAllows(chain: Obj, req: SimRequest): boolean {
  const rbac = hcmOf(chain).http_filters.find((f: Obj) => f.name === "envoy.filters.http.rbac").typed_config.rules;
  if (rbac.action !== "ALLOW") throw new Error("sim: only ALLOW rules are modelled");
  return Object.values(rbac.policies as Record<string, Obj>).some(
    (policy) => policy.permissions.some((p: Obj) => permission(p, req)) && policy.principals.some((p: Obj) => principal(p, req)),
  );
}

/** The cluster the chain's routes send a request to, or undefined (404). */
export function routedCluster(chain: Obj, req: SimRequest): string | undefined {
  for (const vh of hcmOf(chain).route_config.virtual_hosts) {
    for (const route of vh.routes) {
      const m = route.match;
      const pathOk = "path" in m ? req.path.split("?")[0] === m.path : "prefix" in m ? req.path.startsWith(m.prefix) : (() => { throw new Error("sim: unsupported route match"); })();
      const headersOk = (m.headers ?? []).every((h: Obj) => h.name === ":method" && stringMatch(h.string_match, req.method));
      if (pathOk && headersOk) return route.route.cluster;
    }
  }
  return undefined;
}

/** Allowed end to end: RBAC allows it and a route takes it to `cluster`. */
export function reaches(chain: Obj, req: SimRequest): string | undefined {
  return rbacAllows(chain, req) ? routedCluster(chain, req) : undefined;
}
