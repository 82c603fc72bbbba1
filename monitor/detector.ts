// The monitor's pipeline: log line → event → statistics → ban rules → audit log → enforcement.
// Ingestion is synchronous and never throws on bad input; enforcement (Docker) runs in the background.
import { AuditWriter } from "./audit/writer";
import { BanEvidence, BanRecord, BanStore, EnforcementRecord } from "./bans";
import { LineSplitter } from "./events/line-splitter";
import { MalformedLines } from "./events/malformed";
import { parseLogLine } from "./events/parse";
import { AccessEvent, isSecurityEvent } from "./events/types";
import type { RuleSettings } from "../config/monitor";
import { BanDecision, RuleEngine, summariseDecision } from "./rules";
import { StatsBook, StatsSnapshot } from "./stats";

/** Cuts an app off (and restores it); implemented over the Docker API in docker-enforcer.ts. */
export interface Enforcer {
  ban(app: string): Promise<EnforcementRecord | undefined>;
  unban(app: string, enforcement: EnforcementRecord | undefined): Promise<EnforcementRecord | undefined>;
}

export type MonitorLog = (level: "info" | "warn" | "error", message: string) => void;

interface MonitorOptions {
  stack: string;
  rules: RuleSettings;
  statsWindowSeconds: number;
  dryRun: boolean;
  audit: AuditWriter;
  bans: BanStore;
  enforcer?: Enforcer;
  log: MonitorLog;
  now?: () => number;
}

const SAMPLES_PER_APP = 5;

