// DOT → SVG with Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz): offline, no browser, no
// Graphviz install. `topologySvg` is what other tools call (the admission report embeds it for one app).
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import type { PlatformConfig } from "../config/schema";
import { buildPlan, PlatformPlan } from "../plan/plan";
import { topologyDot } from "./dot";
import { topologyModel } from "./model";

let graphviz: Promise<Graphviz> | undefined;

/**
 * Lays out DOT text and returns an SVG document without XML declaration and DOCTYPE, so the same text
 * is a valid .svg file and can be inlined in HTML. Graphviz's own error (with the line) on bad DOT.
 */
export async function dotToSvg(dot: string): Promise<string> {
  graphviz ??= Graphviz.load();
  const svg = (await graphviz).dot(dot);
  return svg.replace(/^<\?xml[^>]*\?>\s*<!DOCTYPE[^>]*>\s*/, "");
}

export interface TopologyOptions {
  /** focus on this app: its network, the gateway and the services it may call, the egress proxy and its domains */
  app?: string;
}

function isPlan(source: PlatformPlan | PlatformConfig): source is PlatformPlan {
  return "networks" in source && "names" in source && "stack" in source;
}

/**
 * The topology as SVG, from a plan, or from a validated config and the stack's name (which the Docker
 * names derive from). Throws UnknownAppError (model.ts) when `app` is not an app of the stack.
 */
export async function topologySvg(plan: PlatformPlan, options?: TopologyOptions): Promise<string>;
export async function topologySvg(config: PlatformConfig, options: TopologyOptions & { stack: string }): Promise<string>;
export async function topologySvg(source: PlatformPlan | PlatformConfig, options: TopologyOptions & { stack?: string } = {}): Promise<string> {
  if (!isPlan(source) && !options.stack) throw new Error("topologySvg: a config needs options.stack, the stack's name (its Docker names derive from it)");
  const plan = isPlan(source) ? source : buildPlan(source, options.stack!);
  return dotToSvg(topologyDot(topologyModel(plan, { app: options.app })));
}
