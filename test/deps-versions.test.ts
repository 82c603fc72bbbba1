// Version ordering per OSV ecosystem (deps/versions/): golden orderings with each ecosystem's known traps,
// the problems reported for strings that are not versions, the ecosystem → scheme mapping, the parse
// cache's bound, and order properties (reflexive, antisymmetric, transitive) on random versions for every
// scheme. PEP 440 is also checked against @renovatebot/pep440's own compare; dpkg and Maven against the
// real tools in test/deps-versions-real-tools.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compare as pep440Compare } from "@renovatebot/pep440";
import fc from "fast-check";
import {
  APK_SCHEME,
  cachedScheme,
  DPKG_SCHEME,
  ecosystemsWithVersionOrder,
  GO_SCHEME,
  MAVEN_SCHEME,
  NPM_SCHEME,
  PARSED_VERSIONS_KEPT,
  PYPI_SCHEME,
  SEMVER_SCHEME,
  VERSION_LENGTH_MAX,
  VersionError,
  versionSchemeFor,
  type VersionScheme,
} from "../deps/versions";

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Each version orders strictly before the next, seen from both sides. */
function assertIncreasing(scheme: VersionScheme, versions: string[]): void {
  for (let i = 0; i + 1 < versions.length; i++) {
    const [a, b] = [versions[i], versions[i + 1]];
    assert.equal(sign(scheme.compare(a, b)), -1, `${scheme.name}: expected ${a} < ${b}`);
    assert.equal(sign(scheme.compare(b, a)), 1, `${scheme.name}: expected ${b} > ${a}`);
  }
  // and every earlier one before every later one, not only neighbours
  for (let i = 0; i < versions.length; i++) {
    for (let j = i + 1; j < versions.length; j++) assert.equal(sign(scheme.compare(versions[i], versions[j])), -1, `${scheme.name}: expected ${versions[i]} < ${versions[j]}`);
  }
}

function assertEqualVersions(scheme: VersionScheme, versions: string[]): void {
  for (const a of versions) for (const b of versions) assert.equal(scheme.compare(a, b), 0, `${scheme.name}: expected ${a} == ${b}`);
}

function assertProblems(scheme: VersionScheme, garbage: [string, RegExp][]): void {
  for (const [version, reason] of garbage) {
    const problem = scheme.problem(version);
    assert.ok(problem, `${scheme.name}: ${JSON.stringify(version)} should be a problem`);
    assert.match(problem, reason, `${scheme.name}: ${JSON.stringify(version)}`);
    assert.throws(
      () => scheme.compare(version, version),
      (error: unknown) => error instanceof VersionError && error.version === version && error.scheme === scheme.name && error.message.includes(JSON.stringify(version)) && error.message.includes(problem),
    );
  }
}

function assertVersions(scheme: VersionScheme, versions: string[]): void {
  for (const version of versions) assert.equal(scheme.problem(version), undefined, `${scheme.name}: ${JSON.stringify(version)}`);
}

describe("Debian (dpkg) ordering", () => {
  it("orders epochs first, ~ before everything, the end before letters, letters before other characters", () => {
    assertIncreasing(DPKG_SCHEME, ["0.9", "1.0~~", "1.0~~a", "1.0~", "1.0~rc1", "1.0", "1.0-1", "1.0-1+deb12u1", "1.0-2", "1.0a", "1.0+deb12u1", "1.0.1", "1.1", "1.10", "1:0.1"]);
    assertIncreasing(DPKG_SCHEME, ["2.0", "1:1.0"]); // an epoch outweighs everything after it
    assertIncreasing(DPKG_SCHEME, ["2.36-9+deb12u4", "2.36-9+deb12u10"]); // digit runs as numbers
    assertIncreasing(DPKG_SCHEME, ["1.0", "1.0.0"]);
    assertIncreasing(DPKG_SCHEME, ["1.2.3-1~bpo12+1", "1.2.3-1"]);
  });

  it("treats a missing epoch as 0, a missing revision as 0, and leading zeros as nothing", () => {
    assertEqualVersions(DPKG_SCHEME, ["1.0", "0:1.0", "1.0-0", "00:1.0-00", "1.00"]);
    assertEqualVersions(DPKG_SCHEME, ["1.2-3", "1.02-03"]);
  });

  it("reads the upstream up to the last hyphen and the epoch up to the first colon", () => {
    assertVersions(DPKG_SCHEME, ["1:2:3", "1.0-1-2", "a1.0", "2147483647:1"]);
    assertIncreasing(DPKG_SCHEME, ["1.0-1-1", "1.0-1-2", "1.0-2-1"]);
  });

  it("refuses what dpkg refuses or warns about as invalid characters", () => {
    assertProblems(DPKG_SCHEME, [
      ["", /empty.*\[epoch:\]upstream\[-revision\]/],
      [" 1.0", /whitespace/],
      ["1.0 ", /whitespace/],
      ["1 .0", /whitespace/],
      ["a:1.0", /epoch before ':' must be a number, not "a"/],
      [":1.0", /epoch before ':' must be a number, not ""/],
      ["-1:1.0", /epoch before ':' must be a number/],
      ["2147483648:1.0", /larger than dpkg allows \(2147483647\)/],
      ["1:", /nothing follows the epoch/],
      ["1.0-", /revision after the last '-' is empty/],
      ["-1", /upstream version .* is empty/],
      ["1.0_1", /upstream version "1.0_1" may only hold/],
      ["1.0-a_b", /revision "a_b" may only hold/],
      ["1:1.0-a:b", /revision "a:b" may only hold/],
      ["1.0é", /may only hold letters, digits/],
    ]);
  });
});

