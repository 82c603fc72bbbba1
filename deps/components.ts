// One list of components from the SBOM and the image: the same package at the same version, found in
// both, is checked once and remembers where it was found.
import { versionKey } from "./ecosystems";
import type { Component } from "./model";

export type FoundIn = "sbom" | "image";

export interface CheckedComponent extends Component {
  foundIn: FoundIn[];
}

export function mergeComponents(sbom: readonly Component[], image: readonly Component[]): CheckedComponent[] {
  const merged = new Map<string, CheckedComponent>();
  const add = (component: Component, where: FoundIn) => {
    const key = versionKey(component);
    const known = merged.get(key);
    if (!known) merged.set(key, { ...component, foundIn: [where] });
    else if (!known.foundIn.includes(where)) known.foundIn.push(where);
  };
  for (const component of sbom) add(component, "sbom");
  for (const component of image) add(component, "image");
  return [...merged.values()];
}
