// Reads one of the Engine API's line streams (stats, events, a container's log) within bounds: it stops at
// a deadline, after a number of bytes or lines, or when a line handler says it has seen enough, and always
// destroys the HTTP stream, so an observation never hangs on a stream the engine keeps open.
import { StringDecoder } from "node:string_decoder";
import { LineSplitter } from "../monitor/events/line-splitter";

/** Why reading stopped; anything but "ended" means the stream may hold more than was read. */
export type StreamEnd = "ended" | "deadline" | "bytes" | "lines" | "enough" | `error: ${string}`;

export interface StreamLimits {
  /** epoch ms at which reading stops */
  deadlineMs: number;
  maxBytes: number;
  maxLines: number;
  /** longer lines are skipped (reported through onOversized) */
  maxLineLength?: number;
}

interface ReadLinesOptions {
  /** the stream to destroy when reading stops (the HTTP response) */
  source: NodeJS.ReadableStream;
  /** where the lines come from: the source itself, or its demultiplexed stdout */
  data?: NodeJS.ReadableStream;
  limits: StreamLimits;
  /** return false to stop reading ("enough") */
  onLine: (line: string) => boolean | void;
  onOversized?: (prefix: string) => void;
}

const destroy = (stream: NodeJS.ReadableStream) => (stream as unknown as { destroy?: () => void }).destroy?.();

export function readLines({ source, data = source, limits, onLine, onOversized = () => undefined }: ReadLinesOptions): Promise<StreamEnd> {
  return new Promise<StreamEnd>((resolve) => {
    let bytes = 0;
    let lines = 0;
    let done = false;
    // a character split across two chunks stays whole
    const decoder = new StringDecoder("utf8");
    const finish = (end: StreamEnd) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      data.removeListener("data", onData);
      destroy(source);
      if (data !== source) destroy(data);
      resolve(end);
    };
    const splitter = new LineSplitter(
      (line) => {
        if (done) return;
        lines++;
        if (onLine(line) === false) finish("enough");
        else if (lines >= limits.maxLines) finish("lines");
      },
      onOversized,
      limits.maxLineLength,
    );
    const onData = (chunk: Buffer | string) => {
      if (done) return;
      bytes += chunk.length;
      if (bytes > limits.maxBytes) return finish("bytes");
      splitter.push(typeof chunk === "string" ? chunk : decoder.write(chunk));
    };
    const timer = setTimeout(() => finish("deadline"), Math.max(0, limits.deadlineMs - Date.now()));
    data.on("data", onData);
    data.on("end", () => {
      if (!done) {
        splitter.push(decoder.end());
        splitter.end();
      }
      finish("ended");
    });
    data.on("error", (error: Error) => finish(`error: ${error.message}`));
    if (data !== source) source.on("error", (error: Error) => finish(`error: ${error.message}`));
  });
}
