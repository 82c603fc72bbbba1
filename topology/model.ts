// The platform's topology as a small graph, drawn from the plan: which networks there are, who sits on
// them, and what each app may reach (services through the gateway, hosts through the egress proxy).
// Pure. Labels are plain text lines here; the renderers (dot.ts, mermaid.ts) escape them for their syntax.
import { AppPlan, infraAddress, PlatformPlan, ServicePlan } from "../plan/plan";
import { listed, shorten } from "./text";

export type NodeKind = "app" | "gateway" | "egress" | "identity" | "service" | "domain";
/** grants: app → gateway · route: gateway → service · tokens: gateway → identity · proxy: app → egress · whitelist: egress → domain */
export type EdgeKind = "grants" | "route" | "tokens" | "proxy" | "whitelist";
export type ClusterKind = "app-network" | "services" | "identity" | "outbound" | "internet";

export interface TopologyCluster {
  /** a plain identifier ([a-z0-9_]), never user text */
  id: string;
  kind: ClusterKind;
  /** the title, line by line: the network's Docker name, its subnet and whether it is internal */
  title: string[];
}

export interface TopologyNode {
  /** a plain identifier ([a-z0-9_]), never user text */
  id: string;
  kind: NodeKind;
  /** the cluster drawn around it, if any */
  cluster?: string;
  /** the label, line by line; the first line is the name (an app, service or domain exactly as configured) */
  lines: string[];
}

export interface TopologyEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  lines: string[];
  /** nothing is allowed along it (an app without grants or whitelist): drawn dashed */
  empty: boolean;
}

