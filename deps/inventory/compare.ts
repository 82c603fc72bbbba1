// An SBOM against what the image really holds: packages the SBOM leaves out, packages it lists that
// the image does not have, and packages at another version than it says. Packages are the same when
// their packageKey is (purl type and the name OSV keys them by); a package found several times (the
// same jar at two paths, a listing repeated) counts once per version.
import { packageKey } from "../ecosystems";
import type { Component } from "../model";

export interface InventoryDiff {
  missingFromSbom: Component[];
  missingFromImage: Component[];
  versionDiffers: { sbom: Component; image: Component }[];
}

/** key → version → the first component with that version (in input order) */
function byPackage(components: Component[]): Map<string, Map<string, Component>> {
  const packages = new Map<string, Map<string, Component>>();
  for (const component of components) {
    const key = packageKey(component);
    const versions = packages.get(key) ?? new Map<string, Component>();
    const version = component.version.trim();
    if (!versions.has(version)) versions.set(version, component);
    packages.set(key, versions);
  }
  return packages;
}

const byVersion = (a: Component, b: Component) => a.version.localeCompare(b.version, "en", { numeric: true });

export function compareInventories(sbom: Component[], image: Component[]): InventoryDiff {
  const diff: InventoryDiff = { missingFromSbom: [], missingFromImage: [], versionDiffers: [] };
  const listed = byPackage(sbom);
  const found = byPackage(image);
  for (const key of [...new Set([...listed.keys(), ...found.keys()])].sort()) {
    const sbomVersions = listed.get(key) ?? new Map<string, Component>();
    const imageVersions = found.get(key) ?? new Map<string, Component>();
    // versions both have agree; the rest are paired in version order (a different version of a package
    // both have), and what is left over is missing from one side
    const onlySbom = [...sbomVersions].filter(([v]) => !imageVersions.has(v)).map(([, c]) => c).sort(byVersion);
    const onlyImage = [...imageVersions].filter(([v]) => !sbomVersions.has(v)).map(([, c]) => c).sort(byVersion);
    const paired = sbomVersions.size > 0 && imageVersions.size > 0 ? Math.min(onlySbom.length, onlyImage.length) : 0;
    for (let i = 0; i < paired; i++) diff.versionDiffers.push({ sbom: onlySbom[i], image: onlyImage[i] });
    diff.missingFromImage.push(...onlySbom.slice(paired));
    diff.missingFromSbom.push(...onlyImage.slice(paired));
  }
  return diff;
}
