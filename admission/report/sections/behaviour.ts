// The report's section on what the app did while it was observed: gateway calls, egress, direct connection
// attempts, resources and lifecycle, and the bans the security monitor would have decided.
import { plural } from "../../verdict";
import type { Observation } from "../../observe";
import type { BehaviourStep } from "../model";
import { Block, Cell, Fact, Section, STEP_TITLES } from "../document-model";
import { countFact, duration, entries, mib, num, unknownBecause, unknownText } from "../document-values";

type ProxyLog = NonNullable<Observation["gateway"]>["log"];

/** How far a proxy's access log was read: a log not read to the end makes every count a lower bound. */
const logFact = (log: ProxyLog) => ({ label: "log", value: `${log.container}: ${plural(log.lines, "line")} read, ${log.malformed} malformed${log.complete ? "" : ", NOT read to the end (counts are lower bounds)"}` });

/** What a proxy refused or cut, by its own flag or status, as a table; none at all when it refused nothing. */
function refusedTable(title: string, unit: string, refused: Record<string, number>): Block[] {
  const rows = entries(refused);
  return rows.length ? [{ kind: "table", columns: [{ title }, { title: unit, numeric: true }], rows: rows.map(([what, n]) => [{ text: what, tone: "warn" }, num(n)]) }] : [];
}

/** One part of the observation under its heading: what it shows, or "unknown" with the problem that says why. */
function observedPart<T>(heading: string, part: T | null | undefined, step: BehaviourStep, mentions: RegExp, draw: (part: T) => Block[]): Block[] {
  const title: Block = { kind: "heading", text: heading };
  return part == null ? [title, unknownText(unknownBecause(step, mentions))] : [title, ...draw(part)];
}

function gatewayBlocks(step: BehaviourStep, observation: Observation | undefined): Block[] {
  return observedPart("Gateway calls", observation?.gateway, step, /gateway|neither proxy/i, (gateway) => {
    const counts: Fact[] = [
      { label: "calls", value: String(gateway.total) },
      countFact("401 unauthorized", gateway.unauthorized, "warn"),
      countFact("403 forbidden", gateway.forbidden, "warn"),
      countFact("rate limited", gateway.rateLimited, "warn"),
    ];
    const rows = entries(gateway.byService).flatMap(([service, statuses]) =>
      entries(statuses).map(([status, calls]): Cell[] => [{ text: service === "-" ? "- (no route taken)" : service }, { text: status === "0" ? "0 (no response)" : status, ...(Number(status) >= 400 || status === "0" ? { tone: "warn" as const } : {}) }, num(calls)]),
    );
    return [
      { kind: "facts", items: [...counts, logFact(gateway.log)] },
      ...(rows.length ? [{ kind: "table", columns: [{ title: "service" }, { title: "status" }, { title: "calls", numeric: true }], rows } satisfies Block] : []),
      ...refusedTable("Envoy refused or cut (response flag)", "calls", gateway.refused),
    ];
  });
}

function egressBlocks(step: BehaviourStep, observation: Observation | undefined): Block[] {
  return observedPart("Egress (internet through the proxy)", observation?.egress, step, /egress|neither proxy/i, (egress) => {
    const denied = Object.values(egress.denied).reduce((a, b) => a + b, 0);
    const hosts = [...new Set([...Object.keys(egress.allowed), ...Object.keys(egress.denied)])].sort();
    const perHost = hosts.map((host): Cell[] => {
      const d = Object.hasOwn(egress.denied, host) ? egress.denied[host] : 0;
      return [{ text: host }, num(Object.hasOwn(egress.allowed, host) ? egress.allowed[host] : 0), { text: String(d), ...(d ? { tone: "bad" as const } : {}) }];
    });
    return [
      { kind: "facts", items: [{ label: "requests", value: String(egress.total) }, countFact("denied by the whitelist", denied, "warn"), logFact(egress.log)] },
      ...(hosts.length ? [{ kind: "table", columns: [{ title: "destination" }, { title: "allowed", numeric: true }, { title: "denied", numeric: true }], rows: perHost } satisfies Block] : []),
      ...refusedTable("Squid did not carry through (result/status)", "requests", egress.refused),
    ];
  });
}

