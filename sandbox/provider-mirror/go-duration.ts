// Go's time.ParseDuration, which the provider applies to healthcheck durations ("10s", "1m30s").
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Nanoseconds for a Go duration string; throws on anything Go would reject. */
export function parseGoDuration(text: string): number {
  const match = /^([-+]?)(.*)$/.exec(text)!;
  const sign = match[1] === "-" ? -1 : 1;
  const body = match[2];
  if (body === "0") return 0;
  if (body === "") throw new Error(`invalid duration ${JSON.stringify(text)}`);
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let consumed = 0;
  while (consumed < body.length) {
    part.lastIndex = consumed;
    const piece = part.exec(body);
    if (!piece) throw new Error(`invalid duration ${JSON.stringify(text)}: ${JSON.stringify(body.slice(consumed))} is not <number><unit> (units ns, us, ms, s, m, h)`);
    total += Number(piece[1]) * UNIT_NS[piece[2]];
    consumed = part.lastIndex;
  }
  return sign * Math.round(total);
}
