// The topology model as a Mermaid flowchart (left to right, one subgraph per network), for Markdown
// pages that render Mermaid. Pure. Every label is a quoted string built by `mermaidString`; identifiers
// are the model's own plain ids, so no user text is ever written unquoted.
import type { ClusterKind, EdgeKind, NodeKind, TopologyCluster, TopologyModel, TopologyNode } from "./model";
import { printable } from "./text";

/** Characters written as they are; everything else becomes an entity code (`#35;` for `#`). */
const PLAIN = /[A-Za-z0-9 ._~/:,*+=@()\-·…]/;

/**
 * The text inside a Mermaid string: anything Mermaid could read as syntax (`"`, `#`, `;`, `|`, `<`, `&`,
 * backticks for Markdown strings, ...) is written as a decimal entity code, per UTF-16 unit (Mermaid
 * decodes `#<n>;` with String.fromCharCode, so a pair of units stays one character).
 */
export function mermaidText(text: string): string {
  let out = "";
  for (const char of printable(text)) {
    if (PLAIN.test(char)) out += char;
    else for (let i = 0; i < char.length; i++) out += `#${char.charCodeAt(i)};`;
  }
  return out;
}

/** Lines of a label as one quoted Mermaid string (`<br/>` is Mermaid's line break). */
export function mermaidString(lines: readonly string[]): string {
  return `"${lines.map(mermaidText).join("<br/>")}"`;
}

const NODE_CLASS: Record<NodeKind, string> = {
  app: "fill:#dbe8f7,stroke:#3d6ea5",
  gateway: "fill:#fde3c4,stroke:#c06a00",
  egress: "fill:#fde3c4,stroke:#c06a00",
  identity: "fill:#e6dcf5,stroke:#6b4fa0",
  service: "fill:#d8f0d8,stroke:#3c8a3c",
  domain: "fill:#f2f2f2,stroke:#777777",
};

const CLUSTER_CLASS: Record<ClusterKind, string> = {
  "app-network": "fill:#f7faff,stroke:#3d6ea5,stroke-dasharray:4 3",
  services: "fill:#f6fbf6,stroke:#3c8a3c,stroke-dasharray:4 3",
  identity: "fill:#faf7ff,stroke:#6b4fa0,stroke-dasharray:4 3",
  outbound: "fill:#fff7f6,stroke:#b03a2e",
  internet: "fill:#fafafa,stroke:#999999",
};

const ARROW: Record<"solid" | "empty", string> = { solid: "-->", empty: "-.->" };
const EDGE_COLOUR: Record<EdgeKind, string> = { grants: "#3d6ea5", proxy: "#c06a00", route: "#3c8a3c", tokens: "#6b4fa0", whitelist: "#777777" };

const nodeLine = (node: TopologyNode, indent: string) => `${indent}${node.id}[${mermaidString(node.lines)}]`;

function clusterLines(cluster: TopologyCluster, members: readonly TopologyNode[]): string[] {
  return [`  subgraph ${cluster.id} [${mermaidString(cluster.title)}]`, ...members.map((n) => nodeLine(n, "    ")), "  end"];
}

/** The whole picture as Mermaid flowchart text (ends with a newline). Empty subgraphs are left out. */
export function topologyMermaid(model: TopologyModel): string {
  const members = (cluster: TopologyCluster) => model.nodes.filter((n) => n.cluster === cluster.id);
  const clusters = model.clusters.filter((c) => members(c).length > 0);
  const kinds = <K extends string>(items: readonly { kind: K; id: string }[]) =>
    [...new Set(items.map((i) => i.kind))].map((kind) => ({ kind, ids: items.filter((i) => i.kind === kind).map((i) => i.id) }));
  return [
    "flowchart LR",
    `  %% The platform's topology (${model.focus === undefined ? "whole stack" : "one app"}), drawn from the plan by topology/mermaid.ts.`,
    ...clusters.flatMap((c) => clusterLines(c, members(c))),
    ...model.nodes.filter((n) => n.cluster === undefined).map((n) => nodeLine(n, "  ")),
    ...model.edges.map((e) => `  ${e.from} ${ARROW[e.empty ? "empty" : "solid"]}${e.lines.length ? `|${mermaidString(e.lines)}|` : ""} ${e.to}`),
    ...kinds(model.nodes).flatMap(({ kind, ids }) => [`  classDef ${kind} ${NODE_CLASS[kind]}`, `  class ${ids.join(",")} ${kind}`]),
    ...clusters.map((c) => `  style ${c.id} ${CLUSTER_CLASS[c.kind]}`),
    ...model.edges.map((e, index) => `  linkStyle ${index} stroke:${EDGE_COLOUR[e.kind]}`),
    "",
  ].join("\n");
}
