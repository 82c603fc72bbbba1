// Counts malformed lines per origin and keeps a few samples for the monitor's own log.

interface MalformedSample {
  origin: string;
  reason: string;
  /** the start of the line, at most 200 characters */
  excerpt: string;
}

export class MalformedLines {
  readonly byOrigin = new Map<string, number>();
  readonly samples: MalformedSample[] = [];
  total = 0;

  constructor(private readonly maxSamples = 20) {}

  /** Returns the sample when it should be logged: the first few of each origin, then every 1000th. */
  record(origin: string, reason: string, line: string): MalformedSample | undefined {
    this.total++;
    const count = (this.byOrigin.get(origin) ?? 0) + 1;
    this.byOrigin.set(origin, count);
    if (count > 5 && count % 1000 !== 0) return undefined;
    const sample = { origin, reason, excerpt: line.slice(0, 200) };
    if (this.samples.length < this.maxSamples) this.samples.push(sample);
    return sample;
  }
}
