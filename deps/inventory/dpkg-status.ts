// Debian's package database: `var/lib/dpkg/status` (every package dpkg knows, with its Status), and the
// one-file-per-package `var/lib/dpkg/status.d/<name>` distroless images keep instead (the package's
// control fields, no Status: every file there is an installed package; `<name>.md5sums` beside it are
// file lists, not packages).
import type { Parsed } from "./parsed";
import { readStanzas } from "./stanzas";

export interface DpkgPackage {
  name: string;
  version: string;
  architecture?: string;
  /** the Source field: the source package, and its version when it differs from the binary's */
  source?: { name: string; version?: string };
}

/** dpkg status words (the third word of Status) whose package's files are, wholly or partly, on disk. */
const ON_DISK = new Set(["installed", "half-installed", "unpacked", "half-configured", "triggers-awaited", "triggers-pending"]);
/** ...and those whose files are gone (removed, only its conffiles left, or never installed). */
const NOT_ON_DISK = new Set(["not-installed", "config-files"]);

/** `glibc` or `glibc (2.36-9+deb12u4)` */
const SOURCE = /^([a-z0-9][a-z0-9+.-]*)(?:\s*\(\s*([^()\s]+)\s*\))?$/i;

/** Whether an image path is a distroless per-package status file. */
export function isDpkgStatusD(path: string): boolean {
  return /^var\/lib\/dpkg\/status\.d\/[^/]+$/.test(path) && !/\.md5sums$/.test(path);
}

/**
 * The packages present in a dpkg status file. `perPackageFile`: a status.d file, where a missing Status
 * means installed (distroless writes none).
 */
export function parseDpkgStatus(text: string, path: string, options: { perPackageFile?: boolean } = {}): Parsed<DpkgPackage> {
  const result: Parsed<DpkgPackage> = { packages: [], problems: [] };
  for (const stanza of readStanzas(text)) {
    const at = `${path}:${stanza.line}`;
    const name = stanza.fields.get("package");
    const label = name ? `package ${JSON.stringify(name)}` : "this stanza";
    for (const problem of stanza.problems) result.problems.push({ at, problem: `${label}: ${problem}` });
    if (!name) {
      result.problems.push({ at, problem: "a stanza without a Package field: it is skipped (each stanza must start with `Package: <name>`)" });
      continue;
    }
    const status = stanza.fields.get("status");
    if (status === undefined) {
      if (!options.perPackageFile) {
        result.problems.push({ at, problem: `${label} has no Status field, so whether it is installed is unknown: it is skipped` });
        continue;
      }
    } else {
      const words = status.split(/\s+/);
      const state = words[2];
      if (words.length !== 3 || !(ON_DISK.has(state) || NOT_ON_DISK.has(state))) {
        result.problems.push({ at, problem: `${label} has a Status dpkg does not write (${JSON.stringify(status)}; expected e.g. "install ok installed"): it is skipped` });
        continue;
      }
      if (NOT_ON_DISK.has(state)) continue;
    }
    const version = stanza.fields.get("version");
    if (!version || /\s/.test(version)) {
      result.problems.push({ at, problem: `${label} has ${version ? `a Version with spaces (${JSON.stringify(version)})` : "no Version field"}: it is skipped` });
      continue;
    }
    const pkg: DpkgPackage = { name, version };
    const architecture = stanza.fields.get("architecture");
    if (architecture) pkg.architecture = architecture;
    const sourceField = stanza.fields.get("source");
    if (sourceField) {
      const match = SOURCE.exec(sourceField);
      if (!match) {
        result.problems.push({ at, problem: `${label} has a Source field that is not "<name>" or "<name> (<version>)" (${JSON.stringify(sourceField)}): its advisories are looked up by the binary package name` });
      } else {
        pkg.source = match[2] && match[2] !== version ? { name: match[1], version: match[2] } : { name: match[1] };
      }
    }
    result.packages.push(pkg);
  }
  return result;
}
