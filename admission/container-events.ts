// What happened to one container during the observation, from the Engine API's event stream: exits with
// their codes, restarts, OOM kills and health changes, and its health at the end (from an inspect).
import type Docker from "dockerode";
import { readLines } from "./bounded-stream";

export interface Lifecycle {
  /** starts that followed an exit within the window (restart policy or an operator) */
  restarts: number;
  /**
   * Times the kernel's OOM killer fired in the container. The engine reports one `oom` event per memory
   * cgroup notification, often dozens for a single kill, so events less than a second apart within one
   * run of the container count once.
   */
  oomKilled: number;
  exits: { at: string; code: number }[];
  health: {
    /** State.Health.Status at the end: healthy, unhealthy, starting; "none" without a healthcheck; "unknown" when the container could not be inspected */
    final: string;
    transitions: { at: string; status: string }[];
  };
}

/** The fields of an engine event this tracker reads. */
interface EngineEvent {
  Type?: string;
  Action?: string;
  time?: number;
  timeNano?: number;
  Actor?: { Attributes?: Record<string, string> };
}

/** kills reported within this long of the previous `oom` event of the same run are the same kill */
const OOM_EPISODE_GAP_MS = 1000;
const HEALTH_ACTION = "health_status: ";

function eventTimeMs(event: EngineEvent): number | undefined {
  if (typeof event.timeNano === "number" && event.timeNano > 0) return Math.floor(event.timeNano / 1e6);
  if (typeof event.time === "number" && event.time > 0) return event.time * 1000;
  return undefined;
}

/** Folds a container's engine events (oldest first) into its lifecycle; lists keep at most `maxListed` entries. */
export class LifecycleTracker {
  private restarts = 0;
  private ooms = 0;
  private lastOomMs?: number;
  private exitedSinceStart = false;
  private readonly exits: { at: string; code: number }[] = [];
  private readonly transitions: { at: string; status: string }[] = [];
  /** entries left off the lists because they were full */
  omitted = 0;

  constructor(private readonly maxListed = 100) {}

  add(raw: unknown): void {
    if (typeof raw !== "object" || raw === null) return;
    const event = raw as EngineEvent;
    const timeMs = eventTimeMs(event);
    if ((event.Type !== undefined && event.Type !== "container") || typeof event.Action !== "string" || timeMs === undefined) return;
    const at = new Date(timeMs).toISOString();
    const action = event.Action;
    if (action === "start") {
      if (this.exitedSinceStart) this.restarts++;
      this.exitedSinceStart = false;
      this.lastOomMs = undefined;
    } else if (action === "die") {
      const code = Number(event.Actor?.Attributes?.exitCode);
      this.list(this.exits, { at, code: Number.isInteger(code) ? code : -1 });
      this.exitedSinceStart = true;
      this.lastOomMs = undefined;
    } else if (action === "oom") {
      if (this.lastOomMs === undefined || timeMs - this.lastOomMs >= OOM_EPISODE_GAP_MS) this.ooms++;
      this.lastOomMs = timeMs;
    } else if (action.startsWith(HEALTH_ACTION)) {
      const status = action.slice(HEALTH_ACTION.length).trim();
      if (this.transitions.at(-1)?.status !== status) this.list(this.transitions, { at, status });
    }
  }

  result(finalHealth: string): Lifecycle {
    return { restarts: this.restarts, oomKilled: this.ooms, exits: [...this.exits], health: { final: finalHealth, transitions: [...this.transitions] } };
  }

  private list<T>(entries: T[], entry: T): void {
    if (entries.length < this.maxListed) entries.push(entry);
    else this.omitted++;
  }
}

interface WatchOptions {
  /** container id */
  container: string;
  fromMs: number;
  untilMs: number;
  /** at most this many events are read */
  maxEvents: number;
}

/** the engine ends the stream at `until`; this is how much longer it is given before it is cut */
const STREAM_END_SLACK_MS = 3000;

/** The container's events from `fromMs` to `untilMs` (waits until then), and its health at the end. */
export async function watchLifecycle(docker: Docker, options: WatchOptions): Promise<{ lifecycle?: Lifecycle; problems: string[] }> {
  const name = options.container.slice(0, 12);
  const tracker = new LifecycleTracker();
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.getEvents({ since: options.fromMs / 1000, until: options.untilMs / 1000, filters: { type: ["container"], container: [options.container] } });
  } catch (error) {
    return { problems: [`the engine refused the events of container ${name} (${(error as Error).message}): its restarts, exits and health are unknown`] };
  }
  const problems: string[] = [];
  const end = await readLines({
    source: stream,
    limits: { deadlineMs: options.untilMs + STREAM_END_SLACK_MS, maxBytes: options.maxEvents * 4096, maxLines: options.maxEvents },
    onLine: (line) => {
      try {
        tracker.add(JSON.parse(line));
      } catch {
        // not JSON: the engine never sends that
      }
    },
  });
  // without the events the counts below would read as "nothing happened": report the window unknown instead
  if (end !== "ended" && end !== "deadline") {
    const why = end === "lines" || end === "bytes" ? `more than ${options.maxEvents} events` : end;
    return { problems: [`the events of container ${name} could not be read to the end (${why}): its restarts, exits and health are unknown`] };
  }
  if (end === "deadline") problems.push(`the engine did not end the event stream of container ${name} at the window's end; events up to then were read`);
  if (tracker.omitted > 0) problems.push(`container ${name}: ${tracker.omitted} more exits or health changes happened than are listed`);
  let finalHealth = "unknown";
  try {
    const info = await docker.getContainer(options.container).inspect();
    finalHealth = info.State.Health?.Status ?? "none";
  } catch (error) {
    problems.push(`container ${name} could not be inspected at the end of the window (${(error as Error).message}): its final health is unknown`);
  }
  return { lifecycle: tracker.result(finalHealth), problems };
}
