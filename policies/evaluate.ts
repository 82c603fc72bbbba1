// Runs the pack's rules without the Pulumi CLI, with the runtime's semantics: props behind the
// unknown-checking proxy, per-rule enforcement levels from the pack config, `notApplicable` throwing,
// and an unknown value turning the rule's result into an advisory rather than a pass.
import type { EnforcementLevel, Severity } from "@pulumi/policy";
import { allRules } from "./registry";
import { effectiveConfig, formatViolation, nounOf, ResourceRule, ResourceView, Rule, StackRule, Violation } from "./rules/rule";
import { isUnknownValueError, UNKNOWN, unknownCheckingProxy } from "./runtime";

const SENTINELS = new Set<unknown>(Object.values(UNKNOWN));
const isUnknownSentinel = (value: unknown) => SENTINELS.has(value);

/** A resource to check: its inputs, as `pulumi stack export` or a mock run records them. */
export interface CheckedResource {
  type: string;
  name: string;
  urn?: string;
  /** the provider's id (stack exports, mock runs): Swarm services name their networks by it */
  id?: string;
  props: Record<string, any>;
  /** top-level inputs that held a Pulumi secret */
  secretInputs?: readonly string[];
  dependencies?: readonly string[];
}

/** The same shape as `pulumi preview --policy-pack-config`: rule id → level, or { enforcementLevel, ...config }. */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** effective level; "advisory" for a rule that could not run on an unknown value */
  enforcementLevel: Exclude<EnforcementLevel, "disabled" | "remediate">;
  cis?: string;
  resourceType: string;
  resourceName: string;
  urn: string;
  message: string;
  /** the field the finding is about, e.g. `capabilities.adds[0]` */
  field: string;
  remediation: string;
  /** true when the rule met a value that is unknown until the update runs */
  unknown: boolean;
}

interface EvaluateOptions {
  config?: PackConfig;
  rules?: readonly Rule[];
  /** default level for rules that set none (the pack's own default is "mandatory") */
  packEnforcementLevel?: EnforcementLevel;
  /** run the stack (topology) rules; off for a single app's manifest, which is not a whole stack */
  stackRules?: boolean;
}

function levelOf(rule: Rule, config: PackConfig | undefined, packLevel: EnforcementLevel = "mandatory"): EnforcementLevel {
  const entry = config?.[rule.id];
  const configured = typeof entry === "string" ? entry : entry?.enforcementLevel;
  return configured ?? rule.enforcementLevel ?? packLevel;
}

function ruleConfig(rule: Rule, config: PackConfig | undefined): object {
  const entry = config?.[rule.id];
  return effectiveConfig(rule, typeof entry === "object" ? entry : undefined);
}

export function defaultUrn(type: string, name: string): string {
  return `urn:pulumi:offline::checker::${type}::${name}`;
}

