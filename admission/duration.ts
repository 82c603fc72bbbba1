// `--observe DURATION`: how long the app is watched, as a number with a unit (90s, 2m, 1m30s, 1500ms).
// A bare number is refused: seconds taken for milliseconds (or the reverse) would make a useless run.
import { MAX_DURATION_MS, MIN_DURATION_MS } from "./observe";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+)(ms|s|m|h)/gy;

/** Milliseconds, or an error message that names the option and the fix. */
export function parseDuration(text: string, option = "--observe"): number | { error: string } {
  const trimmed = text.trim();
  const help = `give a whole number with a unit, e.g. 60s, 2m or 1m30s (from ${MIN_DURATION_MS / 1000}s to ${MAX_DURATION_MS / 3_600_000}h)`;
  if (/^\d+$/.test(trimmed)) return { error: `${option} ${JSON.stringify(text)} has no unit: ${help}` };
  let total = 0;
  let consumed = 0;
  PART.lastIndex = 0;
  for (let match = PART.exec(trimmed); match; match = PART.exec(trimmed)) {
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed = PART.lastIndex;
  }
  if (trimmed === "" || consumed !== trimmed.length) return { error: `${option} ${JSON.stringify(text)} is not a duration: ${help}` };
  if (total < MIN_DURATION_MS || total > MAX_DURATION_MS) return { error: `${option} ${text} is out of range: ${help}` };
  return total;
}
