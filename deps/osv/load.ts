// Loads an offline copy of the OSV database: what osv.dev exports, one folder per ecosystem holding its
// `all.zip` (read one entry at a time, so an export never sits in memory unpacked), or the same records
// unpacked as `*.json`, at any (bounded) depth. Broken records are named and skipped; a directory
// without a single usable record is refused.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { UnusableInputError } from "../model";
import type { Advisory, AffectedPackage } from "./advisory";
import { AdvisoryDatabase, AdvisoryDatabaseStats, BrokenRecord, describeBroken } from "./database";
import { parseRecord } from "./record";
import { readZipEntries } from "./zip";

export { AdvisoryDatabase } from "./database";
export type { AdvisoryDatabaseStats, BrokenRecord } from "./database";

export interface LoadOptions {
  /** how many folders deep below the directory records are looked for (default 6) */
  maxDepth?: number;
  /** files and zip entries read at most (default 3,000,000; osv.dev's full export is about 500,000) */
  maxFiles?: number;
  /** a record larger than this is broken rather than read (default 32 MiB) */
  maxRecordBytes?: number;
}

/** How to fill the directory: osv.dev's per-ecosystem exports. */
export function osvExportHint(dir: string): string {
  return (
    `download the OSV exports of the ecosystems you check, one folder each: e.g. ${join(dir, "npm", "all.zip")} from ` +
    "https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip (likewise PyPI, Maven, Go, Debian, Alpine)"
  );
}

/** distinct strings shared across records at most (a bound on the pool's own memory) */
const INTERNED_STRINGS = 1_000_000;

interface Kept {
  modifiedMs: number;
  record: { advisory: Advisory; affected: AffectedPackage[] } | "withdrawn";
}

class Loader {
  readonly broken: BrokenRecord[] = [];
  readonly byId = new Map<string, Kept>();
  filesRead = 0;
  sources = 0;
  duplicates = 0;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private readonly strings = new Map<string, string>();
  private readonly intern = (value: string): string => {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size < INTERNED_STRINGS) this.strings.set(value, value);
    return value;
  };

  constructor(
    private readonly dir: string,
    private readonly options: Required<LoadOptions>,
  ) {}

  private count(): void {
    if (++this.filesRead > this.options.maxFiles) {
      throw new UnusableInputError(this.dir, `holds more than ${this.options.maxFiles} records; point it at the folder holding the OSV exports only`);
    }
  }

  addRecord(at: string, bytes: Uint8Array): void {
    this.count();
    if (bytes.length > this.options.maxRecordBytes) {
      this.broken.push({ at, problem: `is larger than ${this.options.maxRecordBytes} bytes, which no OSV record is` });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(this.decoder.decode(bytes));
    } catch (error) {
      this.broken.push({ at, problem: `is not JSON: ${(error as Error).message}` });
      return;
    }
    const parsed = parseRecord(json, this.intern);
    if (parsed.kind === "broken") {
      this.broken.push({ at, problem: parsed.problem });
      return;
    }
    const modified = parsed.kind === "withdrawn" ? parsed.modified : parsed.advisory.modified;
    const modifiedMs = modified ? Date.parse(modified) || 0 : 0;
    const id = parsed.kind === "withdrawn" ? parsed.id : parsed.advisory.id;
    const kept = this.byId.get(id);
    if (kept) {
      this.duplicates++;
      if (kept.modifiedMs >= modifiedMs) return;
    }
    this.byId.set(id, { modifiedMs, record: parsed.kind === "withdrawn" ? "withdrawn" : { advisory: parsed.advisory, affected: parsed.affected } });
  }

  addZip(path: string, at: string): void {
    this.sources++;
    let data: Uint8Array;
    try {
      data = readFileSync(path);
    } catch (error) {
      this.broken.push({ at, problem: `cannot be read: ${(error as Error).message}` });
      return;
    }
    const problem = readZipEntries(data, this.options.maxRecordBytes, {
      wanted: (name) => name.toLowerCase().endsWith(".json"),
      entry: (name, result) => {
        if (typeof result === "string") {
          this.count();
          this.broken.push({ at: `${at}!${name}`, problem: result });
        } else this.addRecord(`${at}!${name}`, result);
      },
    });
    if (problem) this.broken.push({ at, problem });
  }

  addFile(path: string, at: string): void {
    this.sources++;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      this.count();
      this.broken.push({ at, problem: `cannot be read: ${(error as Error).message}` });
      return;
    }
    this.addRecord(at, bytes);
  }

  walk(folder: string, depth: number): void {
    let names: string[];
    try {
      names = readdirSync(folder).sort();
    } catch (error) {
      this.broken.push({ at: relative(this.dir, folder) || ".", problem: `cannot be listed: ${(error as Error).message}` });
      return;
    }
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const path = join(folder, name);
      const at = relative(this.dir, path);
      let isDirectory: boolean;
      try {
        isDirectory = statSync(path).isDirectory(); // follows links; the depth bound stops link cycles
      } catch {
        continue; // a dangling link
      }
      const lower = name.toLowerCase();
      if (isDirectory) {
        if (depth < this.options.maxDepth) this.walk(path, depth + 1);
      } else if (lower.endsWith(".zip")) this.addZip(path, at);
      else if (lower.endsWith(".json")) this.addFile(path, at);
    }
  }
}

