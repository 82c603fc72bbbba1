// Follows the gateway's and the egress proxy's stdout through the Docker API (containers found by
// their `platform.role` label), and watches container starts so new proxies are followed and banned
// apps that were recreated are cut off again.
import { PassThrough, Readable } from "node:stream";
import type Docker from "dockerode";
import { LineSplitter } from "./events/line-splitter";
import { roleFilter } from "./docker-labels";
import { MonitorLog } from "./detector";
import { readJsonFile, writeJsonAtomic } from "./state-files";
import { PLATFORM_LABEL } from "../plan/names";

const FOLLOWED_ROLES = ["gateway", "egress"] as const;

interface FollowerOptions {
  docker: Docker;
  stack: string;
  /** a fresh line splitter per followed container */
  splitter: (origin: string) => LineSplitter;
  /** an app container of this stack (re)started */
  onAppStarted: (app: string) => void;
  log: MonitorLog;
  /** remembers how far each container's log was read, so a restart neither loses nor repeats lines */
  cursorFile: string;
  /**
   * false: read what the running containers have logged so far (since the cursors) and end, for
   * `run --once`; `drained()` resolves then. Default true: follow until stopped, and containers that start.
   */
  follow?: boolean;
}

type Cursors = Record<string, string>;

/**
 * `2026-11-23T12:00:00.1234Z line` → [timestamp with 9 fraction digits, line] (Docker's `timestamps: true`
 * trims trailing zeros; padding makes timestamps compare correctly as strings).
 */
export function splitTimestamp(line: string): [string, string] {
  const space = line.indexOf(" ");
  if (space <= 0) return ["", line];
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(line.slice(0, space));
  if (!match) return ["", line];
  return [`${match[1]}.${(match[2] ?? "").padEnd(9, "0")}Z`, line.slice(space + 1)];
}

/** The saved cursors (`log-cursors.json`): container id → the Docker timestamp of the last line read. */
export function readCursors(file: string): Cursors {
  const cursors = readJsonFile<unknown>(file, "log cursors");
  if (cursors === undefined) return {};
  if (typeof cursors !== "object" || cursors === null || Array.isArray(cursors) || Object.values(cursors).some((v) => typeof v !== "string")) {
    throw new Error(`log cursors ${file} are not an object of container id → timestamp: remove the file (the next run then reads each container's log from its start)`);
  }
  return cursors as Cursors;
}