/** Whether any value inside is one of the runtime's unknown sentinels. */
function containsUnknown(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return SENTINELS.has(value);
  if (typeof value !== "object" || value === null) return false;
  if (depth > 64) return true; // too deep to scan: let the proxy decide, never risk a false pass
  if (Array.isArray(value)) return value.some((item) => containsUnknown(item, depth + 1));
  for (const key in value) if (containsUnknown((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

const NO_SECRETS: ReadonlySet<string> = new Set();

/** A class rather than an object literal with a closure: one is built per resource, so it is hot. */
class View implements ResourceView {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, any>;
  readonly dependencies?: readonly string[];
  readonly id?: string;
  /** stack exports and mock runs keep the secret marks (secretInputs; none listed: none were secrets) */
  readonly secretsKnown = true;
  private readonly secrets: ReadonlySet<string>;

  constructor(resource: CheckedResource) {
    this.type = resource.type;
    this.name = resource.name;
    this.urn = resource.urn ?? defaultUrn(resource.type, resource.name);
    const props = resource.props ?? {};
    // The runtime's proxy only ever differs from the plain object by throwing on an unknown
    // sentinel; props without one are passed as they are, which keeps the checker fast.
    this.props = containsUnknown(props) ? unknownCheckingProxy(props) : props;
    if (resource.dependencies) this.dependencies = resource.dependencies;
    if (resource.id) this.id = resource.id;
    this.secrets = resource.secretInputs && resource.secretInputs.length > 0 ? new Set(resource.secretInputs) : NO_SECRETS;
  }

  isSecret(input: string): boolean {
    return this.secrets.has(input);
  }
}

function toView(resource: CheckedResource): ResourceView {
  return new View(resource);
}

function unknownFinding(rule: Rule, resource: ResourceView | undefined, error: Error & { props: string[] }): Omit<Finding, "ruleId" | "severity" | "cis" | "remediation"> {
  const subject = resource ? `${nounOf(resource.type)} "${resource.name}": ` : "stack: ";
  return {
    enforcementLevel: "advisory",
    resourceType: resource?.type ?? "pulumi:pulumi:Stack",
    resourceName: resource?.name ?? "(stack)",
    urn: resource?.urn ?? "",
    field: error.props.join("."),
    // the runtime's own wording, prefixed with the resource
    message: `${subject}can't run policy '${rule.id}' during preview: ${error.message}; it runs again when the value is known`,
    unknown: true,
  };
}

/** Checks every resource against every enabled rule. Findings are in resource order, then rule order. */
interface ActiveRule {
  rule: Rule;
  config: object;
  /** the finding fields that depend only on the rule */
  base: Pick<Finding, "ruleId" | "severity" | "enforcementLevel" | "cis" | "remediation">;
}

function activate(rule: Rule, options: EvaluateOptions): ActiveRule | undefined {
  const level = levelOf(rule, options.config, options.packEnforcementLevel);
  if (level === "disabled") return undefined;
  return {
    rule,
    config: ruleConfig(rule, options.config),
    base: {
      ruleId: rule.id,
      severity: rule.severity,
      // the runtime reports a remediate-level violation as mandatory
      enforcementLevel: level === "remediate" ? "mandatory" : level,
      ...(rule.cis ? { cis: rule.cis } : {}),
      remediation: rule.remediation,
    },
  };
}

function violationFinding(active: ActiveRule, resource: ResourceView, violation: Violation): Finding {
  // Spelled out rather than spread: every finding then has one shape, which keeps this hot path fast.
  const { base } = active;
  return {
    ruleId: base.ruleId,
    severity: base.severity,
    enforcementLevel: base.enforcementLevel,
    cis: base.cis,
    remediation: base.remediation,
    resourceType: resource.type,
    resourceName: resource.name,
    urn: resource.urn,
    field: violation.field,
    message: formatViolation(resource, violation),
    unknown: false,
  };
}

/** What a run found, and how many resources each enabled rule checked. */
export interface Evaluation {
  findings: Finding[];
  /**
   * rule id → resources it checked: for a resource rule, those of its type it applies to; for a stack
   * rule, those of its subject types. Disabled rules, and stack rules when they did not run, are absent.
   */
  checked: Record<string, number>;
}

/** Checks every resource against every enabled rule. Findings are in resource order, then rule order. */
export function evaluate(resources: readonly CheckedResource[], options: EvaluateOptions = {}): Finding[] {
  return evaluateWithCoverage(resources, options).findings;
}

/** `evaluate`, and how many resources each rule checked: a pass over nothing is not a pass. */
export function evaluateWithCoverage(resources: readonly CheckedResource[], options: EvaluateOptions = {}): Evaluation {
  const active = (options.rules ?? allRules).map((rule) => activate(rule, options)).filter((a): a is ActiveRule => a !== undefined);
  const byType = new Map<string, ActiveRule[]>();
  const checked: Record<string, number> = {};
  for (const entry of active) {
    if (entry.rule.kind !== "resource") continue;
    checked[entry.rule.id] = 0;
    byType.set(entry.rule.resourceType, [...(byType.get(entry.rule.resourceType) ?? []), entry]);
  }
  const findings: Finding[] = [];
  const views = resources.map(toView);
  // One report callback for the whole run (not a closure per rule and resource): it is hot.
  let current: { active: ActiveRule; view: ResourceView } | undefined;
  const report = (violation: Violation) => findings.push(violationFinding(current!.active, current!.view, violation));
  for (const view of views) {
    // Rules of other types are not applicable: the runtime's type fast path skips them the same way.
    for (const entry of byType.get(view.type) ?? []) {
      const rule = entry.rule as ResourceRule<object>;
      current = { active: entry, view };
      try {
        // a rule narrowed to some resources of its type (overlays, app services) does not count the others
        if (rule.appliesTo && !rule.appliesTo(view, entry.config)) continue;
        checked[rule.id]++;
        rule.check(view, entry.config, report);
      } catch (error) {
        if (!isUnknownValueError(error)) throw error;
        findings.push({ ...entry.base, ...unknownFinding(entry.rule, view, error) });
      }
    }
  }
  for (const entry of active) {
    if (entry.rule.kind !== "stack" || options.stackRules === false) continue;
    const subjects = new Set(entry.rule.subjectTypes);
    checked[entry.rule.id] = views.reduce((count, view) => count + (subjects.has(view.type) ? 1 : 0), 0);
    try {
      (entry.rule as StackRule<object>).check(views, entry.config, (violation) => findings.push(violationFinding(entry, violation.resource, violation)));
    } catch (error) {
      if (!isUnknownValueError(error)) throw error;
      // The error carries only the property path: find the resource whose value there is unknown.
      const index = resources.findIndex((r) => isUnknownSentinel(error.props.reduce<any>((value, key) => value?.[key], r.props)));
      findings.push({ ...entry.base, ...unknownFinding(entry.rule, index === -1 ? undefined : views[index], error) });
    }
  }
  return { findings, checked };
}

export function mandatoryCount(findings: readonly Finding[]): number {
  return findings.filter((f) => f.enforcementLevel === "mandatory").length;
}
