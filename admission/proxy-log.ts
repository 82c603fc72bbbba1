// Reads what a proxy container (the gateway or the egress proxy) logged on stdout during the observation
// window, through the Engine API, and keeps one app's access-log events. Bounded in bytes and time; every
// way the read can fall short is a problem, never a silent zero.
import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { readLines } from "./bounded-stream";
import { splitTimestamp, sinceParameter } from "../monitor/docker-logs";
import { MAX_LINE_BYTES, parseLogLine } from "../monitor/events/parse";
import type { AccessEvent, LogSource } from "../monitor/events/types";

export interface ProxyLogReading {
  /** the container's name */
  container: string;
  /** the app's events in the window, in log order */
  events: AccessEvent[];
  /** access-log lines of the window, of every app */
  lines: number;
  /** lines in the window that were not access-log lines of this proxy */
  malformed: number;
  /** false: the byte cap or the read timeout stopped reading before the window's end */
  complete: boolean;
}

export interface ProxyLogOptions {
  /** the proxy container, id or name */
  container: string;
  source: LogSource;
  app: string;
  /** lines the engine received from `fromMs` to `logsUntilMs` are read (a proxy flushes its log a little after the request) */
  fromMs: number;
  logsUntilMs: number;
  /** requests after this time belong to the next window */
  toMs: number;
  maxBytes: number;
  readTimeoutMs: number;
}

const ROLE_NAME: Record<LogSource, string> = { gateway: "gateway", egress: "egress proxy" };

/** A Docker timestamp (RFC 3339 with nanoseconds) in epoch ms. */
function timestampMs(timestamp: string): number | undefined {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The log as a stream that ends at its end. dockerode hands a log that is not followed over as one buffer
 * (unbounded), and a followed one never ends while the proxy is quiet, even past `until`; docker-modem's
 * `dial`, which dockerode itself calls, gives the plain response stream, which the reader bounds.
 */
function logStream(docker: Docker, id: string, query: Record<string, string | boolean | undefined>): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    docker.modem.dial(
      { path: `/containers/${id}/logs?`, method: "GET", isStream: true, statusCodes: { 200: true, 404: "no such container", 500: "server error" }, options: { ...query, follow: false } },
      (error, stream) => (error ? reject(error) : resolve(stream as NodeJS.ReadableStream)),
    ),
  );
}

/** The app's events the proxy logged in the window, or the problem that kept them from being read. */
export async function readProxyLog(docker: Docker, options: ProxyLogOptions): Promise<{ reading?: ProxyLogReading; problems: string[] }> {
  const role = ROLE_NAME[options.source];
  const unknown = `the app's ${options.source} traffic is unknown`;
  const container = docker.getContainer(options.container);
  let info: Docker.ContainerInspectInfo;
  try {
    info = await container.inspect();
  } catch (error) {
    const missing = (error as { statusCode?: number }).statusCode === 404;
    return { problems: [missing ? `${role} container ${options.container} does not exist: ${unknown}; give the running ${role}'s container` : `${role} container ${options.container} could not be inspected (${(error as Error).message}): ${unknown}`] };
  }
  const name = info.Name.replace(/^\//, "");
  const since = sinceParameter(new Date(options.fromMs).toISOString());
  const until = sinceParameter(new Date(options.logsUntilMs).toISOString());
  let stream: NodeJS.ReadableStream;
  try {
    stream = await logStream(docker, info.Id, { stdout: true, stderr: false, timestamps: true, since, until });
  } catch (error) {
    return { problems: [`the log of ${role} container ${name} could not be read (${(error as Error).message}): ${unknown}; its logging driver must be json-file, local or journald`] };
  }
  let data: NodeJS.ReadableStream = stream;
  if (!info.Config.Tty) {
    const stdout = new PassThrough();
    docker.modem.demuxStream(stream, stdout, new PassThrough());
    stream.on("end", () => stdout.end());
    data = stdout;
  }
  const reading: ProxyLogReading = { container: name, events: [], lines: 0, malformed: 0, complete: true };
  let otherSource = 0;
  let firstMalformed: string | undefined;
  let lastReadMs: number | undefined;
  const end = await readLines({
    source: stream,
    data,
    limits: { deadlineMs: Date.now() + options.readTimeoutMs, maxBytes: options.maxBytes, maxLines: Number.MAX_SAFE_INTEGER, maxLineLength: MAX_LINE_BYTES + 64 },
    onLine: (line) => {
      const [timestamp, text] = splitTimestamp(line);
      const loggedMs = timestampMs(timestamp);
      if (loggedMs !== undefined) lastReadMs = loggedMs;
      if (loggedMs !== undefined && (loggedMs < options.fromMs || loggedMs > options.logsUntilMs)) return;
      const parsed = parseLogLine(text);
      if (!parsed.ok) {
        reading.malformed++;
        firstMalformed ??= parsed.reason;
        return;
      }
      if (parsed.event.source !== options.source) {
        otherSource++;
        return;
      }
      if (parsed.event.timeMs > options.toMs) return;
      reading.lines++;
      if (parsed.event.app === options.app) reading.events.push(parsed.event);
    },
    onOversized: () => {
      reading.malformed++;
      firstMalformed ??= `a line longer than ${MAX_LINE_BYTES} bytes`;
    },
  });
  const problems: string[] = [];
  if (end !== "ended") {
    reading.complete = false;
    const upTo = lastReadMs === undefined ? "nothing was read" : `read up to ${new Date(lastReadMs).toISOString()}`;
    const why = end === "bytes" ? `its log holds more than ${options.maxBytes} bytes for the window` : end === "deadline" ? `reading it took longer than ${options.readTimeoutMs} ms` : end;
    if (lastReadMs === undefined) return { problems: [`the log of ${role} container ${name} could not be read (${why}): ${unknown}`] };
    problems.push(`the log of ${role} container ${name} was not read to the end (${why}; ${upTo}): the app's ${options.source} counts are lower bounds`);
  }
  if (reading.malformed > 0) problems.push(`${reading.malformed} lines of ${role} container ${name} in the window are not access-log lines (the first: ${firstMalformed}): requests they record are not counted`);
  if (otherSource > 0) problems.push(`${otherSource} lines of ${role} container ${name} are ${options.source === "gateway" ? "egress" : "gateway"} lines: check that the right container was given as the ${role}`);
  return { reading, problems };
}
