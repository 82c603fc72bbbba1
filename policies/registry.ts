// Every rule of the pack, and the same rules as CrossGuard policy objects. Importing this module
// starts nothing: only policies/index.ts constructs the PolicyPack.
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { CIS_DOCKER, effectiveConfig, formatViolation, ResourceRule, ResourceView, Rule, StackRule } from "./rules/rule";
import { nonRootUser } from "./rules/container/non-root-user";
import { apparmorProfile } from "./rules/container/apparmor";
import { selinuxLabel } from "./rules/container/selinux";
import { capabilities } from "./rules/container/capabilities";
import { privileged } from "./rules/container/privileged";
import { sensitiveHostPaths } from "./rules/container/sensitive-host-paths";
import { privilegedPorts } from "./rules/container/privileged-ports";
import { publishAllPorts } from "./rules/container/publish-all-ports";
import { hostNetwork } from "./rules/container/host-network";
import { memoryLimit } from "./rules/container/memory-limit";
import { cpuLimit } from "./rules/container/cpu-limit";
import { readOnlyRoot } from "./rules/container/read-only-root";
import { hostInterface } from "./rules/container/host-interface";
import { restartPolicy } from "./rules/container/restart-policy";
import { hostPid } from "./rules/container/host-pid";
import { hostIpc } from "./rules/container/host-ipc";
import { hostDevices } from "./rules/container/host-devices";
import { mountPropagation } from "./rules/container/mount-propagation";
import { seccompProfile } from "./rules/container/seccomp";
import { cgroupUsage } from "./rules/container/cgroup";
import { noNewPrivileges } from "./rules/container/no-new-privileges";
import { healthcheck } from "./rules/container/healthcheck";
import { imagePinned } from "./rules/container/image-pinned";
import { defaultBridge } from "./rules/container/default-bridge";
import { hostUserns } from "./rules/container/host-userns";
import { dockerSocket } from "./rules/container/docker-socket";
import { nprocUlimit } from "./rules/container/nproc-ulimit";
import { envSecrets } from "./rules/container/env-secrets";
import { networkInternal } from "./rules/network/internal";
import { networkDriver } from "./rules/network/driver";
import { networkHostBinding } from "./rules/network/host-binding";
import { outboundIcc } from "./rules/network/outbound-icc";
import { appSingleNetwork } from "./rules/stack/app-single-network";
import { appNetworkMembers } from "./rules/stack/app-network-members";
import { outboundEgressOnly } from "./rules/stack/outbound-egress-only";
import { appServiceIsolation } from "./rules/stack/app-service-isolation";
import { appCertificate } from "./rules/stack/app-certificate";
import { appOauthClient } from "./rules/stack/app-oauth-client";
import { seedIsolation } from "./rules/stack/seed-isolation";

export const containerRules: readonly ResourceRule<any>[] = [
  nonRootUser, apparmorProfile, selinuxLabel, capabilities, privileged, sensitiveHostPaths, privilegedPorts,
  publishAllPorts, hostNetwork, memoryLimit, cpuLimit, readOnlyRoot, hostInterface, restartPolicy, hostPid,
  hostIpc, hostDevices, mountPropagation, seccompProfile, cgroupUsage, noNewPrivileges, healthcheck, imagePinned,
  defaultBridge, hostUserns, dockerSocket, nprocUlimit, envSecrets,
];
export const networkRules: readonly ResourceRule<any>[] = [networkInternal, networkDriver, networkHostBinding, outboundIcc];
export const stackRules: readonly StackRule<any>[] = [appSingleNetwork, appNetworkMembers, outboundEgressOnly, appServiceIsolation, appCertificate, appOauthClient, seedIsolation];
export const allRules: readonly Rule[] = [...containerRules, ...networkRules, ...stackRules];

export function ruleById(id: string): Rule | undefined {
  return allRules.find((rule) => rule.id === id);
}

function metadata(rule: Rule) {
  return {
    name: rule.id,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    severity: rule.severity,
    remediationSteps: rule.remediation,
    ...(rule.configSchema ? { configSchema: rule.configSchema } : {}),
    ...(rule.cis ? { framework: { ...CIS_DOCKER, reference: rule.cis, specification: rule.description } } : {}),
    tags: [rule.kind === "stack" ? "topology" : rule.resourceType === "docker:index/network:Network" ? "network" : "container", ...(rule.cis ? ["cis-docker"] : [])],
  };
}

export function toResourcePolicy(rule: ResourceRule<any>): ResourceValidationPolicy {
  return {
    ...metadata(rule),
    validateResource: (args, reportViolation) => {
      if (args.type !== rule.resourceType) args.notApplicable(`Policy only applies to resources of type '${rule.resourceType}'`);
      const view: ResourceView = { type: args.type, name: args.name, urn: args.urn, props: args.props, isSecret: () => false };
      rule.check(view, effectiveConfig(rule, args.getConfig()), (violation) => reportViolation(formatViolation(view, violation)));
    },
  };
}

export function toStackPolicy(rule: StackRule<any>): StackValidationPolicy {
  return {
    ...metadata(rule),
    validateStack: (args, reportViolation) => {
      const views: ResourceView[] = args.resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.props,
        dependencies: r.dependencies.map((d) => d.urn),
        isSecret: () => false,
      }));
      rule.check(views, effectiveConfig(rule, args.getConfig()), (violation) => reportViolation(formatViolation(violation.resource, violation), violation.resource.urn));
    },
  };
}

/** The pack's policies, in rule order. */
export const policies: Policies = allRules.map((rule) => (rule.kind === "resource" ? toResourcePolicy(rule) : toStackPolicy(rule)));
