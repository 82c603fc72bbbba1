import { resourceRule, SECRET_TYPE } from "../rule";

export const secretDataIsSecret = resourceRule({
  id: "swarm-secret-data-secret",
  resourceType: SECRET_TYPE,
  description: "A Swarm secret's data is a Pulumi secret, so the state and every preview keep it encrypted.",
  severity: "high",
  remediation: "Wrap the data in pulumi.secret() (components/swarm/files.ts does).",
  enforcementLevel: "mandatory",
  // The CrossGuard runtime unwraps secrets before policies see them: there the rule cannot tell (the
  // provider marks Secret.data secret in the state itself).
  appliesTo: (resource) => resource.secretsKnown === true,
  notApplicableReason: "The runtime does not say which inputs were Pulumi secrets (the provider marks Secret.data secret in the state itself)",
  check(resource, _config, report) {
    if (resource.isSecret("data")) return;
    report({ field: "data", found: "is not a Pulumi secret (the state and previews hold it in plain text)", fix: "wrap data in pulumi.secret()" });
  },
});
