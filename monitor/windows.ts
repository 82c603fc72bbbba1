// Sliding windows. Event times come from the proxies' logs; per app they are clamped to be
// non-decreasing, so a slightly late line from the other proxy counts as "now" instead of
// reopening a window that has already moved on.

/**
 * Timestamps of the last `capacity` matching events inside a sliding window of `windowMs`.
 * A rule "more than N in T" only needs N+1 of them, so memory per app and rule is bounded.
 * An event counts while `now - time < windowMs`.
 */
export class SlidingCounter {
  private readonly times: Float64Array;
  private head = 0;
  private size = 0;

  constructor(readonly windowMs: number, readonly capacity: number) {
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.times = new Float64Array(capacity);
  }

  /** Adds an event at `timeMs` (callers keep times non-decreasing) and returns the count in the window. */
  add(timeMs: number): number {
    this.expire(timeMs);
    if (this.size === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
    this.times[(this.head + this.size) % this.capacity] = timeMs;
    this.size++;
    return this.size;
  }

  /** Count in the window ending at `nowMs`, capped at the capacity. */
  count(nowMs: number): number {
    this.expire(nowMs);
    return this.size;
  }

  /** The oldest event still counted (the start of the evidence). */
  oldest(): number | undefined {
    return this.size === 0 ? undefined : this.times[this.head];
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  private expire(nowMs: number): void {
    while (this.size > 0 && nowMs - this.times[this.head] >= this.windowMs) {
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
  }
}

export const STAT_COUNTERS = ["requests", "status2xx", "status4xx", "status5xx", "status400", "status401", "status403", "status429", "egressDenials"] as const;
export type StatCounter = (typeof STAT_COUNTERS)[number];
export type StatCounts = Record<StatCounter, number>;

export function zeroCounts(): StatCounts {
  return Object.fromEntries(STAT_COUNTERS.map((name) => [name, 0])) as StatCounts;
}

/**
 * Per-second buckets over the last `windowSeconds`: cheap approximate counts for statistics
 * (exact to the second), unlike the exact SlidingCounter the ban rules use.
 */
export class BucketedCounts {
  private readonly seconds: Float64Array;
  private readonly buckets: Uint32Array[];

  constructor(readonly windowSeconds: number) {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new RangeError(`windowSeconds must be a positive integer, got ${windowSeconds}`);
    this.seconds = new Float64Array(windowSeconds).fill(-1);
    this.buckets = Array.from({ length: windowSeconds }, () => new Uint32Array(STAT_COUNTERS.length));
  }

  add(timeMs: number, counterIndexes: readonly number[]): void {
    const second = Math.floor(timeMs / 1000);
    const slot = second % this.windowSeconds;
    const bucket = this.buckets[slot];
    if (this.seconds[slot] !== second) {
      bucket.fill(0);
      this.seconds[slot] = second;
    }
    for (const index of counterIndexes) bucket[index]++;
  }

  /** Sums the buckets of the seconds (now - windowSeconds, now]. */
  snapshot(nowMs: number): StatCounts {
    const nowSecond = Math.floor(nowMs / 1000);
    const sums = new Array<number>(STAT_COUNTERS.length).fill(0);
    for (let slot = 0; slot < this.windowSeconds; slot++) {
      const second = this.seconds[slot];
      if (second > nowSecond - this.windowSeconds && second <= nowSecond) {
        const bucket = this.buckets[slot];
        for (let i = 0; i < sums.length; i++) sums[i] += bucket[i];
      }
    }
    return Object.fromEntries(STAT_COUNTERS.map((name, i) => [name, sums[i]])) as StatCounts;
  }
}

/** Distinct keys seen within a window (e.g. denied destinations), bounded in size. */
export class DistinctInWindow {
  private readonly lastSeen = new Map<string, number>();

  constructor(readonly windowMs: number, readonly maxKeys = 10_000) {}

  add(key: string, timeMs: number): void {
    if (this.lastSeen.has(key)) this.lastSeen.delete(key); // re-insert: Map order stays oldest-first
    else if (this.lastSeen.size >= this.maxKeys) this.lastSeen.delete(this.lastSeen.keys().next().value as string);
    this.lastSeen.set(key, timeMs);
  }

  count(nowMs: number): number {
    this.expire(nowMs);
    return this.lastSeen.size;
  }

  keys(nowMs: number, limit = 20): string[] {
    this.expire(nowMs);
    return [...this.lastSeen.keys()].slice(-limit);
  }

  private expire(nowMs: number): void {
    for (const [key, time] of this.lastSeen) {
      if (nowMs - time < this.windowMs) break;
      this.lastSeen.delete(key);
    }
  }
}
