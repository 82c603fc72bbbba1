// The topology model as Graphviz DOT: left to right (apps → proxies → services, identity, internet),
// one cluster per network. Pure. Every label is a quoted DOT string built by `dotString`; identifiers
// are the model's own plain ids, so no user text is ever written unquoted.
import type { ClusterKind, EdgeKind, NodeKind, TopologyCluster, TopologyModel, TopologyNode } from "./model";
import { printable } from "./text";

/**
 * A DOT string that Graphviz shows exactly as `text`: `\` and `"` are escaped (else `\N`, `\l`, ... would
 * be read as Graphviz escapes), `&` becomes `&amp;` (Graphviz reads entities like `&lt;` in labels).
 */
export function dotString(text: string): string {
  return dotLabel([text]);
}

function escaped(text: string): string {
  return printable(text).replace(/[\\"&]/g, (c) => (c === "&" ? "&amp;" : `\\${c}`));
}

/** Lines of a label as one DOT string, each line centred (`\n` is Graphviz's line break). */
export function dotLabel(lines: readonly string[]): string {
  return `"${lines.map(escaped).join("\\n")}"`;
}

const FONT = "Helvetica";

const NODE_STYLE: Record<NodeKind, string> = {
  app: `shape=box, style="rounded,filled", fillcolor="#dbe8f7", color="#3d6ea5", penwidth=1.4`,
  gateway: `shape=box, style="rounded,filled", fillcolor="#fde3c4", color="#c06a00", penwidth=1.4`,
  egress: `shape=box, style="rounded,filled", fillcolor="#fde3c4", color="#c06a00", penwidth=1.4`,
  identity: `shape=box, style="rounded,filled", fillcolor="#e6dcf5", color="#6b4fa0"`,
  service: `shape=box, style="rounded,filled", fillcolor="#d8f0d8", color="#3c8a3c"`,
  domain: `shape=box, style="filled", fillcolor="#f2f2f2", color="#777777"`,
};

const CLUSTER_STYLE: Record<ClusterKind, string> = {
  "app-network": `style="rounded,dashed"; color="#3d6ea5"; fontcolor="#2b4f78"`,
  services: `style="rounded,dashed"; color="#3c8a3c"; fontcolor="#2c662c"`,
  identity: `style="rounded,dashed"; color="#6b4fa0"; fontcolor="#4e3a75"`,
  outbound: `style="rounded"; color="#b03a2e"; fontcolor="#8a2d24"`,
  internet: `style="rounded,filled"; fillcolor="#fafafa"; color="#999999"; fontcolor="#555555"`,
};

const EDGE_STYLE: Record<EdgeKind, string> = {
  grants: `color="#3d6ea5", fontcolor="#2b4f78"`,
  proxy: `color="#c06a00", fontcolor="#8a4c00"`,
  route: `color="#3c8a3c", fontcolor="#2c662c"`,
  tokens: `color="#6b4fa0", fontcolor="#4e3a75"`,
  whitelist: `color="#777777", fontcolor="#555555"`,
};

function nodeLine(node: TopologyNode, indent: string): string {
  return `${indent}${node.id} [label=${dotLabel(node.lines)}, ${NODE_STYLE[node.kind]}];`;
}

function clusterLines(cluster: TopologyCluster, members: readonly TopologyNode[]): string[] {
  return [`  subgraph cluster_${cluster.id} {`, `    label=${dotLabel(cluster.title)}; ${CLUSTER_STYLE[cluster.kind]};`, ...members.map((n) => nodeLine(n, "    ")), "  }"];
}

/** The whole picture as DOT text (ends with a newline). Empty clusters are left out. */
export function topologyDot(model: TopologyModel): string {
  const members = (cluster: TopologyCluster) => model.nodes.filter((n) => n.cluster === cluster.id);
  return [
    `// The platform's topology (${model.focus === undefined ? "whole stack" : "one app"}), drawn from the plan by topology/dot.ts.`,
    "digraph topology {",
    `  graph [rankdir=LR, newrank=true, nodesep=0.35, ranksep=1.1, fontname="${FONT}", fontsize=12, labelloc=t, labeljust=l, label=${dotString(`Topology of ${model.title}`)}];`,
    `  node [fontname="${FONT}", fontsize=11, margin="0.15,0.06"];`,
    `  edge [fontname="${FONT}", fontsize=10, arrowsize=0.7];`,
    ...model.clusters.filter((c) => members(c).length > 0).flatMap((c) => clusterLines(c, members(c))),
    ...model.nodes.filter((n) => n.cluster === undefined).map((n) => nodeLine(n, "  ")),
    ...model.edges.map((e) => `  ${e.from} -> ${e.to} [${e.lines.length ? `label=${dotLabel(e.lines)}, ` : ""}${EDGE_STYLE[e.kind]}${e.empty ? ", style=dashed" : ""}];`),
    "}",
    "",
  ].join("\n");
}
