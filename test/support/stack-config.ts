import { join } from "node:path";
import { readStackFile, stackFilePath } from "../../config/load";

export const REPO_ROOT = join(__dirname, "..", "..");
export const PROGRAM = join(REPO_ROOT, "index.ts");

/** The flat `config:` block of a stack file, e.g. `{"platform:apps": [...]}`. */
export function stackConfig(stack = "dev"): Record<string, unknown> {
  return readStackFile(stackFilePath(stack, REPO_ROOT));
}

/** The same config as the raw object the schema validates (keys without the `platform:` namespace). */
export function rawPlatformConfig(stack = "dev"): Record<string, any> {
  return Object.fromEntries(Object.entries(stackConfig(stack)).map(([key, value]) => [key.replace(/^platform:/, ""), value]));
}

/** A small valid config to build test cases from; deep-copied on every call. */
export function minimalConfig(): Record<string, any> {
  return {
    trustDomain: "test.platform.example",
    services: [{ name: "weather", image: `registry.example/weather@sha256:${"a".repeat(64)}`, port: 8080, healthPath: "/healthz" }],
    apps: [{ name: "alpha", image: `registry.example/alpha@sha256:${"b".repeat(64)}`, services: [{ name: "weather" }], egress: ["api.example.com"] }],
    gateway: { image: `registry.example/envoy@sha256:${"c".repeat(64)}` },
    egress: { image: `registry.example/squid@sha256:${"d".repeat(64)}` },
    identity: { image: `registry.example/keycloak@sha256:${"e".repeat(64)}` },
  };
}
