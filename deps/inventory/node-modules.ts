// npm packages installed in an image: the package.json at the top of each package directory under a
// node_modules folder (`node_modules/<name>/` or `node_modules/@scope/<name>/`, nested node_modules
// included). package.json files deeper inside a package (`dist/esm/package.json`, test fixtures) are
// not packages and are not read.
import type { Parsed } from "./parsed";

export interface NpmPackage {
  /** `name` or `@scope/name` */
  name: string;
  version: string;
}

// a package directory name never starts with "." (".bin", ".pnpm", ".cache" are npm's own folders), and
// "@scope" alone is a folder of packages, not one
const MANIFEST = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/.@][^/]*)\/package\.json$/;

export function isNodeModulesManifest(path: string): boolean {
  return MANIFEST.test(path);
}

export function parsePackageJson(text: string, path: string): Parsed<NpmPackage> {
  const fail = (problem: string): Parsed<NpmPackage> => ({ packages: [], problems: [{ at: path, problem }] });
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    return fail(`not JSON (${(error as Error).message}): this package is not checked`);
  }
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) return fail("not a JSON object: this package is not checked");
  const { name, version } = manifest as { name?: unknown; version?: unknown };
  // an aliased install (`"x": "npm:y@1"`) lives in node_modules/x but is package y: the manifest says which
  const packageName = typeof name === "string" && name !== "" ? name : MANIFEST.exec(path)?.[1];
  if (!packageName) return fail('no "name": this package is not checked');
  if (typeof version !== "string" || version.trim() === "") return fail(`package ${JSON.stringify(packageName)} has no "version" string: it is not checked`);
  return { packages: [{ name: packageName, version: version.trim() }], problems: [] };
}
