// Turns the files read from an image into components: each file goes to its parser as it arrives (so a
// large archive is held only while it is read), and once the whole filesystem has been seen the
// distribution (os-release, possibly through a symlink) qualifies the Debian and Alpine packages.
import path from "node:path";
import { componentFromPurl, type DistributionHint } from "../ecosystems";
import type { Component, InputProblem } from "../model";
import { parseApkInstalled, type ApkPackage } from "./apk-installed";
import { parseDpkgStatus, type DpkgPackage } from "./dpkg-status";
import { PACKAGE_DATABASES, imagePath, type FileKind } from "./image-files";
import { apkPurl, debPurl, mavenPurl, npmPurl, pypiPurl } from "./image-purls";
import { parseJavaArchive, type JavaArchiveLimits, type MavenPackage } from "./java-archive";
import { parsePackageJson, type NpmPackage } from "./node-modules";
import { OS_RELEASE_PATHS, parseOsRelease } from "./os-release";
import type { Parsed } from "./parsed";
import { parsePythonMetadata, type PythonPackage } from "./python-metadata";

type Found =
  | { type: "deb"; pkg: DpkgPackage }
  | { type: "apk"; pkg: ApkPackage }
  | { type: "npm"; pkg: NpmPackage }
  | { type: "pypi"; pkg: PythonPackage }
  | { type: "maven"; pkg: MavenPackage };

export interface CollectedPackages {
  distribution?: DistributionHint;
  components: Component[];
  problems: InputProblem[];
}

/** symlink hops followed to find os-release */
const MAX_LINK_HOPS = 8;

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function tag<T, K extends Found["type"]>(type: K, parsed: Parsed<T>): { found: Found[]; problems: InputProblem[] } {
  return { found: parsed.packages.map((pkg) => ({ type, pkg }) as Found), problems: parsed.problems };
}

/** The packages one file holds. */
function parseFile(filePath: string, kind: Exclude<FileKind, "os-release">, bytes: Uint8Array, javaLimits: Partial<JavaArchiveLimits>): { found: Found[]; problems: InputProblem[] } {
  switch (kind) {
    case "dpkg-status":
      return tag("deb", parseDpkgStatus(decode(bytes), filePath));
    case "dpkg-status.d":
      return tag("deb", parseDpkgStatus(decode(bytes), filePath, { perPackageFile: true }));
    case "apk-installed":
      return tag("apk", parseApkInstalled(decode(bytes), filePath));
    case "npm-manifest":
      return tag("npm", parsePackageJson(decode(bytes), filePath));
    case "python-metadata":
      return tag("pypi", parsePythonMetadata(decode(bytes), filePath));
    case "java-archive":
      return tag("maven", parseJavaArchive(bytes, filePath, javaLimits));
  }
}

/** A link's target as an image path (`etc/` + `../usr/lib/os-release` → `usr/lib/os-release`). */
function linkTarget(from: string, target: string, hard: boolean): string {
  // hard link names are from the root; symlinks are relative to their directory unless absolute
  if (hard || target.startsWith("/")) return imagePath(path.posix.normalize(`/${target}`));
  return imagePath(path.posix.normalize(`/${path.posix.dirname(from)}/${target}`));
}

export class PackageCollector {
  private readonly byFile = new Map<string, Found[]>();
  private readonly problems: InputProblem[] = [];
  private readonly osReleases = new Map<string, string>();
  private readonly symlinks = new Map<string, string>();

  constructor(private readonly javaLimits: Partial<JavaArchiveLimits> = {}) {}

  addFile(filePath: string, kind: FileKind, bytes: Uint8Array): void {
    if (kind === "os-release") {
      this.osReleases.set(filePath, decode(bytes));
      return;
    }
    const { found, problems } = parseFile(filePath, kind, bytes, this.javaLimits);
    this.byFile.set(filePath, [...(this.byFile.get(filePath) ?? []), ...found]);
    this.problems.push(...problems);
  }

  /** A symlink or hard link at a path the inventory reads. */
  addLink(filePath: string, kind: FileKind, target: string, hard: boolean): void {
    const resolved = linkTarget(filePath, target, hard);
    if (!hard) {
      // os-release is found through its symlink; any other linked file is read at its own path, if it is one the inventory reads
      if (kind === "os-release") this.symlinks.set(filePath, resolved);
      return;
    }
    // a hard link's content came with its target, earlier in the export
    const os = this.osReleases.get(resolved);
    const found = this.byFile.get(resolved);
    if (os !== undefined) this.osReleases.set(filePath, os);
    else if (found) this.byFile.set(filePath, found);
    else this.problems.push({ at: filePath, problem: `a hard link to ${resolved}, which was not read: the packages in it are not checked` });
  }

  addProblem(problem: InputProblem): void {
    this.problems.push(problem);
  }

  /** os-release's text and the path it was read from, following symlinks. */
  private osRelease(): { path: string; text: string } | undefined {
    for (const start of OS_RELEASE_PATHS) {
      let current = start;
      for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
        const text = this.osReleases.get(current);
        if (text !== undefined) return { path: current, text };
        const next = this.symlinks.get(current);
        if (next === undefined) break;
        current = next;
      }
    }
    return undefined;
  }

  finish(image: string): CollectedPackages {
    const problems = [...this.problems];
    const release = this.osRelease();
    const parsed = release ? parseOsRelease(release.text, release.path) : undefined;
    if (parsed) problems.push(...parsed.problems);
    const distribution = parsed?.distribution;
    const components: Component[] = [];
    let distributionPackages = 0;
    for (const [filePath, found] of [...this.byFile].sort(([a], [b]) => a.localeCompare(b))) {
      for (const entry of found) {
        const at = entry.type === "maven" && entry.pkg.inner ? `${filePath}!/${entry.pkg.inner}` : filePath;
        let purl: string;
        try {
          purl = purlOf(entry, distribution);
        } catch (error) {
          problems.push({ at, problem: `no package URL can be made for ${JSON.stringify(entry.pkg)} (${(error as Error).message}): it is not checked` });
          continue;
        }
        if (entry.type === "deb" || entry.type === "apk") distributionPackages++;
        const component = componentFromPurl(purl, { kind: "image", path: at }, distribution);
        if (typeof component === "string") problems.push({ at, problem: component });
        else components.push(component);
      }
    }
    if (distributionPackages > 0 && !release) {
      problems.push({ at: image, problem: `no os-release (looked for ${OS_RELEASE_PATHS.join(", ")}): the distribution release is unknown, so its ${distributionPackages} packages cannot be matched against advisories` });
    }
    if (components.length === 0) {
      const read = [...this.byFile.keys()];
      const what = read.length
        ? `the files found held no readable package (${read.slice(0, 5).join(", ")}${read.length > 5 ? ", ..." : ""})`
        : "none of them is in this image";
      problems.push({ at: image, problem: `no packages found: looked for ${PACKAGE_DATABASES.join("; ")}, and ${what}. Nothing in this image can be checked against advisories` });
    }
    return { ...(distribution ? { distribution } : {}), components, problems };
  }
}

function purlOf(entry: Found, distribution: DistributionHint | undefined): string {
  switch (entry.type) {
    case "deb":
      return debPurl(entry.pkg, distribution);
    case "apk":
      return apkPurl(entry.pkg, distribution);
    case "npm":
      return npmPurl(entry.pkg);
    case "pypi":
      return pypiPurl(entry.pkg);
    case "maven":
      return mavenPurl(entry.pkg);
  }
}
