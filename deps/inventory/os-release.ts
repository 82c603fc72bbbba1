// Which distribution release an image is, from os-release(5): `etc/os-release`, usually a symlink to
// `../usr/lib/os-release`, which is read when etc/os-release is absent. Lines are shell-style
// assignments, KEY=value with the value optionally in double or single quotes.
import type { DistributionHint } from "../ecosystems";
import type { InputProblem } from "../model";

/** where os-release lives, in the order it is looked for */
export const OS_RELEASE_PATHS = ["etc/os-release", "usr/lib/os-release"];

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1).replace(/\\(["\\`$])/g, "$1");
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}

export function parseOsRelease(text: string, path: string): { distribution?: DistributionHint; problems: InputProblem[] } {
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) values.set(match[1], unquote(match[2].trim()));
  }
  const id = values.get("ID")?.toLowerCase();
  const version = values.get("VERSION_ID") || values.get("VERSION_CODENAME");
  if (!id || !version) {
    const missing = id ? "VERSION_ID or VERSION_CODENAME" : "ID";
    return { problems: [{ at: path, problem: `names no ${missing}, so the distribution release is unknown and its packages' advisories cannot be matched` }] };
  }
  return { distribution: { id, version }, problems: [] };
}
