// A rule is a small self-describing unit (cdk-nag style): metadata, its settings (each declared once,
// as a zod schema with its default), and a check over one resource's inputs (or over the whole
// stack). The same object feeds the CrossGuard pack (policies/registry.ts) and the offline checker
// (policies/evaluate.ts).
import type { EnforcementLevel, PolicyConfigSchema, Severity } from "@pulumi/policy";
import { z } from "zod";

export const CONTAINER_TYPE = "docker:index/container:Container";
export const NETWORK_TYPE = "docker:index/network:Network";
/** Swarm mode (platform:orchestrator: swarm): the same workloads as services, with their secrets and configs. */
export const SERVICE_TYPE = "docker:index/service:Service";
export const SECRET_TYPE = "docker:index/secret:Secret";
export const SERVICE_CONFIG_TYPE = "docker:index/serviceConfig:ServiceConfig";

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
   * The provider's id, where known (stack exports, mock runs): Swarm services name their networks by
   * it (`taskSpec.networksAdvanceds[].id`). Unknown for a resource not created yet.
   */
  readonly id?: string;
  /** Whether `isSecret` can tell: true for stack exports and mock runs, false in the CrossGuard runtime. */
  readonly secretsKnown?: boolean;
  /**
   * Whether a top-level input held a Pulumi secret. The CrossGuard runtime unwraps secrets before
   * policies see them, so there this is always false; stack exports and mock runs keep the mark.
   */
  isSecret(input: string): boolean;
}

/**
 * A rule's settings, each declared once as a zod schema with its default, e.g.
 * `{ maxRetries: z.number().int().min(1).default(5) }`. The config type, the defaults and the JSON
 * schema CrossGuard gets as `configSchema` are all derived from it.
 */
type SettingsShape = Record<string, z.ZodDefault<z.ZodType>>;

/** The config a rule's `check` receives: every setting, with its default where the pack config has none. */
type SettingsOf<S extends SettingsShape> = { [K in keyof S]: z.output<S[K]> };

interface RuleInfo<C extends object> {
  id: string;
  /** one sentence */
  description: string;
  severity: Severity;
  /** CIS Docker Benchmark 1.6.0 recommendation, where one exists */
  cis?: string;
  remediation: string;
  enforcementLevel: EnforcementLevel;
  /** the settings as declared; validates a pack config entry (`settingsProblems`) */
  settings: z.ZodObject<SettingsShape>;
  /** config defaults, from `settings`; overridden per key by the pack config of this rule */
  defaults: C;
  /** the JSON schema of `settings`, for CrossGuard; absent for a rule without settings */
  configSchema?: PolicyConfigSchema;
}

export interface ResourceRule<C extends object = {}> extends RuleInfo<C> {
  kind: "resource";
  resourceType: string;
  /**
   * Narrows the rule to some resources of its type (overlay networks only, app services only). A
   * resource it does not apply to is not counted as checked, and CrossGuard is told `notApplicable`.
   */
  appliesTo?(resource: ResourceView, config: C): boolean;
  /** why the rule does not apply, a sentence for CrossGuard's `notApplicable` */
  notApplicableReason?: string;
  check(resource: ResourceView, config: C, report: (violation: Violation) => void): void;
}

interface StackViolation extends Violation {
  resource: ResourceView;
}

export interface StackRule<C extends object = {}> extends RuleInfo<C> {
  kind: "stack";
  /**
   * The resource types whose resources the rule judges (containers for the engine's topology rules,
   * services for their Swarm form): what "resources checked" counts for it.
   */
  subjectTypes: readonly string[];
  check(resources: readonly ResourceView[], config: C, report: (violation: StackViolation) => void): void;
}

export type Rule = ResourceRule<any> | StackRule<any>;

/** What a rule file writes: the rule without its kind and without what is derived from its settings. */
type RuleSpec<R extends Rule, S extends SettingsShape> = Omit<R, "kind" | "settings" | "defaults" | "configSchema" | "subjectTypes"> & { settings?: S } & (R extends StackRule<any> ? { subjectTypes?: readonly string[] } : {});

export function resourceRule<S extends SettingsShape = {}>(spec: RuleSpec<ResourceRule<SettingsOf<S>>, S>): ResourceRule<SettingsOf<S>> {
  return { kind: "resource", ...spec, ...derived(spec.settings) };
}

export function stackRule<S extends SettingsShape = {}>(spec: RuleSpec<StackRule<SettingsOf<S>>, S>): StackRule<SettingsOf<S>> {
  // the engine's topology rules judge containers; a rule over other resources says so
  return { kind: "stack", ...spec, subjectTypes: spec.subjectTypes ?? [CONTAINER_TYPE], ...derived(spec.settings) };
}

function derived<S extends SettingsShape>(shape: S | undefined): Pick<RuleInfo<SettingsOf<S>>, "settings" | "defaults" | "configSchema"> {
  const settings = z.object(shape ?? {});
  const defaults = settings.parse({}) as SettingsOf<S>;
  if (Object.keys(settings.shape).length === 0) return { settings, defaults };
  // draft-07 is what the Pulumi CLI validates pack config with; "input" because every setting may be omitted.
  const json = z.toJSONSchema(settings, { target: "draft-07", io: "input", unrepresentable: "throw", override: dropSafeIntegerBounds });
  return { settings, defaults, configSchema: { properties: json.properties as PolicyConfigSchema["properties"] } };
}

/** `.int()` bounds integers to the safe range; that is zod's own limit, not the rule's, so it stays out of the schema. */
function dropSafeIntegerBounds({ jsonSchema }: { jsonSchema: { minimum?: number; maximum?: number } }): void {
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}

/**
 * What is wrong with a rule's pack config entry, each problem naming the rule and the setting:
 * `cis-5.11-memory-limit: maxMemoryMb: Invalid input: expected number, received string`. Settings
 * may be omitted, and unknown keys are ignored (as by `effectiveConfig` and the CLI's schema check).
 */
export function settingsProblems(rule: Pick<Rule, "id" | "settings">, configured: object | undefined): string[] {
  const { enforcementLevel: _level, ...entry } = (configured ?? {}) as Record<string, unknown>;
  const result = rule.settings.safeParse(entry);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${rule.id}: ${z.core.toDotPath(issue.path)}: ${issue.message}`);
}

/** `container "app-a": privileged is true. Fix: remove privileged or set it to false.` */
export function formatViolation(resource: Pick<ResourceView, "type" | "name">, violation: Violation): string {
  return `${nounOf(resource.type)} "${resource.name}": ${violation.field} ${violation.found}. Fix: ${violation.fix}`;
}

const NOUNS: Record<string, string> = {
  [CONTAINER_TYPE]: "container",
  [NETWORK_TYPE]: "network",
  [SERVICE_TYPE]: "service",
  [SECRET_TYPE]: "secret",
  [SERVICE_CONFIG_TYPE]: "service config",
};

export function nounOf(type: string): string {
  return NOUNS[type] ?? type;
}

/** Pack config for one rule, merged over the rule's defaults (unknown keys are ignored). */
export function effectiveConfig<C extends object>(rule: { defaults: C }, configured: object | undefined): C {
  const merged: Record<string, unknown> = { ...(rule.defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(configured ?? {})) {
    if (key !== "enforcementLevel" && key in merged && value !== undefined) merged[key] = value;
  }
  return merged as C;
}
