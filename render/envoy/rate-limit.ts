// A token bucket for Envoy's local rate limit from requests/second and burst. Envoy refills in whole
// tokens and no more often than every 50 ms: the smallest whole n with n/rate >= 50 ms gives the
// smoothest refill (n tokens every n/rate seconds).

const MIN_FILL_INTERVAL_SECONDS = 0.05;

interface TokenBucket {
  max_tokens: number;
  tokens_per_fill: number;
  /** a protobuf JSON duration, e.g. "1s" or "0.200000000s" */
  fill_interval: string;
}

export function tokenBucket(requestsPerSecond: number, burst: number, where = "rateLimit"): TokenBucket {
  if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) throw new Error(`${where}.requestsPerSecond must be a positive number, got ${requestsPerSecond}`);
  if (!Number.isInteger(burst) || burst < 1) throw new Error(`${where}.burst must be a positive integer, got ${burst}`);
  const tokensPerFill = Math.max(1, Math.ceil(requestsPerSecond * MIN_FILL_INTERVAL_SECONDS - 1e-9));
  if (tokensPerFill > burst) {
    throw new Error(`${where}.burst ${burst} is too small for ${requestsPerSecond} requests/second: the bucket refills at most every ${MIN_FILL_INTERVAL_SECONDS * 1000} ms, so burst must be at least ${tokensPerFill}`);
  }
  const nanos = Math.round((tokensPerFill / requestsPerSecond) * 1e9);
  return { max_tokens: burst, tokens_per_fill: tokensPerFill, fill_interval: formatDuration(nanos) };
}

export function formatDuration(nanos: number): string {
  const seconds = Math.floor(nanos / 1e9);
  const rest = nanos - seconds * 1e9;
  return rest === 0 ? `${seconds}s` : `${seconds}.${String(rest).padStart(9, "0")}s`;
}

/** Requests per second a bucket sustains (for tests and docs). */
export function sustainedRate(bucket: TokenBucket): number {
  return bucket.tokens_per_fill / parseFloat(bucket.fill_interval);
}
