// The hand-written orderings against the real tools they follow: Debian's against `dpkg --compare-versions`,
// Maven's against maven-artifact's ComparableVersion (its main prints how consecutive arguments compare).
// Versions are random (fast-check, fixed seeds), drawn from small alphabets so that near-equal and equal
// versions come up often, and each tool runs in a few batched processes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DPKG_SCHEME, MAVEN_SCHEME } from "../deps/versions";

type Verdict = "<" | "==" | ">";

function verdictOf(order: number): Verdict {
  return order < 0 ? "<" : order > 0 ? ">" : "==";
}

/** Pairs of versions: half unrelated, half one version and a small edit of it (to reach equal and near-equal). */
function pairs(version: fc.Arbitrary<string>, edit: fc.Arbitrary<(v: string) => string>): fc.Arbitrary<[string, string]> {
  return fc.oneof(
    fc.tuple(version, version),
    fc.tuple(version, edit).map(([v, change]): [string, string] => [v, change(v)]),
  );
}

function mismatches(pairsChecked: [string, string][], real: Verdict[], ours: (a: string, b: string) => number): string[] {
  const wrong: string[] = [];
  pairsChecked.forEach(([a, b], i) => {
    const mine = verdictOf(ours(a, b));
    if (mine !== real[i]) wrong.push(`${a} ${real[i]} ${b} for the real tool, ${mine} here`);
  });
  return wrong;
}

// ---- dpkg ----

function dpkgAbsent(): string | false {
  const probe = spawnSync("dpkg", ["--version"], { encoding: "utf8", timeout: 10_000 });
  return probe.status === 0 ? false : "dpkg is not installed here (it is on Debian hosts and CI), so the dpkg ordering is not compared with it";
}

