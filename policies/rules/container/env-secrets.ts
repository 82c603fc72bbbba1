import { z } from "zod";
import { CONTAINER_TYPE, resourceRule, Violation } from "../rule";
import { list } from "../read";

// The pack imports nothing outside policies/, so it carries a copy of THE credential-name rule,
// config/credential-names.ts, which the schema uses for plain-text env. Change both together:
// test/config-credential-names.test.ts holds the copy to the same words and the same verdicts.

/** Whole words of a name that make it a credential (KEYCLOAK_ADMIN_PASSWORD: PASSWORD). */
export const CREDENTIAL_WORDS: readonly string[] = ["PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "SECRETS", "TOKEN", "TOKENS", "KEY", "KEYS", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATEKEY"];

/** Endings that make a run-together word a credential too (DBPASSWORD, GITHUBTOKEN, CLIENTSECRET, dbPassword). */
export const CREDENTIAL_WORD_ENDINGS: readonly string[] = ["PASSWORD", "PASSWD", "SECRET", "SECRETS", "TOKEN", "TOKENS", "CREDENTIAL", "CREDENTIALS", "APIKEY", "PRIVATEKEY", "ACCESSKEY", "SECRETKEY"];

/** A name whose last word is one of these points at a credential (a file, a URL) or describes it: it is not one. */
export const REFERENCE_WORDS: readonly string[] = ["FILE", "PATH", "DIR", "URL", "URI", "ENDPOINT", "ID", "NAME", "TYPE", "ALGORITHM", "ALG", "LENGTH", "SIZE"];

/** Names that contain a credential word but are something else everywhere (the shell's working directory). */
export const NOT_CREDENTIALS: readonly string[] = ["PWD"];

const WORDS = new Set(CREDENTIAL_WORDS);
const REFERENCES = new Set(REFERENCE_WORDS);

/**
 * Word-wise, so KEYCLOAK_ADMIN is not a key but KEYCLOAK_ADMIN_PASSWORD is a password, API_KEY_FILE
 * names a file, and DBPASSWORD or dbPassword are passwords although their words run together.
 */
export function looksLikeCredential(name: string): boolean {
  if (NOT_CREDENTIALS.includes(name)) return false;
  const words = name.toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
  if (words.length === 0 || REFERENCES.has(words[words.length - 1])) return false;
  return words.some((word) => WORDS.has(word) || CREDENTIAL_WORD_ENDINGS.some((ending) => word.endsWith(ending)));
}

export const ENV_SECRET_SETTINGS = {
  /** names that may hold a value although they look like credentials; a trailing `*` matches a prefix */
  allowedNames: z.array(z.string()).default([]),
};

/**
 * Entries (a container's `NAME=value` list or a service's env map) whose name is a credential's and
 * whose value is plain text. The value itself is never echoed: the message would leak it into CI logs.
 */
export function plainTextCredentials(entries: readonly { field: string; name: string; value: string }[], allowedNames: readonly string[]): Violation[] {
  const exact = new Set(allowedNames.filter((n) => !n.endsWith("*")));
  const prefixes = allowedNames.filter((n) => n.endsWith("*")).map((n) => n.slice(0, -1));
  const isAllowed = (name: string) => exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix));
  return entries
    .filter(({ name, value }) => value !== "" && looksLikeCredential(name) && !isAllowed(name))
    .map(({ field, name, value }) => ({ field, found: `sets ${name} to a plain-text value (${value.length} character${value.length === 1 ? "" : "s"})`, fix: `pass ${name} as a Pulumi secret or as a file (${name}_FILE)` }));
}

export const envSecrets = resourceRule({
  id: "env-plaintext-secrets",
  resourceType: CONTAINER_TYPE,
  description: "Credentials are not passed as plain-text environment variables.",
  severity: "high",
  remediation: "Pass the value as a Pulumi secret (pulumi.secret / config --secret), or better as a file (NAME_FILE) mounted into the container.",
  enforcementLevel: "mandatory",
  settings: ENV_SECRET_SETTINGS,
  check(resource, config, report) {
    if (resource.isSecret("envs")) return;
    const entries = list(resource.props.envs).flatMap((entry, i) => {
      if (typeof entry !== "string") return [];
      const eq = entry.indexOf("=");
      return [{ field: `envs[${i}]`, name: eq === -1 ? entry : entry.slice(0, eq), value: eq === -1 ? "" : entry.slice(eq + 1) }];
    });
    plainTextCredentials(entries, config.allowedNames).forEach(report);
  },
});
