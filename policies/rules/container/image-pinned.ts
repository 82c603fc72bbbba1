import { z } from "zod";
import { CONTAINER_TYPE, resourceRule, Violation } from "../rule";
import { show, text } from "../read";

// The pack imports nothing outside policies/, so `pulumi policy publish` ships it whole. This is the
// same test as config/primitives.ts isPinnedImage (test/policy-runtime.test.ts checks they agree).
const DIGEST = /@sha256:[0-9a-f]{64}$/;
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;

export function isPinnedImage(image: string): boolean {
  return DIGEST.test(image) || IMAGE_ID.test(image);
}

/** The registry part of a reference, with Docker Hub's implicit default made explicit. */
function registryOf(image: string): string | undefined {
  if (/^sha256:[0-9a-f]{64}$/.test(image)) return undefined; // a local image ID has no registry
  const slash = image.indexOf("/");
  if (slash === -1) return "docker.io";
  const first = image.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first.toLowerCase() : "docker.io";
}

/** The container's and the Swarm service's check of one image reference (`field` is its input path). */
export function imageViolations(field: string, value: unknown, allowedRegistries: readonly string[]): Violation[] {
  const image = text(value);
  if (image === undefined || image.trim() === "") return [{ field, found: "is unset", fix: "set image to name@sha256:<digest>" }];
  const violations: Violation[] = [];
  if (!isPinnedImage(image)) {
    violations.push({ field, found: `is ${show(image)} (not pinned by digest: the tag can move)`, fix: "reference the image as name@sha256:<64 hex digits>" });
  }
  const registry = registryOf(image);
  const allowed = allowedRegistries.map((r) => r.toLowerCase());
  if (registry !== undefined && allowed.length > 0 && !allowed.includes(registry)) {
    violations.push({ field, found: `comes from registry ${show(registry)}, which is not allowed`, fix: `use an image from one of: ${allowed.join(", ")}` });
  }
  return violations;
}

export const imagePinned = resourceRule({
  id: "cis-5.28-image-pinned",
  resourceType: CONTAINER_TYPE,
  description: "Container images are pinned by digest (name@sha256:…) and come from an allowed registry.",
  severity: "high",
  cis: "5.28",
  remediation: "Reference the image as name@sha256:<digest> (docker inspect --format '{{index .RepoDigests 0}}' IMAGE), from an allowed registry.",
  enforcementLevel: "mandatory",
  settings: {
    /** registries images may come from, e.g. ["registry.example.com"]; empty: any registry */
    allowedRegistries: z.array(z.string()).default([]),
  },
  check({ props }, config, report) {
    imageViolations("image", props.image, config.allowedRegistries).forEach(report);
  },
});