export interface TopologyModel {
  /** the caption: the stack, and the app when the picture is focused on one */
  title: string;
  /** the app the picture is focused on: other apps, their services and domains are left out */
  focus?: string;
  clusters: TopologyCluster[];
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

/** `--app NAME` names no app of the stack. */
export class UnknownAppError extends Error {
  constructor(
    readonly app: string,
    readonly apps: readonly string[],
    readonly stack: string,
  ) {
    super(`stack ${stack} has no app ${JSON.stringify(app)}: ${apps.length ? `its apps are ${apps.join(", ")}` : "it has no apps"}`);
    this.name = "UnknownAppError";
  }
}

/** How much of a long list or a long path an edge label shows. */
const SHOWN = { grants: 6, paths: 3, methods: 7, pathChars: 40, apps: 3, ports: 4 } as const;

const appId = (index: number) => `app_${index}`;
const serviceId = (index: number) => `svc_${index}`;
const domainId = (index: number) => `dom_${index}`;

function grantLine(grant: AppPlan["config"]["services"][number]): string {
  const paths = listed(grant.pathPrefixes.map((p) => shorten(p, SHOWN.pathChars)), SHOWN.paths);
  return `${grant.name}: ${listed(grant.methods, SHOWN.methods, " ")} ${paths}`;
}

function appLines(app: AppPlan): string[] {
  const { runtime, rateLimit } = app.config;
  return [app.config.name, app.ip, `${runtime === "runsc" ? "gVisor (runsc)" : "runc"} · ${rateLimit.requestsPerSecond} req/s`];
}

function serviceLines(service: ServicePlan): string[] {
  return [service.config.name, `${service.config.protocol} :${service.config.port}`];
}

/** The domains the drawn apps may reach, in first-mention order, with the apps that may reach each. */
function domainsOf(apps: readonly AppPlan[]): Map<string, string[]> {
  const domains = new Map<string, string[]>();
  for (const app of apps) {
    for (const domain of app.config.egress) domains.set(domain, [...(domains.get(domain) ?? []), app.config.name]);
  }
  return domains;
}

/** Builds the picture's graph; `app` focuses it on one app (UnknownAppError if the stack has none of that name). */
export function topologyModel(plan: PlatformPlan, options: { app?: string } = {}): TopologyModel {
  const focus = options.app;
  if (focus !== undefined && !plan.apps.some((a) => a.config.name === focus)) {
    throw new UnknownAppError(focus, plan.apps.map((a) => a.config.name), plan.stack);
  }
  const apps = plan.apps.map((app, index) => ({ app, id: appId(index) })).filter(({ app }) => focus === undefined || app.config.name === focus);
  const granted = new Set(apps.flatMap(({ app }) => app.config.services.map((s) => s.name)));
  const services = plan.services.map((service, index) => ({ service, id: serviceId(index) })).filter(({ service }) => focus === undefined || granted.has(service.config.name));
  const serviceIds = new Map(services.map(({ service, id }) => [service.config.name, id]));
  const domains = [...domainsOf(apps.map(({ app }) => app))].map(([domain, reachedBy], index) => ({ domain, reachedBy, id: domainId(index) }));
  const { gateway, egress, identity } = plan.config;
  const one = apps.length === 1 ? apps[0].app : undefined;
  const network = (kind: string, n: { dockerName: string; subnet: string; internal: boolean }) => [`${kind} network ${n.dockerName}`, `${n.subnet} · ${n.internal ? "internal" : "not internal"}`];

  const clusters: TopologyCluster[] = [
    ...apps.map(({ app, id }): TopologyCluster => ({ id: `${id}_net`, kind: "app-network", title: network("app", app.network) })),
    { id: "services_net", kind: "services", title: network("services", plan.networks.services) },
    { id: "identity_net", kind: "identity", title: network("identity", plan.networks.identity) },
    { id: "outbound_net", kind: "outbound", title: network("outbound", plan.networks.outbound) },
    { id: "internet", kind: "internet", title: ["internet: whitelisted hosts only"] },
  ];

  const nodes: TopologyNode[] = [
    ...apps.map(({ app, id }): TopologyNode => ({ id, kind: "app", cluster: `${id}_net`, lines: appLines(app) })),
    {
      id: "gateway",
      kind: "gateway",
      lines: ["API gateway (Envoy)", one ? `${one.gatewayIp}:${gateway.listenPort} in the app subnet` : `.2 in each app subnet, :${gateway.listenPort}`, "mTLS, OAuth2, RBAC"],
    },
    {
      id: "egress",
      kind: "egress",
      cluster: "outbound_net",
      lines: [
        "egress proxy (Squid)",
        one ? `${one.egressIp}:${egress.port} in the app subnet` : `.3 in each app subnet, :${egress.port}`,
        `HTTP ${listed(egress.httpPorts.map(String), SHOWN.ports)} · CONNECT ${listed(egress.connectPorts.map(String), SHOWN.ports)}`,
      ],
    },
    { id: "identity", kind: "identity", cluster: "identity_net", lines: ["identity provider (Keycloak)", `realm ${identity.realm}`, `${infraAddress(plan.networks.identity, "identity")}:${identity.port}`] },
    ...services.map(({ service, id }): TopologyNode => ({ id, kind: "service", cluster: "services_net", lines: serviceLines(service) })),
    ...domains.map(({ domain, id }): TopologyNode => ({ id, kind: "domain", cluster: "internet", lines: domain.startsWith(".") ? [domain, "and its subdomains"] : [domain] })),
  ];

  const edges: TopologyEdge[] = [
    ...apps.flatMap(({ app, id }): TopologyEdge[] => {
      const grants = app.config.services;
      const whitelist = app.config.egress;
      return [
        {
          from: id,
          to: "gateway",
          kind: "grants",
          empty: grants.length === 0,
          lines: grants.length === 0 ? ["tokens only: no service granted"] : [...grants.slice(0, SHOWN.grants).map(grantLine), ...(grants.length > SHOWN.grants ? [`+${grants.length - SHOWN.grants} more services`] : [])],
        },
        { from: id, to: "egress", kind: "proxy", empty: whitelist.length === 0, lines: [whitelist.length === 0 ? "no host whitelisted" : `${whitelist.length} ${whitelist.length === 1 ? "host" : "hosts"} whitelisted`] },
      ];
    }),
    { from: "gateway", to: "identity", kind: "tokens", empty: false, lines: ["tokens, JWKS"] },
    ...services.map(({ service }): TopologyEdge => ({ from: "gateway", to: serviceIds.get(service.config.name)!, kind: "route", empty: false, lines: [service.config.protocol === "https" ? "mTLS" : "plain HTTP"] })),
    ...domains.map(({ reachedBy, id }): TopologyEdge => ({ from: "egress", to: id, kind: "whitelist", empty: false, lines: focus === undefined ? [listed(reachedBy, SHOWN.apps)] : [] })),
  ];

  return { title: focus === undefined ? `stack ${plan.stack}` : `app ${focus} in stack ${plan.stack}`, ...(focus === undefined ? {} : { focus }), clusters, nodes, edges };
}
