// A rule is a small self-describing unit (cdk-nag style): metadata, defaults for its config, and a
// check over one resource's inputs (or over the whole stack). The same object feeds the CrossGuard
// pack (policies/registry.ts) and the offline checker (policies/engine.ts).
import type { EnforcementLevel, PolicyConfigSchema, Severity } from "@pulumi/policy";

export const CONTAINER_TYPE = "docker:index/container:Container";
export const NETWORK_TYPE = "docker:index/network:Network";

export const CIS_DOCKER = { name: "CIS Docker Benchmark", version: "1.6.0" } as const;

/** What a rule found: the field, what it holds, and how to fix it. */
export interface Violation {
  /** input path, e.g. `capabilities.adds[1]` */
  field: string;
  /** what was found, phrased to follow the field: `is true`, `contains "SYS_ADMIN"`, `is unset` */
  found: string;
  fix: string;
}

/** One resource as a rule sees it: the runtime's (unknown-checking) props plus what it is. */
export interface ResourceView {
  type: string;
  name: string;
  urn: string;
  props: Record<string, any>;
  /** URNs this resource depends on, where known (stack exports, the runtime's stack policies) */
  dependencies?: readonly string[];
  /**
   * Whether a top-level input held a Pulumi secret. The CrossGuard runtime unwraps secrets before
   * policies see them, so there this is always false; stack exports and mock runs keep the mark.
   */
  isSecret(input: string): boolean;
}

interface RuleInfo<C extends object> {
  id: string;
  /** one sentence */
  description: string;
  severity: Severity;
  /** CIS Docker Benchmark 1.6.0 recommendation, where one exists */
  cis?: string;
  remediation: string;
  enforcementLevel: EnforcementLevel;
  /** config defaults; overridden per key by the pack config of this rule */
  defaults: C;
  configSchema?: PolicyConfigSchema;
}

export interface ResourceRule<C extends object = {}> extends RuleInfo<C> {
  kind: "resource";
  resourceType: string;
  check(resource: ResourceView, config: C, report: (violation: Violation) => void): void;
}

export interface StackViolation extends Violation {
  resource: ResourceView;
}

export interface StackRule<C extends object = {}> extends RuleInfo<C> {
  kind: "stack";
  check(resources: readonly ResourceView[], config: C, report: (violation: StackViolation) => void): void;
}

export type Rule = ResourceRule<any> | StackRule<any>;

/** `container "app-a": privileged is true. Fix: remove privileged or set it to false.` */
export function formatViolation(resource: Pick<ResourceView, "type" | "name">, violation: Violation): string {
  return `${nounOf(resource.type)} "${resource.name}": ${violation.field} ${violation.found}. Fix: ${violation.fix}`;
}

export function nounOf(type: string): string {
  if (type === CONTAINER_TYPE) return "container";
  if (type === NETWORK_TYPE) return "network";
  return type;
}

/** Pack config for one rule, merged over the rule's defaults (unknown keys are ignored). */
export function effectiveConfig<C extends object>(rule: { defaults: C }, configured: object | undefined): C {
  const merged: Record<string, unknown> = { ...(rule.defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(configured ?? {})) {
    if (key !== "enforcementLevel" && key in merged && value !== undefined) merged[key] = value;
  }
  return merged as C;
}
