// Which files of an image's filesystem the inventory reads, and how large each kind may be before it is
// skipped (and said so) rather than held in memory.
import { isDpkgStatusD } from "./dpkg-status";
import { isJavaArchive } from "./java-archive";
import { isNodeModulesManifest } from "./node-modules";
import { OS_RELEASE_PATHS } from "./os-release";
import { isPythonMetadata } from "./python-metadata";

export type FileKind = "dpkg-status" | "dpkg-status.d" | "apk-installed" | "npm-manifest" | "python-metadata" | "java-archive" | "os-release";

const MiB = 1024 * 1024;

export const DEFAULT_MAX_BYTES: Record<FileKind, number> = {
  "dpkg-status": 64 * MiB,
  "dpkg-status.d": 1 * MiB,
  "apk-installed": 64 * MiB,
  "npm-manifest": 1 * MiB,
  "python-metadata": 4 * MiB,
  "java-archive": 256 * MiB,
  "os-release": 64 * 1024,
};

/** the package databases looked for, as a user reads them (the note when an image has none) */
export const PACKAGE_DATABASES = [
  "var/lib/dpkg/status",
  "var/lib/dpkg/status.d/*",
  "lib/apk/db/installed",
  "**/node_modules/[@scope/]<name>/package.json",
  "*.dist-info/METADATA",
  "*.egg-info/PKG-INFO",
  "*.jar / *.war / *.ear",
];

/** `./etc/os-release`, `/etc/os-release` → `etc/os-release` */
export function imagePath(name: string): string {
  return name.replace(/^(?:\.?\/)+/, "").replace(/\/+$/, "");
}

/** What kind of file an image path is for the inventory, or undefined when it is not read. */
export function fileKind(path: string): FileKind | undefined {
  if (path === "var/lib/dpkg/status") return "dpkg-status";
  if (isDpkgStatusD(path)) return "dpkg-status.d";
  // apk-tools 3 keeps its database under usr/lib
  if (path === "lib/apk/db/installed" || path === "usr/lib/apk/db/installed") return "apk-installed";
  if (OS_RELEASE_PATHS.includes(path)) return "os-release";
  if (isNodeModulesManifest(path)) return "npm-manifest";
  if (isPythonMetadata(path)) return "python-metadata";
  if (isJavaArchive(path)) return "java-archive";
  return undefined;
}