/** RFC 3339 with nanoseconds → the `seconds.nanoseconds` form the logs API accepts for `since`. */
export function sinceParameter(timestamp: string): string | undefined {
  const match = /^(.*?)(?:\.(\d{1,9}))?Z$/.exec(timestamp);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}Z`) / 1000;
  if (Number.isNaN(seconds)) return undefined;
  return `${seconds}.${(match[2] ?? "").padEnd(9, "0")}`;
}

export class DockerLogFollower {
  private readonly followed = new Map<string, NodeJS.ReadableStream>();
  private readonly ends: Promise<void>[] = [];
  private readonly cursors: Cursors;
  private events?: NodeJS.ReadableStream;
  private stopped = false;
  private cursorTimer?: NodeJS.Timeout;
  private cursorsDirty = false;

  constructor(private readonly options: FollowerOptions) {
    this.cursors = readCursors(options.cursorFile);
  }

  private get following(): boolean {
    return this.options.follow !== false;
  }

  async start(): Promise<void> {
    const { docker, stack } = this.options;
    if (this.following) {
      this.events = await docker.getEvents({ filters: { type: ["container"], event: ["start"], label: [`${PLATFORM_LABEL.stack}=${stack}`] } });
      const splitter = new LineSplitter((line) => this.onDockerEvent(line), () => undefined);
      this.events.on("data", (chunk: Buffer) => splitter.push(chunk.toString("utf8")));
      this.events.on("error", (error: Error) => this.options.log("error", `docker events stream failed: ${error.message}`));
    }
    for (const role of FOLLOWED_ROLES) {
      const containers = await docker.listContainers({ filters: { label: roleFilter(stack, role), status: ["running"] } });
      for (const info of containers) {
        // a container that went away between listing and reading is not a reason to read no other
        await this.follow(info.Id, role).catch((error: Error) => this.options.log("error", `cannot read ${role} container ${info.Id.slice(0, 12)}: ${error.message}`));
      }
    }
    this.cursorTimer = setInterval(() => this.saveCursors(), 1000);
    this.cursorTimer.unref();
  }

  followedContainers(): string[] {
    return [...this.followed.keys()];
  }

  /** How many containers' logs were opened (followed or read), ended or not. */
  get containersOpened(): number {
    return this.ends.length;
  }

  /** Resolves when every log stream opened so far has ended (with `follow: false`: all that was there is read). */
  async drained(): Promise<void> {
    await Promise.all(this.ends);
  }

  private onDockerEvent(line: string): void {
    let event: { id?: string; Actor?: { Attributes?: Record<string, string> } };
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    const attributes = event.Actor?.Attributes ?? {};
    const role = attributes[PLATFORM_LABEL.role];
    if (!event.id) return;
    if (role === "app" && attributes[PLATFORM_LABEL.app]) this.options.onAppStarted(attributes[PLATFORM_LABEL.app]);
    else if ((FOLLOWED_ROLES as readonly string[]).includes(role ?? "")) {
      this.follow(event.id, role!).catch((error: Error) => this.options.log("error", `cannot follow ${role} container ${event.id!.slice(0, 12)}: ${error.message}`));
    }
  }

  private async follow(containerId: string, role: string): Promise<void> {
    if (this.stopped || this.followed.has(containerId)) return;
    const container = this.options.docker.getContainer(containerId);
    const inspected = await container.inspect();
    if (inspected.Config.Tty) this.options.log("warn", `${role} container ${inspected.Name} has a TTY: its log stream is not multiplexed`);
    const cursor = this.cursors[containerId];
    const since = cursor ? sinceParameter(cursor) : undefined;
    const logOptions = { stdout: true, stderr: false, timestamps: true, ...(since ? { since } : {}) };
    const stream: NodeJS.ReadableStream = this.following
      ? await container.logs({ ...logOptions, follow: true })
      : Readable.from([Buffer.from(await container.logs({ ...logOptions, follow: false }))], { objectMode: false });
    this.followed.set(containerId, stream);
    const origin = `${role}:${inspected.Name.replace(/^\//, "")}`;
    const sink = this.options.splitter(origin);
    const lines = new LineSplitter(
      (line) => {
        const [timestamp, text] = splitTimestamp(line);
        // `since` has whole-line granularity at best: skip what the previous run already read
        if (cursor && timestamp && timestamp <= cursor) return;
        if (timestamp) {
          this.cursors[containerId] = timestamp;
          this.cursorsDirty = true;
        }
        sink.push(`${text}\n`);
      },
      (prefix) => sink.push(`${prefix}\n`),
      64 * 1024 + 64,
    );
    const stdout = new PassThrough();
    stdout.on("data", (chunk: Buffer) => lines.push(chunk.toString("utf8")));
    // the last line is handed on once the demultiplexed copy has delivered everything, not when the source ends
    this.ends.push(
      new Promise<void>((resolve) =>
        stdout.on("end", () => {
          lines.end();
          this.followed.delete(containerId);
          this.options.log("info", `log stream of ${origin} ended`);
          resolve();
        }),
      ),
    );
    if (inspected.Config.Tty) stream.pipe(stdout);
    else {
      this.options.docker.modem.demuxStream(stream, stdout, new PassThrough());
      stream.on("end", () => stdout.end());
    }
    stream.on("error", (error: Error) => {
      this.options.log("error", `log stream of ${origin} failed: ${error.message}`);
      stdout.end();
    });
    this.options.log("info", `${this.following ? "following" : "reading"} ${origin}${since ? ` since ${cursor}` : ""}`);
  }

  saveCursors(): void {
    if (!this.cursorsDirty) return;
    this.cursorsDirty = false;
    writeJsonAtomic(this.options.cursorFile, this.cursors);
  }

  stop(): void {
    this.stopped = true;
    if (this.cursorTimer) clearInterval(this.cursorTimer);
    this.saveCursors();
    const destroy = (stream: NodeJS.ReadableStream) => (stream as unknown as { destroy?: () => void }).destroy?.();
    if (this.events) destroy(this.events);
    for (const stream of this.followed.values()) destroy(stream);
    this.followed.clear();
  }
}
