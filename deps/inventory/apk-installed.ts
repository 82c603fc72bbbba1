// Alpine's package database, `lib/apk/db/installed`: one paragraph per installed package, each line a
// one-letter key, a colon and the value (P: name, V: version, A: architecture, o: origin, i.e. the
// source package Alpine's advisories are filed under; F:, R:, Z: ... list its files, and are not read).
import type { Parsed } from "./parsed";

export interface ApkPackage {
  name: string;
  version: string;
  architecture?: string;
  /** the origin (source) package */
  origin?: string;
}

const LINE = /^([A-Za-z]):(.*)$/;

export function parseApkInstalled(text: string, path: string): Parsed<ApkPackage> {
  const result: Parsed<ApkPackage> = { packages: [], problems: [] };
  const lines = text.split(/\r?\n/);
  let fields = new Map<string, string>();
  let start = 0;
  let bad: string[] = [];
  const finish = () => {
    if (fields.size === 0 && bad.length === 0) return;
    const at = `${path}:${start}`;
    const name = fields.get("P");
    const version = fields.get("V");
    const label = name ? `package ${JSON.stringify(name)}` : "this entry";
    for (const line of bad) result.problems.push({ at, problem: `${label}: ${line}` });
    if (!name || !version) {
      result.problems.push({ at, problem: `${label} has no ${name ? "V: (version)" : "P: (name)"} line: it is skipped` });
    } else {
      const pkg: ApkPackage = { name, version };
      const architecture = fields.get("A");
      const origin = fields.get("o");
      if (architecture) pkg.architecture = architecture;
      if (origin) pkg.origin = origin;
      result.packages.push(pkg);
    }
    fields = new Map();
    bad = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") {
      finish();
      continue;
    }
    if (fields.size === 0 && bad.length === 0) start = i + 1;
    const match = LINE.exec(line);
    if (!match) bad.push(`line ${i + 1} is not "<letter>:<value>" (${JSON.stringify(line.slice(0, 60))})`);
    // the first P:, V:, A:, o: of an entry count (file lines repeat other keys, never these)
    else if (!fields.has(match[1])) fields.set(match[1], match[2].trim());
  }
  finish();
  return result;
}
