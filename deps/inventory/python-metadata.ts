// Python distributions installed in an image, from their core metadata: `<name>-<v>.dist-info/METADATA`
// (wheels, pip) and `<name>-<v>.egg-info/PKG-INFO` or a bare `<name>-<v>.egg-info` file (setuptools,
// distutils, Debian's python3-* packages). Only the header block is read (Name, Version); the long
// description after it is not.
import type { Parsed } from "./parsed";
import { readStanzas } from "./stanzas";

export interface PythonPackage {
  /** as the metadata spells it (normalised later, through the purl) */
  name: string;
  version: string;
}

export function isPythonMetadata(path: string): boolean {
  return /\.dist-info\/METADATA$/.test(path) || /\.egg-info\/PKG-INFO$/.test(path) || /[^/]\.egg-info$/.test(path);
}

export function parsePythonMetadata(text: string, path: string): Parsed<PythonPackage> {
  const [header] = readStanzas(text, { firstOnly: true });
  const name = header?.fields.get("name");
  const version = header?.fields.get("version");
  if (!name || !version) {
    const missing = [name ? undefined : "Name", version ? undefined : "Version"].filter(Boolean).join(" and ");
    return { packages: [], problems: [{ at: path, problem: `no ${missing} in the metadata header: this Python package is not checked` }] };
  }
  return { packages: [{ name, version }], problems: [] };
}
