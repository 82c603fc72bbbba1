// Package URLs and OSV ecosystems: which purl types the checks understand, which OSV ecosystem each maps
// to (with the distribution release where OSV keys one), and the name OSV files a package under.
import { PackageURL } from "packageurl-js";
import type { Component, ComponentOrigin } from "./model";

/** purl type → OSV ecosystem (without release). */
const OSV_ECOSYSTEM: Record<string, string> = {
  npm: "npm",
  pypi: "PyPI",
  maven: "Maven",
  golang: "Go",
  deb: "Debian",
  apk: "Alpine",
};

export const SUPPORTED_PURL_TYPES = Object.keys(OSV_ECOSYSTEM);

/** Debian code names OSV's `Debian:<major>` ecosystems are spelled with in purls and os-release. */
const DEBIAN_CODENAMES: Record<string, string> = { buster: "10", bullseye: "11", bookworm: "12", trixie: "13", forky: "14" };

/** PEP 503: lower case, every run of `-`, `_` and `.` one `-`. */
export function normalisePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/**
 * `Debian:12` from a purl `distro` qualifier or os-release (`debian-12`, `debian-12.5`, `bookworm`, `12`),
 * undefined when it names no Debian release.
 */
export function debianEcosystem(distro: string | undefined): string | undefined {
  if (!distro) return undefined;
  const value = distro.toLowerCase().replace(/^debian[-:]?/, "");
  const major = DEBIAN_CODENAMES[value] ?? /^(\d+)(\.\d+)*$/.exec(value)?.[1];
  return major ? `Debian:${major}` : undefined;
}

/** `Alpine:v3.19` from a purl `distro` qualifier or os-release VERSION_ID (`alpine-3.19.1`, `3.19`, `v3.19`). */
export function alpineEcosystem(distro: string | undefined): string | undefined {
  const match = distro && /^(?:alpine[-:]?)?v?(\d+)\.(\d+)/i.exec(distro);
  return match ? `Alpine:v${match[1]}.${match[2]}` : undefined;
}

/** What an SBOM or the image itself says about the distribution, used when a deb/apk purl has no `distro`. */
export interface DistributionHint {
  /** os-release ID: debian, alpine, ... */
  id: string;
  /** os-release VERSION_ID (or VERSION_CODENAME when there is no VERSION_ID) */
  version: string;
}

function splitUpstream(upstream: string | undefined): { name: string; version?: string } | undefined {
  if (!upstream) return undefined;
  const at = upstream.indexOf("@");
  return at < 0 ? { name: upstream } : { name: upstream.slice(0, at), version: upstream.slice(at + 1) };
}

/** A component from a package URL; a purl that does not parse gives a component-less problem (string). */
export function componentFromPurl(purl: string, origin: ComponentOrigin, distribution?: DistributionHint): Component | string {
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(purl);
  } catch (error) {
    return `${JSON.stringify(purl)} is not a package URL: ${(error as Error).message}`;
  }
  const qualifiers = (parsed.qualifiers ?? {}) as Record<string, string>;
  const version = parsed.version ?? "";
  const base = { purl, type: parsed.type, version, origin };
  const ecosystem = OSV_ECOSYSTEM[parsed.type];
  if (!ecosystem) {
    return { ...base, name: parsed.namespace ? `${parsed.namespace}/${parsed.name}` : parsed.name, problem: `no vulnerability data is matched for purl type "${parsed.type}" (supported: ${SUPPORTED_PURL_TYPES.join(", ")})` };
  }
  if (!version) return { ...base, name: parsed.name, problem: "the package URL has no version (@version), so no advisory can be matched" };
  switch (parsed.type) {
    case "npm":
      return { ...base, ecosystem, name: parsed.namespace ? `${parsed.namespace}/${parsed.name}` : parsed.name };
    case "pypi":
      return { ...base, ecosystem, name: normalisePypiName(parsed.name) };
    case "maven":
      if (!parsed.namespace) return { ...base, name: parsed.name, problem: "a maven package URL needs the group id as its namespace (pkg:maven/<group>/<artifact>@<version>)" };
      return { ...base, ecosystem, name: `${parsed.namespace}:${parsed.name}` };
    case "golang":
      return { ...base, ecosystem, name: parsed.namespace ? `${parsed.namespace}/${parsed.name}` : parsed.name };
    case "deb":
    case "apk": {
      const vendor = parsed.type === "deb" ? (parsed.namespace ?? distribution?.id ?? "debian").toLowerCase() : "alpine";
      if (parsed.type === "deb" && vendor !== "debian") {
        return { ...base, name: parsed.name, problem: `deb packages of ${vendor} are not matched: only Debian's advisories (OSV ecosystem Debian:<release>) are read here` };
      }
      const upstream = splitUpstream(qualifiers.upstream);
      const source = upstream ? { name: upstream.name, version: upstream.version ?? version } : undefined;
      const release =
        parsed.type === "deb"
          ? debianEcosystem(qualifiers.distro) ?? (distribution?.id === "debian" ? debianEcosystem(distribution.version) : undefined)
          : alpineEcosystem(qualifiers.distro) ?? (distribution?.id === "alpine" ? alpineEcosystem(distribution.version) : undefined);
      const withSource = { ...base, name: parsed.name, ...(source ? { source } : {}) };
      if (!release) {
        const example = parsed.type === "deb" ? "distro=debian-12" : "distro=alpine-3.19";
        return { ...withSource, problem: `the ${ecosystem} release is unknown: add a distro qualifier (?${example}) or check it with --image, whose os-release names it` };
      }
      return { ...withSource, ecosystem: release };
    }
  }
  return { ...base, name: parsed.name, problem: `purl type "${parsed.type}" is not handled` };
}

/** A package URL for a package found in an image (the inventory builds its components through this). */
export function purlFor(type: string, namespace: string | undefined, name: string, version: string, qualifiers?: Record<string, string>): string {
  return new PackageURL(type, namespace, name, version, qualifiers, undefined).toString();
}

/**
 * The key two components share when they are the same package at the same version, as matching sees
 * them (ecosystem with release, OSV name, version, and the source package advisories may be filed under).
 * NUL cannot occur in any of these fields as read from an SBOM, an image or a record.
 */
export function versionKey(component: Component): string {
  return `${component.type}\u0000${component.ecosystem ?? ""}\u0000${component.name}\u0000${component.version}\u0000${component.source?.name ?? ""}\u0000${component.source?.version ?? ""}`;
}

/** The key two components share when they are the same package (ecosystem type and OSV name), whatever their version. */
export function packageKey(component: Pick<Component, "type" | "name">): string {
  return `${component.type}:${component.name}`;
}
