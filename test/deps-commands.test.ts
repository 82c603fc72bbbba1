// deps:check and deps:recheck as a user runs them: exit codes, what they print, admission records,
// exceptions with deadlines, and unusable input that ends with a clear message (exit 2), never a trace.
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CRITICAL_CVSS, cyclonedx, MEDIUM_CVSS, runDeps, scratchDir, scratchStack, writeOsvDatabase } from "./support/deps-fixtures";
import { minimalConfig } from "./support/stack-config";

const work = scratchDir("deps-commands");
after(() => rmSync(work, { recursive: true, force: true }));

const sbomFile = (name: string, purls: string[]) => {
  const file = join(work, name);
  writeFileSync(file, JSON.stringify(cyclonedx(purls), null, 2));
  return file;
};

const database = writeOsvDatabase(join(work, "osv"), [
  { id: "GHSA-35jh-r3h4-6jhm", ecosystem: "npm", name: "lodash", fixed: "4.17.21", aliases: ["CVE-2021-23337"], cvss: CRITICAL_CVSS },
  { id: "PYSEC-2023-0001", ecosystem: "PyPI", name: "requests", fixed: "2.31.0", aliases: ["CVE-2023-32681"], cvss: MEDIUM_CVSS },
]);

describe("deps:check", () => {
  it("passes an app whose components are not affected, and says what it checked", () => {
    const run = runDeps("check", ["--sbom", sbomFile("clean.json", ["pkg:npm/lodash@4.17.21", "pkg:pypi/requests@2.31.0"]), "--vuln-db", database]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^# Dependency check: PASS/);
    assert.match(run.stdout, /Checked 2 components \(0 could not be checked\): 0 vulnerabilities/);
    assert.match(run.stderr, /2 advisories loaded/);
  });

  it("counts a database of one advisory in the singular", () => {
    const single = writeOsvDatabase(join(work, "osv-single"), [{ id: "GHSA-35jh-r3h4-6jhm", ecosystem: "npm", name: "lodash", fixed: "4.17.21", cvss: CRITICAL_CVSS }]);
    const run = runDeps("check", ["--sbom", sbomFile("clean-single.json", ["pkg:npm/lodash@4.17.21"]), "--vuln-db", single]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /: 1 advisory loaded in /);
  });

  it("rejects a critical vulnerability with the advisory, its aliases and the fixed version; a medium one is listed, not rejecting", () => {
    const run = runDeps("check", ["--sbom", sbomFile("vulnerable.json", ["pkg:npm/lodash@4.17.20", "pkg:pypi/Requests@2.30.0"]), "--vuln-db", database]);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^# Dependency check: REJECT/);
    assert.match(run.stdout, /- lodash 4\.17\.20 \(npm\): GHSA-35jh-r3h4-6jhm \(CVE-2021-23337\): severity critical: at or above high; fixed in 4\.17\.21/);
    assert.match(run.stdout, /\| requests 2\.30\.0 · PyPI \| sbom \| PYSEC-2023-0001 \| CVE-2023-32681 \| medium [\d.]+ \| 2\.31\.0 \| severity medium: below the rejection line \(high\) \|/);
  });

  it("writes JSON with --format json", () => {
    const run = runDeps("check", ["--sbom", join(work, "vulnerable.json"), "--vuln-db", database, "--format", "json"]);
    assert.equal(run.status, 1);
    const report = JSON.parse(run.stdout);
    assert.equal(report.verdict, "reject");
    assert.equal(report.summary.rejecting, 1);
    assert.deepEqual(report.findings.map((f: { name: string }) => f.name), ["lodash", "requests"]);
  });

  it("lists components it cannot check and still checks the rest", () => {
    const run = runDeps("check", ["--sbom", sbomFile("mixed.json", ["pkg:cargo/serde@1.0.0", "pkg:npm/lodash@not-a-version", "pkg:npm/lodash@4.17.21"]), "--vuln-db", database]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /## Not checked \(2\)/);
    assert.match(run.stdout, /pkg:cargo\/serde@1\.0\.0 \(sbom\): no vulnerability data is matched for purl type "cargo"/);
    assert.match(run.stdout, /pkg:npm\/lodash@not-a-version \(sbom\): .*not a.*version/);
  });

  const unusable: [string, () => string[], RegExp][] = [
    ["an SBOM that is not JSON, with line and column", () => ["--sbom", (writeFileSync(join(work, "broken.json"), '{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.5",,\n}'), join(work, "broken.json")), "--vuln-db", database], /broken\.json: .*line 3, column/],
    ["an SBOM of which no component can be checked", () => ["--sbom", sbomFile("cargo-only.json", ["pkg:cargo/serde@1.0.0"]), "--vuln-db", database], /none of its 1 components could be checked/],
    ["a missing SBOM file", () => ["--sbom", join(work, "absent.json"), "--vuln-db", database], /absent\.json/],
    ["an empty database directory", () => ["--sbom", join(work, "clean.json"), "--vuln-db", scratchDir("empty-osv")], /osv-vulnerabilities|all\.zip/],
    ["no --sbom", () => ["--vuln-db", database], /--sbom is required/],
    ["--record without --stack", () => ["--sbom", join(work, "clean.json"), "--vuln-db", database, "--record"], /--record needs --stack and --app/],
  ];
  it("exits 2 when --image is given and the Docker engine does not answer, and removes nothing it never made", () => {
    const run = runDeps("check", ["--sbom", join(work, "clean.json"), "--image", "vendor/app:1.0", "--vuln-db", database], { DOCKER_HOST: `unix://${join(work, "no-engine.sock")}` });
    assert.equal(run.status, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /deps:check: vendor\/app:1\.0: the Docker engine did not answer \(connect ENOENT .*no-engine\.sock\): start dockerd, or set DOCKER_HOST to one that runs\n/);
    assert.doesNotMatch(run.stderr, /could not be removed/);
  });

  for (const [name, args, message] of unusable) {
    it(`exits 2 on ${name}`, () => {
      const run = runDeps("check", args());
      assert.equal(run.status, 2, run.stdout + run.stderr);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at .*\.ts:\d+/, "no stack trace");
    });
  }
});

describe("deps:recheck with admission records and exceptions", () => {
  const records = join(work, "records");
  const stackWith = (exceptions: object[] = []) => scratchStack({ ...minimalConfig(), admission: { recordsDir: records, vulnDb: database, exceptions } });

  it("records an admitted app, then reports a new advisory against a newer database, once", () => {
    const { stack, remove } = stackWith();
    try {
      const admitted = runDeps("check", ["--sbom", sbomFile("alpha.json", ["pkg:npm/lodash@4.17.21", "pkg:npm/minimist@1.2.5"]), "--stack", stack, "--app", "alpha", "--record"]);
      assert.equal(admitted.status, 0, admitted.stderr);
      assert.match(admitted.stderr, new RegExp(`admission record: .*${stack}/alpha\\.json`));
      const record = JSON.parse(readFileSync(join(records, stack, "alpha.json"), "utf8"));
      assert.equal(record.app, "alpha");
      assert.equal(record.components.length, 2);

      const unchanged = runDeps("recheck", ["--stack", stack]);
      assert.equal(unchanged.status, 0, unchanged.stderr);
      assert.match(unchanged.stdout, /## alpha: still passes/);

      const newer = writeOsvDatabase(scratchDir("osv-newer"), [
        { id: "GHSA-35jh-r3h4-6jhm", ecosystem: "npm", name: "lodash", fixed: "4.17.21", cvss: CRITICAL_CVSS },
        { id: "GHSA-xvch-5gv4-984h", ecosystem: "npm", name: "minimist", fixed: "1.2.6", aliases: ["CVE-2021-44906"], cvss: CRITICAL_CVSS },
      ]);
      const first = runDeps("recheck", ["--stack", stack, "--vuln-db", newer]);
      assert.equal(first.status, 1, first.stderr);
      assert.match(first.stdout, /## alpha: would be REJECTED today/);
      assert.match(first.stdout, /New since then \(1\):/);
      assert.match(first.stdout, /\| pkg:npm\/minimist@1\.2\.5 \| GHSA-xvch-5gv4-984h \| CVE-2021-44906 \| critical \| 1\.2\.6 \| \*\*rejects\*\*/);
      const second = runDeps("recheck", ["--stack", stack, "--vuln-db", newer, "--format", "json"]);
      assert.equal(second.status, 1);
      const report = JSON.parse(second.stdout);
      assert.equal(report.apps[0].comparedWith.kind, "previous re-check");
      assert.deepEqual(report.apps[0].newFindings, [], "a finding is new once");
      assert.equal(report.apps[0].status, "rejects", "but it still rejects");
    } finally {
      remove();
    }
  });

  it("names an exception's deadline before it expires, and rejects again after", () => {
    const soon = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const past = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const reason = "vendor ships 4.17.21 in its next release";
    for (const [expires, status, text] of [
      [soon, 0, new RegExp(`GHSA-35jh-r3h4-6jhm \\(excepted as CVE-2021-23337\\) in pkg:npm/lodash@4\\.17\\.20: the exception expires ${soon} \\([23] day\\(s\\) left\\)`)],
      [past, 1, new RegExp(`the exception EXPIRED on ${past}`)],
    ] as const) {
      const { stack, remove } = stackWith([{ id: "CVE-2021-23337", reason, expires }]);
      try {
        const check = runDeps("check", ["--sbom", sbomFile("beta.json", ["pkg:npm/lodash@4.17.20"]), "--stack", stack, "--app", "alpha"]);
        assert.equal(check.status, status, check.stdout);
        // the record is written directly: an app admitted under an exception that has since run out
        const admit = runDeps("check", ["--sbom", join(work, "clean.json"), "--stack", stack, "--app", "alpha", "--record"]);
        assert.equal(admit.status, 0);
        const record = JSON.parse(readFileSync(join(records, stack, "alpha.json"), "utf8"));
        record.components = JSON.parse(runDeps("check", ["--sbom", join(work, "beta.json"), "--stack", stack, "--format", "json"]).stdout).components;
        writeFileSync(join(records, stack, "alpha.json"), JSON.stringify(record));
        const recheck = runDeps("recheck", ["--stack", stack, "--no-remember"]);
        assert.equal(recheck.status, status, recheck.stdout + recheck.stderr);
        assert.match(recheck.stdout, text);
      } finally {
        remove();
      }
    }
  });

  it("names the apps of the stack that were never admitted (exit 1)", () => {
    const { stack, remove } = stackWith();
    try {
      const run = runDeps("recheck", ["--stack", stack]);
      assert.equal(run.status, 1);
      assert.match(run.stdout, /## In the stack but never admitted \(1\)\n\n- alpha: no admission record/);
    } finally {
      remove();
    }
  });
});
