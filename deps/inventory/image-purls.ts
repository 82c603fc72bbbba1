// Package URLs for the packages found in an image, qualified the way advisories need: the distribution
// release (distro=) and the source package (upstream=) for Debian and Alpine packages.
import { purlFor, type DistributionHint } from "../ecosystems";
import type { ApkPackage } from "./apk-installed";
import type { DpkgPackage } from "./dpkg-status";
import type { MavenPackage } from "./java-archive";
import type { NpmPackage } from "./node-modules";
import type { PythonPackage } from "./python-metadata";

function distro(distribution: DistributionHint | undefined): Record<string, string> {
  return distribution ? { distro: `${distribution.id}-${distribution.version}` } : {};
}

/** `pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12&upstream=glibc` */
export function debPurl(pkg: DpkgPackage, distribution: DistributionHint | undefined): string {
  const qualifiers: Record<string, string> = { ...(pkg.architecture ? { arch: pkg.architecture } : {}), ...distro(distribution) };
  // the source version only when it differs (dpkg writes it only then)
  if (pkg.source) qualifiers.upstream = pkg.source.version ? `${pkg.source.name}@${pkg.source.version}` : pkg.source.name;
  return purlFor("deb", distribution?.id ?? "debian", pkg.name, pkg.version, qualifiers);
}

/** `pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1&upstream=musl` */
export function apkPurl(pkg: ApkPackage, distribution: DistributionHint | undefined): string {
  const qualifiers: Record<string, string> = { ...(pkg.architecture ? { arch: pkg.architecture } : {}), ...distro(distribution) };
  if (pkg.origin) qualifiers.upstream = pkg.origin;
  return purlFor("apk", distribution?.id ?? "alpine", pkg.name, pkg.version, qualifiers);
}

export function npmPurl(pkg: NpmPackage): string {
  const slash = pkg.name.startsWith("@") ? pkg.name.indexOf("/") : -1;
  return slash > 0 ? purlFor("npm", pkg.name.slice(0, slash), pkg.name.slice(slash + 1), pkg.version) : purlFor("npm", undefined, pkg.name, pkg.version);
}

export function pypiPurl(pkg: PythonPackage): string {
  return purlFor("pypi", undefined, pkg.name, pkg.version);
}

export function mavenPurl(pkg: MavenPackage): string {
  return purlFor("maven", pkg.groupId, pkg.artifactId, pkg.version);
}