function resourceBlocks(step: BehaviourStep, observation: Observation | undefined): Block[] {
  const blocks: Block[] = [{ kind: "heading", text: "Resources and lifecycle" }];
  const r = observation?.resources;
  const items: Fact[] = [];
  if (r) {
    const share = r.memoryLimitBytes ? r.memoryPeakBytes / r.memoryLimitBytes : undefined;
    items.push(
      { label: "memory peak", value: `${mib(r.memoryPeakBytes)} of ${r.memoryLimitBytes ? `${mib(r.memoryLimitBytes)} limit (${Math.round(share! * 100)} %)` : "no limit"}`, ...(share !== undefined && share >= 0.9 ? { tone: "warn" as const } : {}) },
      { label: "CPU peak", value: `${r.cpuPeakCores} cores` },
      { label: "processes peak", value: String(r.pidsPeak) },
      { label: "samples", value: String(r.samples) },
    );
  } else {
    const why = `unknown: ${unknownBecause(step, /resource/i)}`;
    for (const label of ["memory peak", "CPU peak", "processes peak"]) items.push({ label, value: why, tone: "warn" });
  }
  const l = observation?.lifecycle;
  if (l) {
    items.push(
      countFact("restarts", l.restarts, "warn"),
      countFact("OOM kills", l.oomKilled, "bad"),
      { label: "exits", value: l.exits.length ? l.exits.map((e) => `code ${e.code} at ${e.at}`).join("; ") : "none" },
      { label: "health at the end", value: l.health.final, tone: l.health.final === "healthy" ? "good" : l.health.final === "none" ? "muted" : "warn" },
      { label: "health changes", value: l.health.transitions.length ? l.health.transitions.map((h) => `${h.status} at ${h.at}`).join("; ") : "none" },
    );
  } else {
    const why = `unknown: ${unknownBecause(step, /events of container|restarts|health/i)}`;
    for (const label of ["restarts", "OOM kills", "health"]) items.push({ label, value: why, tone: "warn" });
  }
  return [...blocks, { kind: "facts", items }];
}

function networkBlocks(step: BehaviourStep): Block[] {
  // the observation carries them; a report may also keep them beside it on the step
  const unknown = /network counter|connection attempts|connection counts|network namespace/i;
  return observedPart("Direct connection attempts (kernel counters)", step.observation?.network, step, unknown, (n) => {
    const counts: Fact[] = [
      { label: "connections opened", value: String(n.connectsOpened) },
      countFact("failed connection attempts", n.failedConnects, "warn"),
      countFact("packets with no route", n.noRoute, "bad"),
      countFact("sockets to addresses outside its networks", n.offNetwork.length, "bad"),
    ];
    if (n.offNetwork.length === 0) return [{ kind: "facts", items: counts }];
    const sockets = n.offNetwork.map((socket): Cell[] => [{ text: socket.protocol }, { text: socket.remote, tone: "bad" }, { text: socket.states.join(", ") }]);
    return [
      { kind: "facts", items: counts },
      { kind: "table", columns: [{ title: "protocol" }, { title: "remote address (outside the app's networks)" }, { title: "seen in state" }], rows: sockets },
    ];
  });
}

function banBlocks(step: BehaviourStep, observation: Observation | undefined): Block[] {
  return observedPart("Bans the security monitor would have decided", observation?.wouldBan, step, /ban|neither proxy/i, (bans) => {
    if (bans.length === 0) return [{ kind: "text", text: "None: the monitor's rules would not have banned the app.", tone: "good" }];
    const columns = [{ title: "rule" }, { title: "what" }, { title: "count", numeric: true }, { title: "threshold", numeric: true }, { title: "from" }, { title: "to" }];
    return [{ kind: "table", columns, rows: bans.map((b) => [{ text: b.rule, tone: "bad" }, { text: b.description }, num(b.count), num(b.threshold), { text: b.firstTime }, { text: b.lastTime }]) }];
  });
}

export function behaviourSection(step: BehaviourStep): Section {
  const blocks: Block[] = [];
  if (step.error) blocks.push({ kind: "text", text: `The observation could not be carried out: ${step.error}`, tone: "warn" });
  const o = step.observation;
  if (o) blocks.push({ kind: "facts", items: [{ label: "container", value: o.container }, { label: "window", value: `${o.from} to ${o.to} (${duration(o.durationMs)})` }] });
  blocks.push(...gatewayBlocks(step, o), ...egressBlocks(step, o), ...networkBlocks(step), ...resourceBlocks(step, o), ...banBlocks(step, o));
  blocks.push({ kind: "heading", text: "What could not be observed" });
  const problems = o?.problems ?? [];
  if (problems.length) blocks.push({ kind: "list", items: problems });
  else if (o) blocks.push({ kind: "text", text: "Nothing: every source was read in full.", tone: "good" });
  else blocks.push({ kind: "text", text: `Everything: ${step.error ?? "the app was not observed"}`, tone: "warn" });
  return { step: "behaviour", title: STEP_TITLES.behaviour, status: step.status, blocks };
}
