// THE rule for "this environment variable name looks like a credential": plain-text config (the
// schema's env maps) and the policy pack (policies/rules/container/env-secrets.ts, which may import
// nothing outside policies/ and therefore carries a copy) judge names by it alone. A test
// (test/config-credential-names.test.ts) holds the copy to the same words and the same verdicts.

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