const dpkgPiece = fc.constantFrom("0", "00", "1", "2", "9", "10", "010", "123", "a", "b", "z", "A", "Z", "rc", "dfsg", "deb", "u", ".", "+", "~", "~~");
const dpkgRevisionPiece = fc.constantFrom("0", "1", "2", "10", "a", "b", "deb12u", "+", ".", "~", "build");
const dpkgVersion: fc.Arbitrary<string> = fc
  .record({
    epoch: fc.option(fc.constantFrom("0", "1", "2", "10", "00"), { nil: undefined }),
    start: fc.constantFrom("0", "1", "2", "10", "1", "2", "a"), // dpkg only warns about a letter first
    upstream: fc.array(dpkgPiece, { maxLength: 6 }),
    hyphenated: fc.option(fc.array(fc.constantFrom("1", "a", "0"), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    revision: fc.option(fc.array(dpkgRevisionPiece, { minLength: 1, maxLength: 5 }), { nil: undefined }),
  })
  .map(({ epoch, start, upstream, hyphenated, revision }) => {
    // a '-' inside the upstream needs a revision after it; a revision must not be empty
    const up = start + upstream.join("") + (hyphenated && revision ? `-${hyphenated.join("")}` : "");
    return `${epoch !== undefined ? `${epoch}:` : ""}${up}${revision ? `-${revision.join("")}` : ""}`;
  });
const dpkgEdit = fc.constantFrom<(v: string) => string>(
  (v) => `${v}~`,
  (v) => `${v}0`,
  (v) => `${v}.0`,
  (v) => `${v}+`,
  (v) => (v.includes(":") ? v : `0:${v}`),
  (v) => (v.includes("-") ? v : `${v}-0`),
  (v) => v.replace(/[0-9]+/, (digits) => `0${digits}`),
  (v) => v.replace(/[a-z]/, (letter) => letter.toUpperCase()),
);

/** Every pair through dpkg in one shell: lt, eq and gt each, as dpkg's exit codes. */
function dpkgVerdicts(checked: [string, string][]): Verdict[] {
  const script = [
    'while [ "$#" -gt 1 ]; do',
    '  line=""',
    '  for op in lt eq gt; do dpkg --compare-versions "$1" "$op" "$2" 2>/dev/null; line="$line $?"; done',
    '  echo "$line"; shift 2',
    "done",
  ].join("\n");
  const run = spawnSync("sh", ["-c", script, "sh", ...checked.flat()], { encoding: "utf8", timeout: 60_000 });
  assert.equal(run.status, 0, `dpkg batch failed: ${run.stderr}`);
  const lines = run.stdout.trim().split("\n");
  assert.equal(lines.length, checked.length, "one line per pair");
  return lines.map((line, i) => {
    const [lt, eq, gt] = line.trim().split(" ");
    const context = `${checked[i][0]} vs ${checked[i][1]}: exit codes lt=${lt} eq=${eq} gt=${gt}`;
    assert.ok([lt, eq, gt].every((code) => code === "0" || code === "1"), `dpkg refused a version: ${context}`);
    assert.equal([lt, eq, gt].filter((code) => code === "0").length, 1, `dpkg answered more or less than one of lt, eq, gt: ${context}`);
    return lt === "0" ? "<" : eq === "0" ? "==" : ">";
  });
}

describe("Debian ordering agrees with dpkg --compare-versions", { skip: dpkgAbsent() }, () => {
  it("on 400 random pairs (epochs, ~, +, ., revisions, letters, digit runs)", { timeout: 60_000 }, () => {
    const checked = fc.sample(pairs(dpkgVersion, dpkgEdit), { numRuns: 400, seed: 1214 });
    for (const [a, b] of checked) {
      assert.equal(DPKG_SCHEME.problem(a), undefined, a);
      assert.equal(DPKG_SCHEME.problem(b), undefined, b);
    }
    const real = dpkgVerdicts(checked);
    assert.ok(real.includes("==") && real.includes("<") && real.includes(">"), "the sample reaches all three verdicts");
    assert.deepEqual(mismatches(checked, real, DPKG_SCHEME.compare), []);
  });

  it("on the known traps", { timeout: 30_000 }, () => {
    const traps: [string, string][] = [
      ["1:1.0", "2.0"],
      ["1.0~rc1", "1.0"],
      ["1.0+deb12u1", "1.0"],
      ["2.36-9+deb12u4", "2.36-9+deb12u10"],
      ["1.0~~", "1.0~"],
      ["1.0", "1.0-0"],
      ["1.0a", "1.0+"],
      ["1.0.", "1.0"],
      ["0:1.0", "1.0"],
      ["1.001", "1.1"],
      ["1:2:3", "1:2.3"],
      ["1.0-1-2", "1.0-1.2"],
    ];
    assert.deepEqual(mismatches(traps, dpkgVerdicts(traps), DPKG_SCHEME.compare), []);
  });
});

// ---- Maven ----

/** The real ComparableVersion: Debian's maven-artifact 3.x jar, or a 3.8 one in the local Maven repository. */
function mavenArtifactJar(): string | undefined {
  const fixed = ["/usr/share/maven/lib/maven-artifact-3.x.jar", "/usr/share/java/maven3-artifact.jar"];
  const local = join(homedir(), ".m2/repository/org/apache/maven/maven-artifact");
  const fromRepository = existsSync(local)
    ? readdirSync(local)
        .filter((version) => version.startsWith("3.8."))
        .map((version) => join(local, version, `maven-artifact-${version}.jar`))
    : [];
  return [...fixed, ...fromRepository].find((path) => existsSync(path));
}

function mavenAbsent(): string | false {
  if (spawnSync("java", ["-version"], { timeout: 20_000 }).status !== 0) return "java is not installed here (scripts/setup-host.sh installs maven, which brings it)";
  if (!mavenArtifactJar()) return "no maven-artifact 3.8 jar found (/usr/share/maven/lib/maven-artifact-3.x.jar comes with Debian's maven package)";
  return false;
}

/** How each consecutive pair of `versions` compares, as ComparableVersion's main prints it. */
function mavenVerdicts(versions: string[]): Verdict[] {
  const run = spawnSync("java", ["-cp", mavenArtifactJar()!, "org.apache.maven.artifact.versioning.ComparableVersion", ...versions], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(run.status, 0, `ComparableVersion failed: ${run.stderr}`);
  // "   <previous> <op> <next>" lines, one per consecutive pair, in order (the numbered lines show each parse)
  const lines = run.stdout.split("\n").filter((line) => line.startsWith("   "));
  assert.equal(lines.length, versions.length - 1, "one comparison line per consecutive pair");
  return lines.map((line, i) => {
    const prefix = `   ${versions[i]} `;
    assert.ok(line.startsWith(prefix), `unexpected line for ${versions[i]}: ${line}`);
    const op = line.slice(prefix.length).split(" ")[0];
    assert.ok(op === "<" || op === "==" || op === ">", `unexpected comparison in: ${line}`);
    return op;
  });
}

const mavenNumber = fc.constantFrom("0", "00", "1", "2", "3", "10", "0000000000", "12345678901", "1234567890123456789012");
const mavenWord = fc.constantFrom(
  ...["alpha", "a", "beta", "b", "milestone", "m", "rc", "cr", "RC", "snapshot", "SNAPSHOT", "ga", "final", "release", "sp", "SP", "foo", "x", "z", "aa"],
);
const mavenVersion: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof({ weight: 5, arbitrary: mavenNumber }, { weight: 1, arbitrary: mavenWord }),
    fc.array(fc.tuple(fc.constantFrom(".", "-", "", ".", "-"), fc.oneof(mavenNumber, mavenWord)), { maxLength: 5 }),
  )
  .map(([first, rest]) => first + rest.map(([separator, piece]) => separator + piece).join(""));
const mavenEdit = fc.constantFrom<(v: string) => string>(
  (v) => `${v}.0`,
  (v) => `${v}-0`,
  (v) => `${v}-ga`,
  (v) => `${v}.final`,
  (v) => `${v}-SNAPSHOT`,
  (v) => `${v}1`,
  (v) => `${v}-1`,
  (v) => v.toUpperCase(),
  (v) => v.replace(/-/, "."),
  (v) => v.replace(/\./, "-"),
  (v) => v.replace(/[0-9]+/, (digits) => `0${digits}`),
);

describe("Maven ordering agrees with maven-artifact's ComparableVersion", { skip: mavenAbsent() }, () => {
  it("on 2,000 consecutive random pairs (two JVM runs)", { timeout: 60_000 }, () => {
    for (const seed of [3, 87]) {
      // a, edit(a), b, edit(b), ...: consecutive comparisons cover both edited and unrelated pairs
      const versions = fc.sample(pairs(mavenVersion, mavenEdit), { numRuns: 500, seed }).flat();
      for (const v of versions) assert.equal(MAVEN_SCHEME.problem(v), undefined, v);
      const real = mavenVerdicts(versions);
      assert.ok(real.includes("==") && real.includes("<") && real.includes(">"), "the sample reaches all three verdicts");
      const consecutive = versions.slice(1).map((next, i): [string, string] => [versions[i], next]);
      assert.deepEqual(mismatches(consecutive, real, MAVEN_SCHEME.compare), [], `seed ${seed}`);
    }
  });

  it("on the known traps", { timeout: 30_000 }, () => {
    const traps = ["1.0-alpha-1", "1.0-SNAPSHOT", "1.0", "1.0-sp1", "1", "1-RC1", "1-cr1", "1.0.0", "1.0000000000.1", "1.5", "1.alpha.1", "1-0", "1a1", "1.0-a", "1.x2y", "1.0.RELEASE", "1-final", "1-foo", "1-1", "1.1", "2-m1", "2-milestone-1", "2-b1", "2-beta1", "2.0-2", "2-0.2", "1.0.0.1"];
    const consecutive = traps.slice(1).map((next, i): [string, string] => [traps[i], next]);
    assert.deepEqual(mismatches(consecutive, mavenVerdicts(traps), MAVEN_SCHEME.compare), []);
  });
});
