// Strict validation of an Envoy v3 bootstrap without an Envoy binary, for tests: the schema from the
// .proto files bundled with @grpc/grpc-js-xds (see proto-walker.ts) plus the gateway's invariants
// (render/envoy/invariants.ts, which the renderer also checks at deploy time).
import { loadEnvoyProtos } from "./proto-registry";
import { ProtoWalker, type ConfigIssue } from "./proto-walker";
import { checkGatewayInvariants } from "../../../render/envoy/invariants";

export type { ConfigIssue, IssueKind } from "./proto-walker";
export { isValidSpkiPin } from "../../../render/envoy/invariants";

export const BOOTSTRAP_TYPE = "envoy.config.bootstrap.v3.Bootstrap";

export class EnvoyConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid Envoy bootstrap (${issues.length} issue(s)):\n` + issues.map((i) => `  ${i.path}: [${i.kind}] ${i.message}`).join("\n"));
    this.name = "EnvoyConfigError";
  }
}

/** Schema-only check of any Envoy message type (e.g. a single HCM or cluster). */
export function checkEnvoyMessage(typeName: string, value: unknown): ConfigIssue[] {
  const walker = new ProtoWalker(loadEnvoyProtos().root);
  walker.walkMessage(typeName, value);
  return walker.issues;
}

/** Every issue in a bootstrap given in its JSON/YAML object form; empty when valid. */
export function validateEnvoyBootstrap(config: unknown): ConfigIssue[] {
  const walker = new ProtoWalker(loadEnvoyProtos().root);
  walker.walkMessage(BOOTSTRAP_TYPE, config);
  return [...walker.issues, ...checkGatewayInvariants(config)];
}

export function assertValidEnvoyBootstrap(config: unknown): void {
  const issues = validateEnvoyBootstrap(config);
  if (issues.length > 0) throw new EnvoyConfigError(issues);
}
