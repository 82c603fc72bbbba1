// Cross-check of the realm with the gateway bootstrap: same issuer realm, same audience, every
// app chain has a client and vice versa, and every scope the gateway's RBAC asks for is declared
// and granted to that app's client by default.
import type { CheckedRealm } from "./realm-schema";

type Obj = Record<string, any>;

interface ChainView {
  app: string;
  issuer?: string;
  audiences: string[];
  azp: string[];
  scopes: string[];
  tokenPaths: string[];
}

function collect(value: unknown, visit: (node: Obj) => void): void {
  if (Array.isArray(value)) value.forEach((v) => collect(v, visit));
  else if (value && typeof value === "object") {
    visit(value as Obj);
    Object.values(value).forEach((v) => collect(v, visit));
  }
}

function chainView(chain: Obj): ChainView {
  const app = String(chain.name ?? "").replace(/^app:/, "");
  const view: ChainView = { app, audiences: [], azp: [], scopes: [], tokenPaths: [] };
  collect(chain, (node) => {
    if (node.remote_jwks && typeof node.issuer === "string") {
      view.issuer = node.issuer;
      view.audiences.push(...(node.audiences ?? []));
    }
    if (node.filter === "envoy.filters.http.jwt_authn" && Array.isArray(node.path)) {
      const claim = node.path[node.path.length - 1]?.key;
      if (claim === "azp" && node.value?.string_match?.exact) view.azp.push(node.value.string_match.exact);
      if (claim === "scope" && node.value?.list_match?.one_of?.string_match?.exact) view.scopes.push(node.value.list_match.one_of.string_match.exact);
    }
  });
  collect(chain, (node) => {
    if (node.name === "token" && typeof node.match?.path === "string") view.tokenPaths.push(node.match.path);
  });
  return view;
}

/** Mismatches between a (schema-checked) realm and a gateway bootstrap; empty when they agree. */
export function crossCheckRealmAndGateway(realm: CheckedRealm, bootstrap: Obj): string[] {
  const problems: string[] = [];
  const chains: Obj[] = bootstrap.static_resources?.listeners?.flatMap((l: Obj) => l.filter_chains ?? []) ?? [];
  const views = chains.map(chainView);
  const clients = new Map(realm.clients.map((c) => [c.clientId, c]));
  const declaredScopes = new Set(realm.clientScopes.map((s) => s.name));
  const realmSuffix = `/realms/${realm.realm}`;
  const tokenPath = `${realmSuffix}/protocol/openid-connect/token`;
  for (const view of views) {
    const client = clients.get(view.app);
    if (!client) {
      problems.push(`gateway chain app:${view.app} has no Keycloak client ${view.app}`);
      continue;
    }
    if (!view.issuer?.endsWith(realmSuffix)) problems.push(`chain app:${view.app}: JWT issuer ${view.issuer ?? "(none)"} is not realm ${realm.realm}'s`);
    const audience = client.protocolMappers.find((m) => m.protocolMapper === "oidc-audience-mapper")?.config["included.custom.audience"];
    if (!audience || !view.audiences.includes(audience)) problems.push(`chain app:${view.app}: gateway audiences [${view.audiences.join(", ")}] do not include the client's audience ${audience ?? "(none)"}`);
    for (const azp of new Set(view.azp)) if (azp !== client.clientId) problems.push(`chain app:${view.app}: RBAC requires azp ${azp}, but the client id is ${client.clientId}`);
    for (const scope of new Set(view.scopes)) {
      if (!declaredScopes.has(scope)) problems.push(`chain app:${view.app}: RBAC requires scope ${scope}, which the realm does not declare`);
      else if (!client.defaultClientScopes.includes(scope)) problems.push(`chain app:${view.app}: RBAC requires scope ${scope}, which client ${client.clientId} does not get by default`);
    }
    if (!view.tokenPaths.includes(tokenPath)) problems.push(`chain app:${view.app}: no token route for ${tokenPath}`);
  }
  const chainApps = new Set(views.map((v) => v.app));
  for (const id of clients.keys()) if (!chainApps.has(id)) problems.push(`Keycloak client ${id} has no gateway chain: its tokens could not be used, remove it or add the app`);
  return problems;
}