export class Monitor {
  readonly rules: RuleEngine;
  readonly stats: StatsBook;
  readonly malformed = new MalformedLines();
  private linesTotal = 0;
  private linesParsed = 0;
  private readonly recentSecurityLines = new Map<string, string[]>();
  private readonly actions = new Set<Promise<unknown>>();
  /** dry run: app → event time after which it may be reported again (one report per window, not per event) */
  private readonly dryRunHolds = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: MonitorOptions) {
    this.rules = new RuleEngine(options.rules);
    this.stats = new StatsBook(options.statsWindowSeconds);
    this.now = options.now ?? Date.now;
    for (const ban of options.bans.list()) this.rules.markBanned(ban.app);
  }

  /** A splitter for one log stream (one per container), feeding this monitor. */
  splitter(origin: string): LineSplitter {
    return new LineSplitter(
      (line) => this.ingestLine(line, origin),
      (prefix) => this.rejectLine(origin, "line longer than the limit, skipped", prefix),
    );
  }

  ingestLine(line: string, origin: string): void {
    this.linesTotal++;
    const parsed = parseLogLine(line);
    if (!parsed.ok) {
      this.rejectLine(origin, parsed.reason, line);
      return;
    }
    this.linesParsed++;
    this.ingestEvent(parsed.event, line, origin);
  }

  ingestEvent(event: AccessEvent, line: string, origin: string): void {
    this.stats.add(event, event.timeMs);
    if (isSecurityEvent(event)) {
      this.options.audit.append("event", { origin, event });
      let samples = this.recentSecurityLines.get(event.app);
      if (!samples) this.recentSecurityLines.set(event.app, (samples = []));
      samples.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
      if (samples.length > SAMPLES_PER_APP) samples.shift();
    }
    const hold = this.dryRunHolds.get(event.app);
    if (hold !== undefined && event.timeMs >= hold) {
      this.dryRunHolds.delete(event.app);
      this.rules.unban(event.app);
    }
    const decision = this.rules.observe(event);
    if (decision) this.decide(decision);
  }

  private rejectLine(origin: string, reason: string, line: string): void {
    const sample = this.malformed.record(origin, reason, line);
    if (sample) {
      const count = this.malformed.byOrigin.get(origin);
      this.options.log("warn", `malformed log line #${count} from ${origin} skipped (${reason}): ${JSON.stringify(sample.excerpt)}`);
      this.options.audit.append("malformed", { ...sample, countFromOrigin: count });
    }
  }

  private evidence(decision: BanDecision): BanEvidence {
    return { ...summariseDecision(decision), samples: [...(this.recentSecurityLines.get(decision.app) ?? [])] };
  }

  private decide(decision: BanDecision): void {
    const evidence = this.evidence(decision);
    if (this.options.dryRun) {
      this.options.audit.appendDurable("would-ban", { app: decision.app, evidence });
      this.options.log("warn", `DRY RUN: would ban app ${decision.app}: ${evidence.description} (${evidence.firstTime} .. ${evidence.lastTime})`);
      // report mode: the app stays "banned" for the rule engine during one window, then is judged afresh
      this.dryRunHolds.set(decision.app, decision.lastTimeMs + decision.windowSeconds * 1000);
      return;
    }
    // durable before acting: the record of a ban can never be lost once the app is cut off
    const record = this.options.audit.appendDurable("ban", { app: decision.app, evidence });
    const ban: BanRecord = { app: decision.app, bannedAt: record.time, auditSeq: record.seq, evidence };
    this.options.bans.put(ban);
    this.options.log("warn", `banned app ${decision.app}: ${evidence.description} (${evidence.firstTime} .. ${evidence.lastTime}); audit seq ${record.seq}`);
    this.enforce(decision.app);
  }

  /** Cuts the app off now (also used to re-apply a ban to a recreated container). */
  enforce(app: string): void {
    const enforcer = this.options.enforcer;
    if (!enforcer) return;
    this.track(
      enforcer.ban(app).then(
        (enforcement) => {
          const ban = this.options.bans.get(app);
          if (!ban || !enforcement) return;
          if (enforcement.networks.length > 0 || !ban.enforcement) {
            // keep what the first disconnect recorded if a later one found nothing left to disconnect
            const networks = enforcement.networks.length > 0 ? enforcement.networks : ban.enforcement?.networks ?? [];
            this.options.bans.put({ ...ban, enforcement: { ...enforcement, networks } });
          }
          if (enforcement.networks.length > 0) {
            this.options.audit.append("enforcement", { app, action: "disconnect", container: enforcement.containerName, networks: enforcement.networks });
            this.options.log("info", `app ${app}: disconnected ${enforcement.containerName} from ${enforcement.networks.map((n) => n.network).join(", ")}`);
          }
        },
        (error: Error) => this.options.log("error", `app ${app}: could not enforce the ban (${error.message}); retrying at the next reconciliation`),
      ),
    );
  }

  /** Re-applies every ban (after a restart, a container recreation, or periodically). */
  reapplyBans(): void {
    if (this.options.dryRun) return;
    for (const ban of this.options.bans.list()) this.enforce(ban.app);
  }

  async unban(app: string, by: string): Promise<BanRecord> {
    const ban = this.options.bans.get(app);
    if (!ban) {
      const banned = this.options.bans.list().map((b) => b.app);
      throw new Error(`app ${JSON.stringify(app)} is not banned (banned apps: ${banned.length > 0 ? banned.join(", ") : "none"})`);
    }
    this.options.audit.appendDurable("unban", { app, by, bannedAt: ban.bannedAt, banAuditSeq: ban.auditSeq });
    this.options.bans.remove(app);
    this.rules.unban(app);
    this.recentSecurityLines.delete(app);
    if (this.options.enforcer) {
      await this.settle();
      const restored = await this.options.enforcer.unban(app, ban.enforcement);
      if (restored && restored.networks.length > 0) {
        this.options.audit.append("enforcement", { app, action: "reconnect", container: restored.containerName, networks: restored.networks });
        this.options.log("info", `app ${app}: reconnected ${restored.containerName} to ${restored.networks.map((n) => `${n.network}${n.ipv4Address ? ` (${n.ipv4Address})` : ""}`).join(", ")}`);
      }
    }
    this.options.log("info", `unbanned app ${app} (by ${by})`);
    return ban;
  }

  /** Waits for background enforcement to finish. */
  async settle(): Promise<void> {
    while (this.actions.size > 0) await Promise.allSettled([...this.actions]);
  }

  snapshot(): StatsSnapshot {
    return {
      stack: this.options.stack,
      generatedAt: new Date(this.now()).toISOString(),
      windowSeconds: this.options.statsWindowSeconds,
      dryRun: this.options.dryRun,
      lines: { total: this.linesTotal, parsed: this.linesParsed, malformed: this.malformed.total, malformedByOrigin: Object.fromEntries(this.malformed.byOrigin) },
      apps: this.stats.rows(this.now(), (app) => this.options.bans.has(app)),
    };
  }

  private track(action: Promise<unknown>): void {
    this.actions.add(action);
    void action.finally(() => this.actions.delete(action));
  }
}