describe("PyPI (PEP 440) ordering", () => {
  it("orders dev < pre-releases < release < local < post-releases, epochs first", () => {
    assertIncreasing(PYPI_SCHEME, ["1.0.dev1", "1.0a1.dev1", "1.0a1", "1.0a1.post1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0+local", "1.0.post1.dev1", "1.0.post1", "1.0.post2", "1.0.1", "1.1.dev1", "1.1", "2.0", "1!0.1"]);
    assertIncreasing(PYPI_SCHEME, ["1.0.dev1", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.post1"]);
    assertIncreasing(PYPI_SCHEME, ["2.0", "1!0.1"]);
    assertIncreasing(PYPI_SCHEME, ["1.9", "1.10", "1.11"]);
  });

  it("reads PEP 440's spelling variants as their normal form", () => {
    assertEqualVersions(PYPI_SCHEME, ["1.0", "1.0.0", "1", "v1.0", "V1.0.0", "1.0.0.0", " 1.0 ", "0!1.0", "01.00"]);
    assertEqualVersions(PYPI_SCHEME, ["1.0a1", "1.0alpha1", "1.0-a1", "1.0.A.1", "1.0a01", "1.0_ALPHA_1"]);
    assertEqualVersions(PYPI_SCHEME, ["1.0rc1", "1.0c1", "1.0pre1", "1.0preview1", "1.0RC1"]);
    assertEqualVersions(PYPI_SCHEME, ["1.0.post1", "1.0-1", "1.0post1", "1.0.r1", "1.0-rev1", "1.0_post_1"]);
    assertEqualVersions(PYPI_SCHEME, ["1.0.dev0", "1.0dev", "1.0-dev0", "1.0.DEV"]);
    assertEqualVersions(PYPI_SCHEME, ["1.0b", "1.0b0", "1.0beta"]);
    assertEqualVersions(PYPI_SCHEME, ["1.0+Ubuntu.1", "1.0+ubuntu-1", "1.0+ubuntu_1"]);
  });

  it("orders local labels by segment: text before numbers, text alphabetically, numbers numerically, shorter first", () => {
    // "1e5" is text (PEP 440: a segment is a number only if all digits), so it sorts before "abc" and before 1
    assertIncreasing(PYPI_SCHEME, ["1.0", "1.0+1e5", "1.0+abc", "1.0+abc.1", "1.0+abc.2", "1.0+abd", "1.0+1", "1.0+1.abc", "1.0+2", "1.0+10"]);
  });

  it("compares numbers of any length exactly", () => {
    assertIncreasing(PYPI_SCHEME, ["1.9007199254740992", "1.9007199254740993", "1.90071992547409930"]);
    assertIncreasing(PYPI_SCHEME, ["20240101000000000000", "20240101000000000001"]);
  });

  it("refuses what PEP 440 does not allow", () => {
    assertProblems(PYPI_SCHEME, [
      ["", /empty/],
      ["   ", /empty/],
      ["foo", /does not follow PEP 440/],
      ["1.0-beta.gamma", /does not follow PEP 440/],
      ["1.0+", /does not follow PEP 440/],
      ["1.0+local+more", /does not follow PEP 440/],
      ["1..0", /does not follow PEP 440/],
      ["1.0 final", /does not follow PEP 440/],
      ["=1.0", /does not follow PEP 440/],
    ]);
  });
});

describe("npm (semver) ordering", () => {
  it("orders as semantic versioning 2.0: pre-releases before their release, identifiers numerically then alphabetically", () => {
    assertIncreasing(NPM_SCHEME, ["0.9.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "1.10.0", "2.0.0"]);
  });

  it("ignores build metadata", () => {
    assertEqualVersions(NPM_SCHEME, ["1.0.0", "1.0.0+build.1", "1.0.0+20240101"]);
    assertEqualVersions(NPM_SCHEME, ["1.0.0-rc.1", "1.0.0-rc.1+exp.sha.5114f85"]);
  });

  it("refuses loose forms npm never publishes", () => {
    assertProblems(NPM_SCHEME, [
      ["", /empty/],
      ["1.0", /not a full semantic version.*MAJOR\.MINOR\.PATCH/],
      ["1", /not a full semantic version/],
      ["01.0.0", /not a full semantic version/],
      ["1.0.0-01", /not a full semantic version/],
      ["=1.0.0", /not a full semantic version/],
      ["^1.0.0", /not a full semantic version/],
      ["1.0.0.0", /not a full semantic version/],
      ["latest", /not a full semantic version/],
      [" 1.0.0", /whitespace/],
      ["99999999999999999.0.0", /Invalid major version/],
    ]);
  });
});

describe("Maven ordering", () => {
  it("orders qualifiers alpha < beta < milestone < rc < snapshot < release < sp < others, and numbers after lists", () => {
    assertIncreasing(MAVEN_SCHEME, ["1.0-alpha-1", "1.0-SNAPSHOT", "1.0", "1.0-sp1"]);
    assertIncreasing(MAVEN_SCHEME, ["1-alpha-1", "1-alpha-2", "1-beta-1", "1-milestone-1", "1-rc-1", "1-SNAPSHOT", "1", "1-sp-1", "1-abc", "1-xyz", "1-1", "1.1", "1.1.1", "1.2", "1.10", "2"]);
    assertIncreasing(MAVEN_SCHEME, ["1-alpha-1", "1-alpha-1-1", "1-alpha-2"]);
  });

  it("drops trailing zeros and release qualifiers, and reads a1, b1, m1 as alpha-1, beta-1, milestone-1", () => {
    assertEqualVersions(MAVEN_SCHEME, ["1", "1.0", "1.0.0", "1-ga", "1-final", "1.0-release", "1-0", "1.0.0-0.0.0", "1.0.RELEASE", "1-GA"]);
    assertEqualVersions(MAVEN_SCHEME, ["1-RC1", "1-cr1", "1-rc-1", "1.0-RC1", "1.0.0-CR-1"]);
    assertEqualVersions(MAVEN_SCHEME, ["1a1", "1-alpha-1", "1alpha1", "1-A1"]);
    assertEqualVersions(MAVEN_SCHEME, ["1m1", "1-milestone-1"]);
    assertEqualVersions(MAVEN_SCHEME, ["1.x2y", "1-x-2-y"]);
    assertEqualVersions(MAVEN_SCHEME, ["1.01", "1.1", "1.001"]);
  });

  it("orders a single a, b or m not followed by a digit as an unknown word", () => {
    assertIncreasing(MAVEN_SCHEME, ["1-alpha", "1", "1-a", "1-b"]);
  });

  it("refuses only empty strings, whitespace, control characters and non-ASCII digits", () => {
    assertVersions(MAVEN_SCHEME, ["anything-goes", "1.0.0.Final", "_", "1..0", "-1", "ünïcode"]);
    assertProblems(MAVEN_SCHEME, [
      ["", /empty/],
      [" 1", /whitespace or control characters/],
      ["1\t", /whitespace or control characters/],
      ["1\u0000", /whitespace or control characters/],
      ["١٢", /digits other than 0-9/],
    ]);
  });
});

describe("Go ordering", () => {
  it("orders pseudo-versions as pre-releases, by timestamp", () => {
    assertIncreasing(GO_SCHEME, [
      "v0.0.0-20191109021931-daa7c04131f5",
      "v0.0.0-20200101000000-000000000000",
      "v0.0.1",
      "v1.2.3",
      "v1.2.4-0.20191109021931-daa7c04131f5",
      "v1.2.4-pre",
      "v1.2.4-pre.0.20191109021931-daa7c04131f5",
      "v1.2.4-pre.1",
      "v1.2.4",
      "v2.0.0+incompatible",
      "v2.0.1",
    ]);
  });

  it("reads versions with and without the leading v as equal, and ignores +incompatible", () => {
    assertEqualVersions(GO_SCHEME, ["v1.2.3", "1.2.3", "v1.2.3+incompatible", "1.2.3+incompatible"]);
    assertEqualVersions(GO_SCHEME, ["v0.0.0-20191109021931-daa7c04131f5", "0.0.0-20191109021931-daa7c04131f5"]);
  });

  it("refuses what is not a full module version", () => {
    assertProblems(GO_SCHEME, [
      ["", /empty/],
      ["v1", /not a full semantic version/],
      ["v1.2", /not a full semantic version/],
      ["vv1.2.3", /not a full semantic version/],
      ["go1.21.0", /not a full semantic version/],
      ["v1.2.3.4", /not a full semantic version/],
    ]);
  });
});

describe("Alpine (apk) ordering", () => {
  it("orders suffixes _alpha < _beta < _pre < _rc < release < _cvs < _svn < _git < _hg < _p, and revisions numerically", () => {
    assertIncreasing(APK_SCHEME, ["1.0_alpha1", "1.0_beta", "1.0_pre2", "1.0_rc1", "1.0_rc2", "1.0", "1.0-r0", "1.0-r1", "1.0-r9", "1.0-r10", "1.0~abc", "1.0_cvs", "1.0_svn", "1.0_git", "1.0_hg", "1.0_p1", "1.0_p2", "1.0a", "1.0b", "1.0.0", "1.01", "1.1", "1.10", "2"]);
    assertIncreasing(APK_SCHEME, ["1.0_rc1", "1.0", "1.0_p1"]);
    assertIncreasing(APK_SCHEME, ["1.0-r9", "1.0-r10"]);
    assertIncreasing(APK_SCHEME, ["1.0_rc", "1.0_rc0", "1.0_rc1"]);
    assertIncreasing(APK_SCHEME, ["1.2.3_alpha1_p1", "1.2.3_alpha1_p2", "1.2.3_alpha2", "1.2.3_beta1_alpha1"]);
    assertIncreasing(APK_SCHEME, ["1.0~abc", "1.0~abd", "1.0~abd-r1"]);
  });

  it("compares a dotted number with a leading zero as text, other numbers as numbers", () => {
    assertIncreasing(APK_SCHEME, ["1.0", "1.001", "1.01", "1.010", "1.1"]);
    assertEqualVersions(APK_SCHEME, ["01.2", "1.2", "001.2"]);
    assertEqualVersions(APK_SCHEME, ["1.0-r01", "1.0-r1"]);
    assertEqualVersions(APK_SCHEME, ["1.0_p01", "1.0_p1"]);
  });

  it("refuses what apk-tools does not accept as a version", () => {
    assertProblems(APK_SCHEME, [
      ["", /empty/],
      ["v1.0", /must start with a digit/],
      ["1.0-1", /'-' must start the revision '-rN' at position 4/],
      ["1.0-r", /'-r' must be followed by the revision number/],
      ["1.0_foo", /unknown suffix "_foo"/],
      ["1.0_pa", /unknown suffix "_pa"/],
      ["1.0_constructor", /unknown suffix "_constructor"/],
      ["1.0A", /unexpected character "A"/],
      ["1a1", /a number may only follow '\.' or a suffix/],
      ["1.0a.1", /a '\.' may only follow a number/],
      ["1..0", /'\.' must be followed by a number/],
      ["1.0~", /'~' must be followed by a lower-case hexadecimal commit hash/],
      ["1.0~xyz", /'~' must be followed by a lower-case hexadecimal/],
      ["1.0-r1_p1", /a suffix may not follow a commit hash or revision/],
      ["1.0-r1-r2", /only one revision/],
      ["1.0 ", /unexpected character " "/],
    ]);
  });
});

describe("SEMVER ranges' ordering", () => {
  it("orders as semantic versioning 2.0 and tolerates a leading v", () => {
    assertIncreasing(SEMVER_SCHEME, ["0.0.1", "1.0.0-rc.1", "v1.0.0", "1.0.1", "v2.0.0"]);
    assertEqualVersions(SEMVER_SCHEME, ["1.2.3", "v1.2.3", "1.2.3+build"]);
    assertProblems(SEMVER_SCHEME, [
      ["1.2", /not a full semantic version/],
      ["", /empty/],
    ]);
  });
});

describe("schemes by OSV ecosystem", () => {
  it("maps each ecosystem, with or without a release suffix", () => {
    const cases: [string, VersionScheme][] = [
      ["npm", NPM_SCHEME],
      ["PyPI", PYPI_SCHEME],
      ["Maven", MAVEN_SCHEME],
      ["Go", GO_SCHEME],
      ["Debian", DPKG_SCHEME],
      ["Debian:12", DPKG_SCHEME],
      ["Debian:11", DPKG_SCHEME],
      ["Alpine", APK_SCHEME],
      ["Alpine:v3.19", APK_SCHEME],
    ];
    for (const [ecosystem, scheme] of cases) assert.equal(versionSchemeFor(ecosystem), scheme, ecosystem);
  });

  it("knows no ordering for other ecosystems or misspelt ones", () => {
    for (const ecosystem of ["crates.io", "RubyGems", "pypi", "NPM", "debian:12", "", ":12"]) assert.equal(versionSchemeFor(ecosystem), undefined, ecosystem);
  });

  it("lists the ecosystems it orders", () => {
    assert.deepEqual(ecosystemsWithVersionOrder().sort(), ["Alpine", "Debian", "Go", "Maven", "PyPI", "npm"].sort());
    for (const ecosystem of ecosystemsWithVersionOrder()) assert.ok(versionSchemeFor(ecosystem), ecosystem);
  });

  it("names each scheme's rules for messages", () => {
    assert.deepEqual(
      [NPM_SCHEME, PYPI_SCHEME, DPKG_SCHEME, MAVEN_SCHEME, GO_SCHEME, APK_SCHEME, SEMVER_SCHEME].map((scheme) => scheme.name),
      ["npm (semver)", "PEP 440", "dpkg", "Maven", "Go (semver)", "apk", "SemVer 2.0"],
    );
  });
});

describe("bounds on the input", () => {
  it("refuses versions longer than the bound in every scheme, and accepts one at the bound", () => {
    const padded = (prefix: string) => prefix + "1".repeat(VERSION_LENGTH_MAX - prefix.length);
    const atBound: [VersionScheme, string][] = [
      [DPKG_SCHEME, padded("1.0-")],
      [PYPI_SCHEME, padded("1.0.post")],
      [MAVEN_SCHEME, padded("1.0-")],
      [NPM_SCHEME, padded("1.0.0-")],
      [GO_SCHEME, padded("v1.0.0-")],
      [APK_SCHEME, padded("1.0-r")],
      [SEMVER_SCHEME, padded("1.0.0-")],
    ];
    for (const [scheme, longest] of atBound) {
      assert.equal(longest.length, VERSION_LENGTH_MAX);
      assert.equal(scheme.problem(longest), undefined, `${scheme.name}: ${longest}`);
      assert.match(scheme.problem(`${longest}1`) ?? "", /257 characters long; versions of more than 256 are not compared/, scheme.name);
    }
    // Maven nests a list per '-': the bound keeps the nesting (and the comparison's recursion) shallow
    assert.equal(sign(MAVEN_SCHEME.compare("1-".repeat(128), `${"1-".repeat(127)}2`)), -1);
  });
});

describe("parsing each distinct version once", () => {
  it("parses a version once however often it is compared, and forgets all once past the bound", () => {
    const parsed: string[] = [];
    const scheme = cachedScheme({
      name: "counting",
      parse: (version: string) => (parsed.push(version), version === "bad" ? "it is bad" : { value: Number(version) }),
      compare: (a: { value: number }, b: { value: number }) => a.value - b.value,
    });
    for (let i = 0; i < 100; i++) assert.equal(sign(scheme.compare("1", "2")), -1);
    assert.equal(scheme.problem("bad"), "it is bad");
    assert.equal(scheme.problem("bad"), "it is bad");
    assert.deepEqual(parsed, ["1", "2", "bad"]);
    for (let i = 0; i < PARSED_VERSIONS_KEPT; i++) scheme.problem(`${i + 10}`);
    const before = parsed.length;
    scheme.compare("1", "2");
    assert.equal(parsed.length, before + 2, "the memory was cleared when it reached its bound");
  });

  it("compares parsed versions fast enough for the matcher (well over 50,000 checks a second)", () => {
    const samples: [VersionScheme, string[]][] = [
      [DPKG_SCHEME, fc.sample(dpkgVersion, { numRuns: 1000, seed: 5 })],
      [PYPI_SCHEME, fc.sample(pep440Version, { numRuns: 1000, seed: 5 })],
      [MAVEN_SCHEME, fc.sample(mavenVersion, { numRuns: 1000, seed: 5 })],
      [NPM_SCHEME, fc.sample(semverVersion, { numRuns: 1000, seed: 5 })],
      [APK_SCHEME, fc.sample(apkVersion, { numRuns: 1000, seed: 5 })],
    ];
    for (const [scheme, versions] of samples) {
      const comparisons = 200_000;
      const started = performance.now();
      for (let i = 0; i < comparisons; i++) scheme.compare(versions[i % versions.length], versions[(i * 7919) % versions.length]);
      const perSecond = comparisons / ((performance.now() - started) / 1000);
      // ten comparisons per component check at 50,000 checks a second, with room to spare
      assert.ok(perSecond > 500_000, `${scheme.name}: ${Math.round(perSecond)} comparisons a second`);
    }
  });
});

// ---- order properties on random versions ----

/** Random versions of a scheme: some unrelated, some small edits of one version (equal and near-equal ones). */
function triples(version: fc.Arbitrary<string>, edit: fc.Arbitrary<(v: string) => string>): fc.Arbitrary<string[]> {
  return fc.oneof(
    fc.tuple(version, version, version),
    fc.tuple(version, edit, edit).map(([v, first, second]) => [v, first(v), second(first(v))]),
    fc.tuple(version, version, edit).map(([v, w, change]) => [v, w, change(w)]),
  );
}

function assertReflexiveAntisymmetric(scheme: VersionScheme, versions: string[]): void {
  for (const v of versions) assert.equal(scheme.compare(v, v), 0, `${v} == itself`);
  for (const a of versions) for (const b of versions) assert.equal(sign(scheme.compare(a, b)) + sign(scheme.compare(b, a)), 0, `antisymmetry of ${a}, ${b}`);
}

/** Reflexive, antisymmetric and transitive on the triple, in every order. */
function assertOrderProperties(scheme: VersionScheme, versions: string[]): void {
  assertReflexiveAntisymmetric(scheme, versions);
  for (const a of versions) {
    for (const b of versions) {
      for (const c of versions) {
        const ab = sign(scheme.compare(a, b));
        const bc = sign(scheme.compare(b, c));
        if (ab <= 0 && bc <= 0) assert.equal(sign(scheme.compare(a, c)), Math.min(ab, bc), `transitivity: ${a} ${ab} ${b} ${bc} ${c}`);
      }
    }
  }
}

const dpkgVersion: fc.Arbitrary<string> = fc
  .record({
    epoch: fc.option(fc.constantFrom("0", "1", "2", "10"), { nil: undefined }),
    start: fc.constantFrom("0", "1", "2", "10", "a"),
    upstream: fc.array(fc.constantFrom("0", "00", "1", "2", "10", "a", "b", "Z", "rc", "+", ".", "~", "~~", ":"), { maxLength: 6 }),
    revision: fc.option(fc.array(fc.constantFrom("0", "1", "10", "a", "deb12u", "+", ".", "~"), { minLength: 1, maxLength: 4 }), { nil: undefined }),
  })
  .map(({ epoch, start, upstream, revision }) => {
    // a ':' in the upstream is only read as such after an epoch
    const up = start + (epoch === undefined ? upstream.filter((piece) => piece !== ":") : upstream).join("");
    return `${epoch !== undefined ? `${epoch}:` : ""}${up}${revision ? `-${revision.join("")}` : ""}`;
  });
const dpkgEdit = fc.constantFrom<(v: string) => string>(
  (v) => `${v}~`,
  (v) => `${v}0`,
  (v) => `${v}.0`,
  (v) => (/^[0-9]+:/.test(v) ? v : `0:${v}`),
  (v) => (v.includes("-") ? v : `${v}-0`),
  (v) => v.replace(/[0-9]+/, (digits) => `0${digits}`),
);

const pep440Version: fc.Arbitrary<string> = fc
  .record({
    v: fc.constantFrom("", "", "v"),
    epoch: fc.constantFrom("", "", "", "1!", "2!"),
    release: fc.array(fc.constantFrom("0", "1", "2", "10", "00"), { minLength: 1, maxLength: 4 }),
    pre: fc.constantFrom("", "", "a1", "b2", "rc1", "rc10", ".alpha.2", "-beta", "c1", "pre3", "RC1"),
    post: fc.constantFrom("", "", ".post1", "-2", ".rev3", "post0", ".post"),
    dev: fc.constantFrom("", "", ".dev1", ".dev0", "dev", ".DEV2"),
    local: fc.constantFrom("", "", "", "+abc", "+abc.1", "+1", "+2.abc", "+ubuntu1", "+deb-10", "+01"),
  })
  .map(({ v, epoch, release, pre, post, dev, local }) => `${v}${epoch}${release.join(".")}${pre}${post}${dev}${local}`);
const pep440Edit = fc.constantFrom<(v: string) => string>(
  (v) => (v.includes("+") ? `${v}.0` : `${v}+0`),
  (v) => v.replace(/^(v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*)/, "$1.0"),
  (v) => v.toUpperCase(),
  (v) => (/(dev|\+)/i.test(v) ? v : `${v}.dev0`),
  (v) => v.replace(/\.post/, "-post"),
);

const mavenVersion: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("0", "1", "2", "10", "00", "0000000000", "12345678901", "alpha"),
    fc.array(
      fc.tuple(
        fc.constantFrom(".", "-", ""),
        fc.constantFrom("0", "1", "2", "10", "00", "alpha", "a", "b", "m", "beta", "milestone", "rc", "cr", "SNAPSHOT", "ga", "final", "release", "sp", "foo", "x"),
      ),
      { maxLength: 5 },
    ),
  )
  .map(([first, rest]) => first + rest.map(([separator, piece]) => separator + piece).join(""));
const mavenEdit = fc.constantFrom<(v: string) => string>(
  (v) => `${v}.0`,
  (v) => `${v}-0`,
  (v) => `${v}-ga`,
  (v) => `${v}-SNAPSHOT`,
  (v) => `${v}1`,
  (v) => v.toUpperCase(),
  (v) => v.replace(/-/, "."),
);

const semverIdentifier = fc.constantFrom("alpha", "beta", "rc", "0", "1", "2", "10", "x-y", "alpha1", "20191109021931-daa7c04131f5");
const semverVersion: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(fc.constantFrom("0", "1", "2", "10"), { minLength: 3, maxLength: 3 }),
    fc.option(fc.array(semverIdentifier, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    fc.constantFrom("", "", "+build", "+incompatible"),
  )
  .map(([core, pre, build]) => `${core.join(".")}${pre ? `-${pre.join(".")}` : ""}${build}`);
const semverEdit = fc.constantFrom<(v: string) => string>(
  (v) => (v.startsWith("v") ? v.slice(1) : `v${v}`),
  (v) => (v.includes("+") ? v : `${v}+meta`),
  (v) => (v.includes("-") ? v.replace(/\+.*/, "") + ".0" : `${v.replace(/\+.*/, "")}-0`),
);

const apkVersion: fc.Arbitrary<string> = fc
  .record({
    numbers: fc.array(fc.constantFrom("0", "1", "2", "10", "01", "001", "010"), { minLength: 1, maxLength: 4 }),
    letter: fc.constantFrom("", "", "a", "b", "z"),
    suffixes: fc.array(fc.tuple(fc.constantFrom("alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"), fc.constantFrom("", "0", "1", "2", "10", "01")), { maxLength: 2 }),
    hash: fc.constantFrom("", "", "~abc", "~abd", "~0f"),
    revision: fc.constantFrom("", "", "-r0", "-r1", "-r2", "-r10", "-r01"),
  })
  .map(({ numbers, letter, suffixes, hash, revision }) => `${numbers.join(".")}${letter}${suffixes.map(([s, n]) => `_${s}${n}`).join("")}${hash}${revision}`);
const apkEdit = fc.constantFrom<(v: string) => string>(
  (v) => `0${v}`,
  (v) => (v.includes("-r") ? v : `${v}-r0`),
  (v) => v.replace(/-r([0-9]+)$/, "-r0$1"),
  (v) => v.replace(/^([0-9.]+)/, "$1.0"),
  (v) => (/[~_-]|[a-z]$/.test(v) ? v : `${v}_p0`),
);

const goVersion = fc.tuple(fc.boolean(), semverVersion).map(([v, version]) => (v ? `v${version}` : version));

/**
 * Maven's own order is not transitive on odd mixtures of qualifiers and separators (maven-artifact 3.8.7
 * says 1 < 1-b < 1-ga-SNAPSHOT < 1, and 1.a.a < 1milestone.release < 1 < 1.a.a), and ours follows it. So
 * Maven is checked for transitivity on conventional versions, N(.N)*[-qualifier[N]], and for the rest of
 * the properties on everything.
 */
const conventionalMavenVersion: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom("0", "1", "2", "10"),
    fc.array(fc.constantFrom("0", "00", "1", "2", "10"), { maxLength: 3 }),
    fc.option(
      fc.tuple(
        fc.constantFrom("alpha", "a", "b", "m", "beta", "milestone", "rc", "cr", "RC", "SNAPSHOT", "ga", "final", "Final", "release", "sp", "foo"),
        fc.constantFrom("", "1", "2", "10", "-1", "-2", ".1"),
      ),
      { nil: undefined },
    ),
  )
  .map(([first, rest, qualifier]) => [first, ...rest].join(".") + (qualifier ? `-${qualifier.join("")}` : ""));
const conventionalMavenEdit = fc.constantFrom<(v: string) => string>(
  (v) => v.toUpperCase(),
  (v) => v.toLowerCase(),
  (v) => v.replace(/^([0-9.]+)/, "$1.0"),
  (v) => `0${v}`,
);

const PROPERTY_CASES: [VersionScheme, fc.Arbitrary<string>, fc.Arbitrary<(v: string) => string>][] = [
  [DPKG_SCHEME, dpkgVersion, dpkgEdit],
  [PYPI_SCHEME, pep440Version, pep440Edit],
  [MAVEN_SCHEME, conventionalMavenVersion, conventionalMavenEdit],
  [NPM_SCHEME, semverVersion, semverEdit],
  [GO_SCHEME, goVersion, semverEdit],
  [APK_SCHEME, apkVersion, apkEdit],
  [SEMVER_SCHEME, goVersion, semverEdit],
];

describe("order properties on random versions", () => {
  for (const [scheme, version, edit] of PROPERTY_CASES) {
    it(`${scheme.name}: every generated string is a version, and the order is reflexive, antisymmetric and transitive`, () => {
      fc.assert(
        fc.property(triples(version, edit), (versions) => {
          for (const v of versions) assert.equal(scheme.problem(v), undefined, `${scheme.name}: ${v}`);
          assertOrderProperties(scheme, versions);
        }),
        { numRuns: 500, seed: 20240 },
      );
    });
  }

  it("Maven: any string is a version, and the order is reflexive and antisymmetric on odd ones too", () => {
    fc.assert(
      fc.property(triples(mavenVersion, mavenEdit), (versions) => {
        for (const v of versions) assert.equal(MAVEN_SCHEME.problem(v), undefined, v);
        assertReflexiveAntisymmetric(MAVEN_SCHEME, versions);
      }),
      { numRuns: 1000, seed: 20240 },
    );
  });

  it("PEP 440 agrees with @renovatebot/pep440's own compare", () => {
    fc.assert(
      fc.property(pep440Version, pep440Version, (a, b) => {
        assert.equal(sign(PYPI_SCHEME.compare(a, b)), sign(pep440Compare(a, b)), `${a} vs ${b}`);
      }),
      { numRuns: 1000, seed: 440 },
    );
    fc.assert(
      fc.property(pep440Version, pep440Edit, (a, edit) => {
        const b = edit(a);
        assert.equal(sign(PYPI_SCHEME.compare(a, b)), sign(pep440Compare(a, b)), `${a} vs ${b}`);
      }),
      { numRuns: 500, seed: 441 },
    );
  });

  it("a version that is not one is refused by problem() and compare() alike, for every scheme", () => {
    const schemes = [DPKG_SCHEME, PYPI_SCHEME, MAVEN_SCHEME, NPM_SCHEME, GO_SCHEME, APK_SCHEME, SEMVER_SCHEME];
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.constantFrom(...schemes), (text, scheme) => {
        const problem = scheme.problem(text);
        if (problem === undefined) assert.equal(scheme.compare(text, text), 0);
        else assert.throws(() => scheme.compare(text, text), VersionError);
      }),
      { numRuns: 1000, seed: 7 },
    );
  });
});
