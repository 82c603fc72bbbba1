// The loaded advisory database: affected packages indexed by (ecosystem as OSV writes it, package name as
// OSV keys it), and what loading found (record counts, broken records, the newest `modified` date).
import { Advisory, AffectedPackage, packageLookupName } from "./advisory";

/** A record (or a whole file) that could not be used, and why; the rest of the database is. */
export interface BrokenRecord {
  /** the file, or `archive.zip!entry.json` */
  at: string;
  problem: string;
}

export interface AdvisoryDatabaseStats {
  /** the directory the database was loaded from */
  dir: string;
  /** `.json` files and zip entries read */
  filesRead: number;
  /** usable records (withdrawn, broken and duplicate ones not counted) */
  records: number;
  withdrawn: number;
  /** records found again under the same id (the export unpacked beside its zip): the newest is kept */
  duplicates: number;
  broken: BrokenRecord[];
  /** usable records per ecosystem as the records write it ("npm", "Debian:12"); a record counts once per ecosystem */
  perEcosystem: Record<string, number>;
  /** the newest `modified` of any usable record: the database's date */
  newestModified?: string;
}

export class AdvisoryDatabase {
  private readonly index = new Map<string, Map<string, AffectedPackage[]>>();

  constructor(
    readonly stats: AdvisoryDatabaseStats,
    advisories: Iterable<{ advisory: Advisory; affected: readonly AffectedPackage[] }>,
  ) {
    for (const { affected } of advisories) {
      for (const entry of affected) {
        let byName = this.index.get(entry.ecosystem);
        if (!byName) this.index.set(entry.ecosystem, (byName = new Map()));
        const key = packageLookupName(entry.ecosystem, entry.name);
        const list = byName.get(key);
        if (list) list.push(entry);
        else byName.set(key, [entry]);
      }
    }
  }

  /** The affected-package entries filed under this ecosystem and name (PyPI names normalised here). */
  affectedPackages(ecosystem: string, name: string): readonly AffectedPackage[] {
    return this.index.get(ecosystem)?.get(packageLookupName(ecosystem, name)) ?? [];
  }

  /** The ecosystems the database has records for, as the records write them. */
  ecosystems(): string[] {
    return [...this.index.keys()].sort();
  }
}

/** The broken records as lines for a message, at most `cap` of them and a count of the rest. */
export function describeBroken(broken: readonly BrokenRecord[], cap = 10): string {
  const shown = broken.slice(0, cap).map((b) => `${b.at}: ${b.problem}`);
  if (broken.length > cap) shown.push(`... and ${broken.length - cap} more`);
  return shown.join("\n");
}
