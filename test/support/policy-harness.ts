// Runs one CrossGuard policy object the way the policy server (@pulumi/policy server.js) does:
// props behind `unknownCheckingProxy`, `notApplicable` throwing, frozen empty `stackTags`,
// `getConfig` returning the policy's config without enforcementLevel. Used by tests and docs
// examples; it never constructs a PolicyPack.
import type { PolicyResourceOptions, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { defaultUrn } from "../../policies/evaluate";
import { isUnknownValueError, NotApplicableError, unknownCheckingProxy } from "../../policies/runtime";

interface PolicyRun {
  violations: { message: string; urn?: string }[];
  /** the runtime's advisory when the policy read an unknown value */
  advisory?: string;
  /** the reason given to `notApplicable` */
  notApplicable?: string;
}

const OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function configGetter(config: Record<string, unknown> | undefined) {
  return <T extends object>(): T => {
    const { enforcementLevel: _level, ...properties } = config ?? {};
    return properties as T;
  };
}

async function capture(policyName: string, run: PolicyRun, body: () => Promise<void> | void): Promise<PolicyRun> {
  try {
    await body();
  } catch (error) {
    if (isUnknownValueError(error)) run.advisory = `can't run policy '${policyName}' during preview: ${error.message}`;
    else if (error instanceof NotApplicableError) run.notApplicable = error.reason ?? "Policy does not apply";
    else throw error;
  }
  return run;
}

export interface ResourceInput {
  type: string;
  name: string;
  props: Record<string, any>;
  urn?: string;
}

export function runResourcePolicy(policy: ResourceValidationPolicy, resource: ResourceInput, config?: Record<string, unknown>): Promise<PolicyRun> {
  const run: PolicyRun = { violations: [] };
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
  return capture(policy.name, run, async () => {
    for (const validate of validations) {
      const props = unknownCheckingProxy(structuredClone(resource.props));
      const args: ResourceValidationArgs = {
        type: resource.type,
        props,
        urn: resource.urn ?? defaultUrn(resource.type, resource.name),
        name: resource.name,
        opts: OPTIONS,
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: configGetter(config),
        notApplicable: (reason?: string): never => {
          throw new NotApplicableError(reason);
        },
      };
      await validate(args, (message, urn) => run.violations.push({ message, ...(urn ? { urn } : {}) }));
    }
  });
}

export function runStackPolicy(policy: StackValidationPolicy, resources: ResourceInput[], config?: Record<string, unknown>): Promise<PolicyRun> {
  const run: PolicyRun = { violations: [] };
  return capture(policy.name, run, async () => {
    const args: StackValidationArgs = {
      resources: resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn ?? defaultUrn(r.type, r.name),
        props: unknownCheckingProxy(structuredClone(r.props)),
        opts: OPTIONS,
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      })),
      stackTags: new Map(),
      getConfig: configGetter(config),
      notApplicable: (reason?: string): never => {
        throw new NotApplicableError(reason);
      },
    };
    await policy.validateStack(args, (message, urn) => run.violations.push({ message, ...(urn ? { urn } : {}) }));
  });
}