function newer(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return (Date.parse(b) || 0) > (Date.parse(a) || 0) ? b : a;
}

/** Loads every OSV record under `dir`; throws UnusableInputError when the directory holds none that is usable. */
export function loadAdvisoryDatabase(dir: string, options: LoadOptions = {}): AdvisoryDatabase {
  const settings: Required<LoadOptions> = { maxDepth: 6, maxFiles: 3_000_000, maxRecordBytes: 32 * 1024 * 1024, ...options };
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new UnusableInputError(dir, `the OSV database directory does not exist; ${osvExportHint(dir)}`);
  }
  if (!isDirectory) throw new UnusableInputError(dir, `is not a directory: the OSV database is a folder of exports; ${osvExportHint(dir)}`);

  const loader = new Loader(dir, settings);
  loader.walk(dir, 0);
  if (loader.sources === 0) {
    const unreadable = loader.broken.length ? `\n${describeBroken(loader.broken)}` : "";
    throw new UnusableInputError(dir, `holds no OSV records (no .json file or .zip archive within ${settings.maxDepth} folders); ${osvExportHint(dir)}${unreadable}`);
  }

  const advisories: { advisory: Advisory; affected: AffectedPackage[] }[] = [];
  let withdrawn = 0;
  let newestModified: string | undefined;
  const perEcosystem: Record<string, number> = {};
  for (const kept of loader.byId.values()) {
    if (kept.record === "withdrawn") {
      withdrawn++;
      continue;
    }
    advisories.push(kept.record);
    newestModified = newer(newestModified, kept.record.advisory.modified);
    for (const ecosystem of new Set(kept.record.affected.map((entry) => entry.ecosystem))) perEcosystem[ecosystem] = (perEcosystem[ecosystem] ?? 0) + 1;
  }
  if (advisories.length === 0) {
    const why = loader.broken.length ? `none of its records is usable:\n${describeBroken(loader.broken)}` : `all its ${withdrawn} records are withdrawn`;
    throw new UnusableInputError(dir, `${why}\n${osvExportHint(dir)}`);
  }
  const stats: AdvisoryDatabaseStats = {
    dir,
    filesRead: loader.filesRead,
    records: advisories.length,
    withdrawn,
    duplicates: loader.duplicates,
    broken: loader.broken,
    perEcosystem: Object.fromEntries(Object.entries(perEcosystem).sort(([a], [b]) => (a < b ? -1 : 1))),
    ...(newestModified ? { newestModified } : {}),
  };
  return new AdvisoryDatabase(stats, advisories);
}
