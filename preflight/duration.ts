// `--timeout 60s`: a whole number with ms, s or m (a bare number is seconds). Pure.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Milliseconds, or undefined when `text` is not a positive duration of at most an hour. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m)?$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNITS[match[2] ?? "s"];
  return ms > 0 && ms <= 3_600_000 ? ms : undefined;
}
