// The one way a command takes a duration (`--observe 90s`, `--timeout 2m`): a whole number with a
// unit, parts added up (1m30s). A bare number is refused: seconds taken for milliseconds (or the
// reverse) would make a useless run, and the commands would otherwise disagree on what it means.
import { UsageError } from "./args";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+)(ms|s|m|h)/gy;

export interface DurationRange {
  minMs: number;
  maxMs: number;
}

/** Milliseconds, or undefined when `text` is not whole numbers with units. Pure. */
export function durationMs(text: string): number | undefined {
  const trimmed = text.trim();
  let total = 0;
  let consumed = 0;
  PART.lastIndex = 0;
  for (let match = PART.exec(trimmed); match; match = PART.exec(trimmed)) {
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed = PART.lastIndex;
  }
  return trimmed !== "" && consumed === trimmed.length ? total : undefined;
}

/** `1500ms`, `90s`, `2m`, `1h30m`: the shortest exact spelling, for messages. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) {
    if (rest >= size && (rest % size === 0 || parts.length > 0 || rest % 1000 === 0)) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}ms`);
  return parts.join("");
}

/**
 * The value of `--<option>` in milliseconds; a UsageError naming the option, what was wrong and the
 * accepted range otherwise.
 */
export function parseDurationOption(option: string, text: string, range: DurationRange): number {
  const help = `give a whole number with a unit, e.g. 60s, 2m or 1m30s (from ${formatDuration(range.minMs)} to ${formatDuration(range.maxMs)})`;
  if (/^\s*\d+\s*$/.test(text)) throw new UsageError(`--${option} ${JSON.stringify(text)} has no unit: ${help}`);
  const ms = durationMs(text);
  if (ms === undefined) throw new UsageError(`--${option} ${JSON.stringify(text)} is not a duration: ${help}`);
  if (ms < range.minMs || ms > range.maxMs) throw new UsageError(`--${option} ${text} is out of range: ${help}`);
  return ms;
}
