// ONE rule decides whether an environment variable name looks like a credential: config/credential-names.ts.
// The schema uses it for plain-text env; the policy pack, which may import nothing outside policies/,
// carries a copy (policies/rules/container/env-secrets.ts). Both must agree word for word and verdict
// for verdict, on a generated corpus of names built from the very words the rule knows.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import * as configRule from "../config/credential-names";
import { ConfigError } from "../config/errors";
import { parsePlatformConfig } from "../config/load";
import * as packRule from "../policies/rules/container/env-secrets";
import { minimalConfig } from "./support/stack-config";

const WORD_LISTS = ["CREDENTIAL_WORDS", "CREDENTIAL_WORD_ENDINGS", "REFERENCE_WORDS", "NOT_CREDENTIALS"] as const;

/** Names made of the rule's own words, near misses, look-alikes and ordinary words, in every case and separator. */
const word = fc.oneof(
  fc.constantFrom(...configRule.CREDENTIAL_WORDS, ...configRule.CREDENTIAL_WORD_ENDINGS, ...configRule.REFERENCE_WORDS),
  fc.constantFrom("KEYCLOAK", "MONKEY", "TOKENIZER", "PASSPORT", "BYPASS", "SECRETARY", "ADMIN", "DB", "API", "GITHUB", "MAX", "URL", "PORT", "HOST", "CLIENT", "ACCESS", "AWS"),
  fc.tuple(fc.constantFrom("DB", "GITHUB", "CLIENT", "MY", "X"), fc.constantFrom(...configRule.CREDENTIAL_WORD_ENDINGS)).map(([a, b]) => `${a}${b}`),
  fc.stringMatching(/^[A-Za-z0-9]{1,8}$/),
);
const envName = fc
  .tuple(fc.array(word, { minLength: 1, maxLength: 4 }), fc.constantFrom("_", "", "-", "."), fc.constantFrom("upper", "lower", "camel", "asis"))
  .map(([words, separator, style]) => {
    if (style === "camel") return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join("");
    const joined = words.join(separator);
    return style === "upper" ? joined.toUpperCase() : style === "lower" ? joined.toLowerCase() : joined;
  });

describe("the credential-name rule: one definition, mirrored by the policy pack", () => {
  it("the pack's copy has the same word lists", () => {
    for (const list of WORD_LISTS) assert.deepEqual(packRule[list], configRule[list], list);
  });

  it("the schema and the policy rule give the same verdict on every generated name (property)", () => {
    fc.assert(
      fc.property(envName, (name) => assert.equal(packRule.looksLikeCredential(name), configRule.looksLikeCredential(name), name)),
      { numRuns: 5000 },
    );
  });

  it("the schema refuses in plain-text env exactly the names the rule calls credentials (property)", () => {
    fc.assert(
      fc.property(envName.filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n) && !/^(HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|PLATFORM_.*)$/.test(n)), (name) => {
        const config = minimalConfig();
        config.apps[0].env = { [name]: "value" };
        let refused = false;
        try {
          parsePlatformConfig(config);
        } catch (error) {
          assert.ok(error instanceof ConfigError);
          refused = error.problems.some((p) => p.message.includes("looks like a credential"));
        }
        assert.equal(refused, configRule.looksLikeCredential(name), name);
      }),
      { numRuns: 1000 },
    );
  });

  it("word-wise, with run-together words and file references", () => {
    const verdicts = Object.fromEntries(
      ["DB_PASSWORD", "KEYCLOAK_ADMIN", "KEYCLOAK_ADMIN_PASSWORD", "API_KEY_FILE", "AWS_ACCESS_KEY_ID", "DBPASSWORD", "dbPassword", "githubToken", "MONKEY", "TOKENIZER_MODEL", "PWD", "API_KEY", "SIGNING_KEY"].map((n) => [n, configRule.looksLikeCredential(n)]),
    );
    assert.deepEqual(verdicts, {
      DB_PASSWORD: true,
      KEYCLOAK_ADMIN: false,
      KEYCLOAK_ADMIN_PASSWORD: true,
      API_KEY_FILE: false,
      AWS_ACCESS_KEY_ID: false,
      DBPASSWORD: true,
      dbPassword: true,
      githubToken: true,
      MONKEY: false,
      TOKENIZER_MODEL: false,
      PWD: false,
      API_KEY: true,
      SIGNING_KEY: true,
    });
  });
});
