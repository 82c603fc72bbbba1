import { z } from "zod";
import { CONTAINER_TYPE, resourceRule } from "../rule";
import { list } from "../read";

const SECRET_WORDS = new Set(["PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "SECRETS", "TOKEN", "TOKENS", "KEY", "KEYS", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATEKEY"]);
// A name ending in one of these points at a secret (a file, a URL) or describes it; it is not one.
const REFERENCE_WORDS = new Set(["FILE", "PATH", "DIR", "URL", "URI", "ENDPOINT", "ID", "NAME", "TYPE", "ALGORITHM", "ALG", "LENGTH", "SIZE"]);

/** Word-wise, so KEYCLOAK_ADMIN is not a key but KEYCLOAK_ADMIN_PASSWORD is a password. */
export function looksLikeCredential(name: string): boolean {
  const words = name.toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
  if (words.length === 0 || REFERENCE_WORDS.has(words[words.length - 1])) return false;
  return words.some((word) => SECRET_WORDS.has(word));
}

export const envSecrets = resourceRule({
  id: "env-plaintext-secrets",
  resourceType: CONTAINER_TYPE,
  description: "Credentials are not passed as plain-text environment variables.",
  severity: "high",
  remediation: "Pass the value as a Pulumi secret (pulumi.secret / config --secret), or better as a file (NAME_FILE) mounted into the container.",
  enforcementLevel: "mandatory",
  settings: {
    /** names that may hold a value although they look like credentials; a trailing `*` matches a prefix */
    allowedNames: z.array(z.string()).default([]),
  },
  check(resource, config, report) {
    if (resource.isSecret("envs")) return;
    const exact = new Set(config.allowedNames.filter((n) => !n.endsWith("*")));
    const prefixes = config.allowedNames.filter((n) => n.endsWith("*")).map((n) => n.slice(0, -1));
    const isAllowed = (name: string) => exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix));
    list(resource.props.envs).forEach((entry, i) => {
      if (typeof entry !== "string") return;
      const eq = entry.indexOf("=");
      const name = eq === -1 ? entry : entry.slice(0, eq);
      const value = eq === -1 ? "" : entry.slice(eq + 1);
      if (value === "" || !looksLikeCredential(name) || isAllowed(name)) return;
      // The value itself is never echoed: the message would leak it into CI logs.
      report({ field: `envs[${i}]`, found: `sets ${name} to a plain-text value (${value.length} character${value.length === 1 ? "" : "s"})`, fix: `pass ${name} as a Pulumi secret or as a file (${name}_FILE)` });
    });
  },
});
