// platform:admission: the dependency policy's defaults, and errors that name the field and the fix.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePlatformConfig } from "../config/load";
import { exceptionEnd } from "../config/admission";
import { assessVulnerability } from "../deps/policy";
import type { Vulnerability } from "../deps/osv/match";
import { configProblems } from "./support/config-render";
import { minimalConfig } from "./support/stack-config";

const problems = (mutate: (config: Record<string, any>) => void): string[] => configProblems(mutate).map((p) => `${p.path}: ${p.message}`);
const exception = (fields: Record<string, unknown> = {}) => ({ id: "CVE-2024-3094", reason: "fixed upstream, vendor ships 1.2 next week", expires: "2027-01-31", ...fields });

describe("platform:admission", () => {
  it("defaults: reject at or above high, unknown severity rejects, an incomplete SBOM is reported", () => {
    const { admission } = parsePlatformConfig(minimalConfig()).config;
    assert.deepEqual(admission, { rejectAtOrAbove: "high", unknownSeverity: "reject", incompleteSbom: "report", recordsDir: "admissions", deadlineNoticeDays: 14, exceptions: [] });
  });

  it("reads exceptions, also with a YAML date, and scopes them to apps", () => {
    const { admission } = parsePlatformConfig({ ...minimalConfig(), admission: { exceptions: [exception({ expires: new Date("2027-01-31T00:00:00Z"), apps: ["alpha"] })] } }).config;
    assert.equal(admission.exceptions[0].expires, "2027-01-31");
    assert.deepEqual(admission.exceptions[0].apps, ["alpha"]);
  });

  const cases: [string, (c: Record<string, any>) => void, string][] = [
    ["unknown severity level", (c) => (c.admission = { rejectAtOrAbove: "severe" }), "platform:admission.rejectAtOrAbove: expected one of none, low, medium, high, critical"],
    ["a date that does not exist", (c) => (c.admission = { exceptions: [exception({ expires: "2027-02-30" })] }), 'platform:admission.exceptions[0].expires: "2027-02-30" is not a date: write it as YYYY-MM-DD, e.g. 2027-01-31 (the exception holds through that day, UTC)'],
    ["a missing reason", (c) => (c.admission = { exceptions: [{ id: "CVE-2024-3094", expires: "2027-01-31" }] }), "platform:admission.exceptions[0].reason: is required: expected a string: why this advisory is accepted until it expires"],
    ["a reason too short to mean anything", (c) => (c.admission = { exceptions: [exception({ reason: "ok" })] }), "platform:admission.exceptions[0].reason: give a reason of at least 10 characters: it is shown in every report and audit"],
    ["an id that is no advisory id", (c) => (c.admission = { exceptions: [exception({ id: "openssl" })] }), "platform:admission.exceptions[0].id: expected an advisory id such as CVE-2024-3094, GHSA-xxxx-xxxx-xxxx or DSA-5678-1"],
    ["the same advisory twice", (c) => (c.admission = { exceptions: [exception(), exception({ id: "cve-2024-3094" })] }), "platform:admission.exceptions[1].id: cve-2024-3094 is already excepted by exceptions[0]: keep one entry per advisory and app"],
    ["an unknown key", (c) => (c.admission = { rejectAbove: "high" }), 'platform:admission.rejectAbove: unknown key "rejectAbove": remove it or check its spelling'],
  ];
  for (const [name, mutate, expected] of cases) {
    it(`rejects ${name}`, () => assert.deepEqual(problems(mutate), [expected]));
  }
});

describe("the admission policy's ruling on one vulnerability", () => {
  const policy = (fields: Record<string, unknown> = {}) => parsePlatformConfig({ ...minimalConfig(), admission: fields }).config.admission;
  const vulnerability = (level: Vulnerability["severity"]["level"], aliases: string[] = []): Vulnerability => ({ id: "GHSA-aaaa-bbbb-cccc", aliases, severity: { level, source: "test" }, fixed: ["1.2.3"] });
  const now = new Date("2027-01-15T12:00:00Z");

  it("rejects at and above the line, not below", () => {
    assert.equal(assessVulnerability(vulnerability("high"), policy(), undefined, now).rejects, true);
    assert.equal(assessVulnerability(vulnerability("critical"), policy(), undefined, now).rejects, true);
    assert.equal(assessVulnerability(vulnerability("medium"), policy(), undefined, now).rejects, false);
    assert.equal(assessVulnerability(vulnerability("medium"), policy({ rejectAtOrAbove: "medium" }), undefined, now).rejects, true);
  });

  it("treats unknown severity as the policy says, never as low", () => {
    const strict = assessVulnerability(vulnerability("unknown"), policy({ rejectAtOrAbove: "critical" }), undefined, now);
    assert.equal(strict.rejects, true);
    assert.match(strict.ruling, /no advisory states a severity/);
    assert.equal(assessVulnerability(vulnerability("unknown"), policy({ unknownSeverity: "report" }), undefined, now).rejects, false);
  });

  it("waives a vulnerability by any of its ids until the end of the expiry day, then rejects again", () => {
    const waived = policy({ exceptions: [exception({ id: "CVE-2024-3094", expires: "2027-01-15" })] });
    const ruled = assessVulnerability(vulnerability("critical", ["CVE-2024-3094"]), waived, undefined, now);
    assert.equal(ruled.rejects, false);
    assert.equal(ruled.exception?.daysLeft, 0);
    const later = new Date(exceptionEnd("2027-01-15").getTime() + 1);
    const expired = assessVulnerability(vulnerability("critical", ["CVE-2024-3094"]), waived, undefined, later);
    assert.equal(expired.rejects, true);
    assert.match(expired.ruling, /expired on 2027-01-15, so it rejects again/);
  });

  it("applies an app-scoped exception only to that app", () => {
    const scoped = policy({ exceptions: [exception({ id: "GHSA-aaaa-bbbb-cccc", apps: ["alpha"] })] });
    assert.equal(assessVulnerability(vulnerability("high"), scoped, "alpha", now).rejects, false);
    assert.equal(assessVulnerability(vulnerability("high"), scoped, "beta", now).rejects, true);
    assert.equal(assessVulnerability(vulnerability("high"), scoped, undefined, now).rejects, true);
  });
});
