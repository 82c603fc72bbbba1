import { resourceRule, SERVICE_TYPE } from "../rule";
import { ENV_SECRET_SETTINGS, plainTextCredentials } from "../container/env-secrets";
import { containerSpecOf, SPEC } from "../swarm-read";

export const serviceEnvSecrets = resourceRule({
  id: "service-env-plaintext-secrets",
  resourceType: SERVICE_TYPE,
  description: "Swarm services pass no credential as a plain-text environment variable (the container rule's names and exceptions).",
  severity: "high",
  remediation: "Deliver the credential as a Swarm secret file and name the file in NAME_FILE (the platform does for every credential it holds).",
  enforcementLevel: "mandatory",
  settings: ENV_SECRET_SETTINGS,
  check(resource, config, report) {
    // a Pulumi secret anywhere in taskSpec marks the whole input: nothing in it is shown in plain text
    if (resource.isSecret("taskSpec")) return;
    const env = containerSpecOf(resource.props).env;
    if (typeof env !== "object" || env === null || Array.isArray(env)) return;
    const entries = Object.entries(env).flatMap(([name, value]) => (typeof value === "string" ? [{ field: `${SPEC}.env.${name}`, name, value }] : []));
    plainTextCredentials(entries, config.allowedNames).forEach(report);
  },
});
