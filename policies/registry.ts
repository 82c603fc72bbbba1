// Every rule of the pack, and the same rules as CrossGuard policy objects. Importing this module
// starts nothing: only policies/index.ts constructs the PolicyPack.
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { CIS_DOCKER, CONTAINER_TYPE, effectiveConfig, formatViolation, NETWORK_TYPE, ResourceRule, ResourceView, Rule, SECRET_TYPE, SERVICE_CONFIG_TYPE, SERVICE_TYPE, StackRule } from "./rules/rule";
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
import { serviceNonRootUser } from "./rules/swarm/non-root-user";
import { serviceSelinux } from "./rules/swarm/selinux";
import { servicePlatformRole } from "./rules/swarm/platform-role";
import { serviceReadOnlyRoot } from "./rules/swarm/read-only-root";
import { serviceCapabilities } from "./rules/swarm/capabilities";
import { serviceMemoryLimit } from "./rules/swarm/memory-limit";
import { serviceCpuLimit } from "./rules/swarm/cpu-limit";
import { serviceHealthcheck } from "./rules/swarm/healthcheck";
import { serviceRestartPolicy } from "./rules/swarm/restart-policy";
import { serviceImagePinned } from "./rules/swarm/image-pinned";
import { serviceSensitiveHostPaths } from "./rules/swarm/sensitive-host-paths";
import { serviceDockerSocket } from "./rules/swarm/docker-socket";
import { serviceMountPropagation } from "./rules/swarm/mount-propagation";
import { serviceHostNetwork } from "./rules/swarm/host-network";
import { servicePublishedPorts } from "./rules/swarm/published-ports";
import { serviceEnvSecrets } from "./rules/swarm/env-secrets";
import { serviceCredentialFiles } from "./rules/swarm/credential-files";
import { serviceAppTmpfsOnly } from "./rules/swarm/app-tmpfs-only";
import { serviceRunscPlacement } from "./rules/swarm/runsc-placement";
import { overlayAttachable } from "./rules/swarm/overlay-attachable";
import { overlayEncrypted } from "./rules/swarm/overlay-encrypted";
import { secretDataIsSecret } from "./rules/swarm/secret-data";
import { configNoPrivateKey } from "./rules/swarm/config-private-key";
import { swarmAppSingleNetwork } from "./rules/swarm-topology/app-single-network";
import { swarmAppNetworkMembers } from "./rules/swarm-topology/app-network-members";
import { swarmOutboundEgressOnly } from "./rules/swarm-topology/outbound-egress-only";
import { swarmAppServiceIsolation } from "./rules/swarm-topology/app-service-isolation";
import { swarmPlatformNetworkMembers } from "./rules/swarm-topology/platform-network-members";
import { swarmAppCertificate } from "./rules/swarm-topology/app-certificate";
import { swarmAppOauthClient } from "./rules/swarm-topology/app-oauth-client";
import { checkableWorkloads } from "./rules/coverage/workloads";

export const containerRules: readonly ResourceRule<any>[] = [
  nonRootUser, apparmorProfile, selinuxLabel, capabilities, privileged, sensitiveHostPaths, privilegedPorts,
  publishAllPorts, hostNetwork, memoryLimit, cpuLimit, readOnlyRoot, hostInterface, restartPolicy, hostPid,
  hostIpc, hostDevices, mountPropagation, seccompProfile, cgroupUsage, noNewPrivileges, healthcheck, imagePinned,
  defaultBridge, hostUserns, dockerSocket, nprocUlimit, envSecrets,
];
export const networkRules: readonly ResourceRule<any>[] = [networkInternal, networkDriver, networkHostBinding, outboundIcc];
export const stackRules: readonly StackRule<any>[] = [appSingleNetwork, appNetworkMembers, outboundEgressOnly, appServiceIsolation, appCertificate, appOauthClient, seedIsolation];
/** Swarm mode (platform:orchestrator: swarm): the container rules in their service form, and more. */
export const swarmServiceRules: readonly ResourceRule<any>[] = [
  serviceNonRootUser, serviceSelinux, serviceReadOnlyRoot, serviceCapabilities, serviceMemoryLimit, serviceCpuLimit, serviceHealthcheck,
  serviceRestartPolicy, serviceImagePinned, serviceSensitiveHostPaths, serviceDockerSocket, serviceMountPropagation,
  serviceHostNetwork, servicePublishedPorts, serviceEnvSecrets, serviceCredentialFiles, serviceAppTmpfsOnly, serviceRunscPlacement,
  servicePlatformRole,
];
/** Overlay networks, Swarm secrets and configs. */
export const swarmObjectRules: readonly ResourceRule<any>[] = [overlayAttachable, overlayEncrypted, secretDataIsSecret, configNoPrivateKey];
/** The topology rules over services and overlay networks. */
export const swarmStackRules: readonly StackRule<any>[] = [swarmAppSingleNetwork, swarmAppNetworkMembers, swarmOutboundEgressOnly, swarmAppServiceIsolation, swarmPlatformNetworkMembers, swarmAppCertificate, swarmAppOauthClient];
/** Rules about what the pack could check at all. */
export const coverageRules: readonly StackRule<any>[] = [checkableWorkloads];
export const allRules: readonly Rule[] = [...containerRules, ...networkRules, ...stackRules, ...swarmServiceRules, ...swarmObjectRules, ...swarmStackRules, ...coverageRules];

export function ruleById(id: string): Rule | undefined {
  return allRules.find((rule) => rule.id === id);
}

const TYPE_TAGS: Record<string, string> = {
  [CONTAINER_TYPE]: "container",
  [NETWORK_TYPE]: "network",
  [SERVICE_TYPE]: "swarm-service",
  [SECRET_TYPE]: "swarm-secret",
  [SERVICE_CONFIG_TYPE]: "swarm-config",
};

function tagOf(rule: Rule): string {
  if (rule.kind === "stack") return rule.subjectTypes.includes(SERVICE_TYPE) && !rule.subjectTypes.includes(CONTAINER_TYPE) ? "swarm-topology" : "topology";
  return TYPE_TAGS[rule.resourceType] ?? rule.resourceType;
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
    tags: [tagOf(rule), ...(rule.cis ? ["cis-docker"] : [])],
  };
}

export function toResourcePolicy(rule: ResourceRule<any>): ResourceValidationPolicy {
  return {
    ...metadata(rule),
    validateResource: (args, reportViolation) => {
      if (args.type !== rule.resourceType) args.notApplicable(`Policy only applies to resources of type '${rule.resourceType}'`);
      const view: ResourceView = { type: args.type, name: args.name, urn: args.urn, props: args.props, isSecret: () => false, secretsKnown: false };
      const config = effectiveConfig(rule, args.getConfig());
      if (rule.appliesTo && !rule.appliesTo(view, config)) args.notApplicable(rule.notApplicableReason ?? "Policy applies to some resources of its type only");
      rule.check(view, config, (violation) => reportViolation(formatViolation(view, violation)));
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
        // read only when a Swarm rule matches a service's network by id: the state's outputs carry it
        get id() {
          return typeof r.props.id === "string" ? r.props.id : undefined;
        },
        isSecret: () => false,
        secretsKnown: false,
      }));
      rule.check(views, effectiveConfig(rule, args.getConfig()), (violation) => reportViolation(formatViolation(violation.resource, violation), violation.resource.urn || undefined));
    },
  };
}

/** The pack's policies, in rule order. */
export const policies: Policies = allRules.map((rule) => (rule.kind === "resource" ? toResourcePolicy(rule) : toStackPolicy(rule)));
