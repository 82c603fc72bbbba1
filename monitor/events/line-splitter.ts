// Turns a byte stream into lines; a line longer than the limit is reported once and skipped, so a
// runaway writer cannot make the monitor buffer without bound.
import { MAX_LINE_BYTES } from "./parse";

export class LineSplitter {
  private pending = "";
  private skipping = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOversized: (prefix: string) => void,
    private readonly maxLength = MAX_LINE_BYTES,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (let newline = chunk.indexOf("\n"); newline !== -1; newline = chunk.indexOf("\n", start)) {
      const piece = chunk.slice(start, newline);
      start = newline + 1;
      if (this.skipping) {
        this.skipping = false;
        this.pending = "";
        continue;
      }
      const line = this.pending.length > 0 ? this.pending + piece : piece;
      this.pending = "";
      if (line.length > this.maxLength) this.onOversized(line.slice(0, 200));
      else this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
    }
    if (start < chunk.length && !this.skipping) {
      this.pending += chunk.slice(start);
      if (this.pending.length > this.maxLength) {
        this.onOversized(this.pending.slice(0, 200));
        this.pending = "";
        this.skipping = true;
      }
    }
  }

  /** End of stream: a final line without a newline still counts. */
  end(): void {
    if (this.pending.length > 0 && !this.skipping) this.onLine(this.pending);
    this.pending = "";
    this.skipping = false;
  }
}
