// Reading a vendor's SBOM (deps/sbom/): published SPDX examples and hand-written CycloneDX documents read
// to the exact components, every whole-input failure with its exact message, the schemas agreeing with
// @cyclonedx/cyclonedx-library's own validator, and random CycloneDX documents (serialised by that
// library) read back to the components they were made from. Nothing may touch the network.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import dns from "node:dns";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { Enums, Models, Serialize, Spec, Validation } from "@cyclonedx/cyclonedx-library";
import Ajv from "ajv";
import fc from "fast-check";
import { PackageURL } from "packageurl-js";
import { UnusableInputError, type Component } from "../deps/model";
import { cycloneDxSchemaErrors, LIST_ALL_ERRORS_UP_TO } from "../deps/sbom/cyclonedx";
import { describeJsonError, jsonErrorOffset, positionAt } from "../deps/sbom/json-position";
import { parseSbom, readSbom, type Sbom } from "../deps/sbom/read";
import { canonicalJson, useLinearUniqueItems } from "../deps/sbom/unique-items";
import { REPO_ROOT } from "./support/stack-config";

// Any connection or name lookup from here on is recorded (and refused): schema compilation must stay offline.
const networkAttempts: string[] = [];
const originalConnect = net.Socket.prototype.connect;
const originalLookup = dns.lookup;
net.Socket.prototype.connect = function refuse(this: net.Socket, ...args: unknown[]) {
  networkAttempts.push(`connect ${JSON.stringify(args[0])}`);
  throw new Error("network refused in deps-sbom tests");
} as typeof net.Socket.prototype.connect;
(dns as { lookup: unknown }).lookup = (host: string) => {
  networkAttempts.push(`lookup ${host}`);
  throw new Error("network refused in deps-sbom tests");
};
after(() => {
  net.Socket.prototype.connect = originalConnect;
  (dns as { lookup: unknown }).lookup = originalLookup;
});

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "deps-sbom");
const fixture = (name: string) => join(FIXTURES, name);
const fileSha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const DEBIAN_12 = { id: "debian", version: "12" };
const scratch = mkdtempSync(join(tmpdir(), "deps-sbom-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The exact UnusableInputError `run` throws. */
function assertUnusable(run: () => unknown, source: string, detail: string) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof UnusableInputError, `expected an UnusableInputError, got ${String(error)}`);
    assert.equal(error.source, source);
    assert.equal(error.detail, detail);
    assert.equal(error.message, `${source}: ${detail}`);
    return true;
  });
}

/** git's blob id of a file, to prove a copy is byte for byte the published one. */
const gitBlobId = (path: string) => {
  const data = readFileSync(path);
  return createHash("sha1").update(`blob ${data.length}\0`).update(data).digest("hex");
};

const cdx = (specVersion: string, components: unknown[], extra: object = {}) => JSON.stringify({ bomFormat: "CycloneDX", specVersion, version: 1, components, ...extra });

describe("published SPDX examples", () => {
  it("are byte-for-byte copies, as is the vendored SPDX 2.3 schema", () => {
    assert.equal(gitBlobId(fixture("SPDXJSONExample-v2.3.spdx.json")), "4b2057dfe56055d6fd3bbfdda7d5cf4ebec5eecc");
    assert.equal(gitBlobId(fixture("SPDXJSONExample-v2.2.spdx.json")), "d147d861641dd9aa306e52ba6ba937e089e2f1d9");
    assert.equal(gitBlobId(join(REPO_ROOT, "deps", "sbom", "schemas", "spdx-2.3.schema.json")), "ee61e6686e885f8139c132647fd0b4f483b8fb81");
  });

  it("SPDX 2.3: the maven package with a purl is a component, the packages without one are problems, the described package the subject", () => {
    const sbom = readSbom(fixture("SPDXJSONExample-v2.3.spdx.json"));
    assert.deepEqual(sbom, {
      format: "SPDX",
      specVersion: "2.3",
      sha256: fileSha256(fixture("SPDXJSONExample-v2.3.spdx.json")),
      components: [
        {
          purl: "pkg:maven/org.apache.jena/apache-jena@3.12.0",
          type: "maven",
          version: "3.12.0",
          origin: { kind: "sbom", ref: "SPDXRef-fromDoap-0" },
          ecosystem: "Maven",
          name: "org.apache.jena:apache-jena",
        },
      ],
      problems: [
        {
          at: "packages[1]",
          problem: 'Apache Commons Lang (SPDXRef-fromDoap-1) has no package URL (an externalRefs entry with referenceType "purl", category PACKAGE-MANAGER), so it cannot be checked for vulnerabilities: add a purl',
        },
        {
          at: "packages[3]",
          problem: 'Saxon@8.8 (SPDXRef-Saxon) has no package URL (an externalRefs entry with referenceType "purl", category PACKAGE-MANAGER), so it cannot be checked for vulnerabilities: add a purl',
        },
      ],
      // documentDescribes lists SPDXRef-File and SPDXRef-Package (glibc, which has only a cpe): no problem for it
      subject: { name: "glibc", version: "2.11.1" },
    } satisfies Sbom);
  });

  it("SPDX 2.2 is refused, saying which version is read", () => {
    const file = fixture("SPDXJSONExample-v2.2.spdx.json");
    assertUnusable(() => readSbom(file), file, 'is SPDX-2.2; only SPDX 2.3 JSON ("spdxVersion": "SPDX-2.3") is read: export the SBOM as SPDX 2.3 JSON');
  });
});

describe("hand-written SPDX 2.3", () => {
  it("reads PACKAGE_MANAGER purls, takes the Debian release from the image, and needs no purl on the package a DESCRIBES relationship names", () => {
    const sbom = readSbom(fixture("spdx-2.3-handmade.spdx.json"), { distribution: DEBIAN_12 });
    assert.deepEqual(sbom, {
      format: "SPDX",
      specVersion: "2.3",
      sha256: fileSha256(fixture("spdx-2.3-handmade.spdx.json")),
      components: [
        {
          purl: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl",
          type: "deb",
          version: "3.0.11-1~deb12u2",
          origin: { kind: "sbom", ref: "SPDXRef-libssl3" },
          name: "libssl3",
          source: { name: "openssl", version: "3.0.11-1~deb12u2" },
          ecosystem: "Debian:12",
        },
        { purl: "pkg:pypi/Flask@2.3.3", type: "pypi", version: "2.3.3", origin: { kind: "sbom", ref: "SPDXRef-flask" }, ecosystem: "PyPI", name: "flask" },
      ],
      problems: [
        {
          at: "packages[3]",
          problem: 'release-notes (SPDXRef-notes) has no package URL (an externalRefs entry with referenceType "purl", category PACKAGE-MANAGER), so it cannot be checked for vulnerabilities: add a purl',
        },
      ],
      subject: { name: "vendor-image", version: "1.4.0" },
    } satisfies Sbom);
  });

  it("without the image's release, the Debian package stays a component with a problem", () => {
    const [libssl] = readSbom(fixture("spdx-2.3-handmade.spdx.json")).components;
    assert.equal(libssl.ecosystem, undefined);
    assert.match(libssl.problem ?? "", /the Debian release is unknown: add a distro qualifier/);
  });

  it("a schema violation lists each error with its JSON path", () => {
    const file = fixture("spdx-2.3-invalid.spdx.json");
    assertUnusable(
      () => readSbom(file),
      file,
      "does not follow the SPDX 2.3 JSON schema (2 errors): /packages/0: must have required property 'downloadLocation'; /packages/1/filesAnalyzed: must be boolean. Fix the SBOM, or ask its vendor for one that passes validation",
    );
  });

  it("refuses more packages than the limit", () => {
    const file = fixture("spdx-2.3-handmade.spdx.json");
    assertUnusable(() => readSbom(file, { maxComponents: 3 }), file, "lists 4 packages, more than the 3 one SBOM may have: split it, one SBOM per image or application");
  });
});

describe("hand-written CycloneDX", () => {
  it("1.4: every ecosystem, nested components in document order, bom-refs, and problems for what has no usable purl", () => {
    const sbom = readSbom(fixture("cyclonedx-1.4.json"), { distribution: DEBIAN_12 });
    const origin = (ref: string) => ({ kind: "sbom" as const, ref });
    assert.deepEqual(sbom.components, [
      { purl: "pkg:npm/%40babel/traverse@7.23.0", type: "npm", version: "7.23.0", origin: origin("npm-scoped"), ecosystem: "npm", name: "@babel/traverse" },
      { purl: "pkg:pypi/Django_REST.framework@3.14.0", type: "pypi", version: "3.14.0", origin: origin("django-rest"), ecosystem: "PyPI", name: "django-rest-framework" },
      {
        purl: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2",
        type: "maven",
        version: "2.15.2",
        origin: origin("jackson"),
        ecosystem: "Maven",
        name: "com.fasterxml.jackson.core:jackson-databind",
      },
      { purl: "pkg:golang/golang.org/x/net@v0.17.0", type: "golang", version: "v0.17.0", origin: origin("x-net"), ecosystem: "Go", name: "golang.org/x/net" },
      {
        purl: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
        type: "deb",
        version: "3.0.11-1~deb12u2",
        origin: origin("openssl-deb"),
        name: "libssl3",
        source: { name: "openssl", version: "3.0.11-1~deb12u2" },
        ecosystem: "Debian:12",
      },
      { purl: "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1", type: "apk", version: "1.2.4-r2", origin: origin("musl-apk"), name: "musl", ecosystem: "Alpine:v3.19" },
      {
        purl: "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&upstream=zlib",
        type: "deb",
        version: "1:1.2.13.dfsg-1",
        origin: origin("zlib-deb-no-distro"),
        name: "zlib1g",
        source: { name: "zlib", version: "1:1.2.13.dfsg-1" },
        ecosystem: "Debian:12",
      },
      {
        purl: "pkg:cargo/serde@1.0.190",
        type: "cargo",
        version: "1.0.190",
        origin: origin("serde"),
        name: "serde",
        problem: 'no vulnerability data is matched for purl type "cargo" (supported: npm, pypi, maven, golang, deb, apk)',
      },
      // nested under metadata.component: read after the document's own components
      { purl: "pkg:npm/lodash@4.17.20", type: "npm", version: "4.17.20", origin: origin("bundled-lodash"), ecosystem: "npm", name: "lodash" },
    ] satisfies Component[]);
    assert.deepEqual(sbom.problems, [
      { at: "components[1].components[0].components[1]", problem: 'LICENSE.txt has no package URL ("purl"), so it cannot be checked for vulnerabilities: add a purl' },
      { at: "components[5]", problem: 'left-pad@1.3.0 has no package URL ("purl"), so it cannot be checked for vulnerabilities: add a purl' },
      { at: "components[7]", problem: 'broken@1.0.0: "npm/broken@1.0.0" is not a package URL: Invalid purl: missing required "pkg" scheme component' },
    ]);
    assert.deepEqual([sbom.format, sbom.specVersion, sbom.subject], ["CycloneDX", "1.4", { name: "vendor-app", version: "2.1.0" }]);
  });

  it("1.4: a deb purl without distro and no image release keeps a problem; the image release never overrides a distro qualifier", () => {
    const byRef = (sbom: Sbom, ref: string) => sbom.components.find((c) => c.origin.kind === "sbom" && c.origin.ref === ref);
    const alone = readSbom(fixture("cyclonedx-1.4.json"));
    assert.equal(byRef(alone, "zlib-deb-no-distro")?.ecosystem, undefined);
    assert.match(byRef(alone, "zlib-deb-no-distro")?.problem ?? "", /Debian release is unknown/);
    const trixie = readSbom(fixture("cyclonedx-1.4.json"), { distribution: { id: "debian", version: "13" } });
    assert.equal(byRef(trixie, "zlib-deb-no-distro")?.ecosystem, "Debian:13");
    assert.equal(byRef(trixie, "openssl-deb")?.ecosystem, "Debian:12");
  });

  it("1.5: an apk purl without distro takes the Alpine release of the image, not of a Debian one", () => {
    const alpine = readSbom(fixture("cyclonedx-1.5.json"), { distribution: { id: "alpine", version: "3.19.1" } });
    assert.deepEqual(
      alpine.components.map((c) => [c.name, c.ecosystem, c.source, c.problem]),
      [
        ["busybox", "Alpine:v3.19", undefined, undefined],
        ["ssl_client", "Alpine:v3.19", { name: "busybox", version: "1.36.1-r15" }, undefined],
        ["requests", "PyPI", undefined, undefined],
      ],
    );
    // the operating-system component (components[0], alpine 3.19.1) describes the base system: no purl needed
    assert.deepEqual(alpine.problems, [
      { at: "components[2]", problem: 'sentiment-model@7 has no package URL ("purl"), so it cannot be checked for vulnerabilities: add a purl' },
    ]);
    assert.deepEqual(alpine.subject, { name: "registry.example/vendor/app", version: "sha256:0f1e2d3c" });
    const onDebian = readSbom(fixture("cyclonedx-1.5.json"), { distribution: DEBIAN_12 });
    assert.match(onDebian.components[1].problem ?? "", /the Alpine release is unknown/);
  });

  it("1.6: the subject is not a component even with a purl; code names and encoded upstream versions are read", () => {
    const sbom = readSbom(fixture("cyclonedx-1.6.json"));
    assert.deepEqual(
      sbom.components.map((c) => [c.origin.kind === "sbom" ? c.origin.ref : "", c.ecosystem, c.name, c.version, c.source]),
      [
        ["express", "npm", "express", "4.18.2", undefined],
        ["express/body-parser", "npm", "body-parser", "1.20.1", undefined],
        ["spring-core", "Maven", "org.springframework:spring-core", "6.1.2", undefined],
        ["curl", "Debian:12", "libcurl4", "7.88.1-10+deb12u5", { name: "curl", version: "7.88.1-10+deb12u5" }],
      ],
    );
    assert.deepEqual(sbom.problems, [{ at: "components[3]", problem: 'vendored-helper has no package URL ("purl"), so it cannot be checked for vulnerabilities: add a purl' }]);
    assert.deepEqual(sbom.subject, { name: "billing-service", version: "5.0.0" });
  });

  it("a component without a bom-ref has an origin without ref", () => {
    const sbom = parseSbom(cdx("1.6", [{ type: "library", name: "a", version: "1.0.0", purl: "pkg:npm/a@1.0.0" }]), "inline.json");
    assert.deepEqual(sbom.components[0].origin, { kind: "sbom" });
    assert.equal(sbom.subject, undefined);
  });

  it("a schema violation names each error's JSON path, the property or type that is wrong, and the count", () => {
    const file = fixture("cyclonedx-1.6-invalid.json");
    assertUnusable(
      () => readSbom(file),
      file,
      'does not follow the CycloneDX 1.6 JSON schema (3 errors): /components/0: must have required property \'name\'; /components/1/version: must be string; /components/2: must NOT have the property "vendor" (not in the schema). Fix the SBOM, or ask its vendor for one that passes validation',
    );
  });

  it("shows the first five schema errors and counts the rest", () => {
    const components = Array.from({ length: 7 }, (_, i) => ({ type: "library", name: `c${i}`, version: i }));
    assertUnusable(
      () => parseSbom(cdx("1.5", components), "seven.json"),
      "seven.json",
      "does not follow the CycloneDX 1.5 JSON schema (7 errors): /components/0/version: must be string; /components/1/version: must be string; /components/2/version: must be string; /components/3/version: must be string; /components/4/version: must be string; and 2 more. Fix the SBOM, or ask its vendor for one that passes validation",
    );
  });

  it("an enum error names the allowed values, a few of them when there are many", () => {
    assertUnusable(
      () => parseSbom(cdx("1.6", [{ type: "libary", name: "typo" }]), "typo.json"),
      "typo.json",
      'does not follow the CycloneDX 1.6 JSON schema (1 error): /components/0/type: must be one of "application", "framework", "library", "container", "platform", "operating-system", "device", "device-driver", … (13 values). Fix the SBOM, or ask its vendor for one that passes validation',
    );
  });

  it("past the listing bound, a broken SBOM gets its first error only, and says so", () => {
    const components = Array.from({ length: LIST_ALL_ERRORS_UP_TO + 1 }, (_, i) => ({ type: "library", name: `c${i}`, version: `1.0.${i}`, purl: `pkg:npm/c${i}@1.0.${i}` }));
    components[3] = { ...components[3], version: 3 as unknown as string };
    components[9] = { ...components[9], version: 9 as unknown as string };
    assertUnusable(
      () => parseSbom(cdx("1.6", components), "big.json"),
      "big.json",
      `does not follow the CycloneDX 1.6 JSON schema (with ${LIST_ALL_ERRORS_UP_TO + 1} components, only the first error is listed): /components/3/version: must be string. Fix the SBOM, or ask its vendor for one that passes validation`,
    );
  });

  it("duplicate components (keys in another order) fail uniqueItems, as they do for the library's validator", async () => {
    const text = JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.6", components: [{ type: "library", name: "a" }, { name: "a", type: "library" }] });
    assertUnusable(
      () => parseSbom(text, "dup.json"),
      "dup.json",
      "does not follow the CycloneDX 1.6 JSON schema (1 error): /components: must NOT have duplicate items (items 0 and 1 are identical). Fix the SBOM, or ask its vendor for one that passes validation",
    );
    assert.notEqual(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text), null);
  });

  it("20,000 components are read in seconds (ajv's own uniqueItems compares every pair)", () => {
    const components = Array.from({ length: 20_000 }, (_, i) => ({ type: "library", "bom-ref": `r${i}`, name: `p${i}`, version: `1.0.${i}`, purl: `pkg:npm/p${i}@1.0.${i}` }));
    const started = Date.now();
    assert.equal(parseSbom(cdx("1.6", components), "many.json").components.length, 20_000);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });

  it("refuses more components (nested ones counted) than the limit", () => {
    const file = fixture("cyclonedx-1.4.json");
    assertUnusable(() => readSbom(file, { maxComponents: 5 }), file, "lists more than 5 components, the most one SBOM may have: split it, one SBOM per image or application");
    assert.equal(readSbom(file, { maxComponents: 12 }).components.length, 9); // 12 components in all, three of them problems
  });

  it("refuses components nested deeper than 100 levels before validating", () => {
    let nested: object = { type: "library", name: "leaf" };
    for (let depth = 0; depth < 100; depth++) nested = { type: "library", name: `level${depth}`, components: [nested] };
    assertUnusable(
      () => parseSbom(cdx("1.6", [nested]), "deep.json"),
      "deep.json",
      "components nest more than 100 levels deep (at components[0].components[0].components[0]…): flatten the component tree",
    );
    const shallower = (nested as { components: object[] }).components[0];
    assert.equal(parseSbom(cdx("1.6", [shallower]), "deep.json").problems.length, 100); // 100 levels, none with a purl
  });

  it("other structures nested too deeply for the validator's recursion are refused, not a crash", () => {
    const depth = 20_000;
    const text = `{"bomFormat":"CycloneDX","specVersion":"1.6","services":[${'{"name":"s","services":['.repeat(depth)}{"name":"leaf"}${"]}".repeat(depth)}]}`;
    assertUnusable(() => parseSbom(text, "services.json"), "services.json", "is nested too deeply to check against its schema (Maximum call stack size exceeded): flatten it");
  });

  it("agrees with the library's JsonStrictValidator on every CycloneDX fixture", async () => {
    for (const name of ["cyclonedx-1.4.json", "cyclonedx-1.5.json", "cyclonedx-1.6.json", "cyclonedx-1.6-invalid.json"]) {
      const text = readFileSync(fixture(name), "utf8");
      const document = JSON.parse(text) as { specVersion: "1.4" | "1.5" | "1.6" };
      const ours = cycloneDxSchemaErrors(document, document.specVersion);
      const theirs = await new Validation.JsonStrictValidator(document.specVersion as Spec.Version).validate(text);
      assert.equal(ours.length === 0, theirs === null, name);
      if (theirs !== null) for (const error of theirs as { instancePath: string; message: string }[]) assert.ok(ours.some((e) => e.instancePath === error.instancePath && e.message === error.message), `${name}: ${JSON.stringify(error)}`);
    }
  });
});

describe("unusable input", () => {
  it("not JSON: the parser's message with the line and column in a multi-line file", () => {
    const file = fixture("not-json.json");
    assertUnusable(() => readSbom(file), file, "is not valid JSON: Expected double-quoted property name (line 5, column 39)");
    assert.equal(readFileSync(file, "utf8").split("\n")[4][38], "}", "line 5, column 39 is the brace after the trailing comma");
  });

  it("not JSON where V8 names no position: the line and column are found anyway", () => {
    assertUnusable(() => parseSbom('{\n  "bomFormat": "CycloneDX",\n  "specVersion": }', "t.json"), "t.json", "is not valid JSON: Unexpected token '}' (line 3, column 18)");
    assertUnusable(() => parseSbom("{\r\n\r\n  \"é😀\": tru }", "crlf.json"), "crlf.json", "is not valid JSON: Unexpected token ' ' (line 3, column 12)");
    assertUnusable(() => parseSbom("", "empty.json"), "empty.json", "is not valid JSON: Unexpected end of JSON input (line 1, column 1)");
  });

  it("XML and SPDX tag-value get a hint about the JSON export", () => {
    assertUnusable(() => parseSbom('<?xml version="1.0"?>\n<bom/>', "bom.xml"), "bom.xml", "is not valid JSON: Unexpected token '<' (line 1, column 1); it looks like XML, and only JSON SBOMs are read: export it as CycloneDX JSON");
    assertUnusable(() => parseSbom("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", "bom.spdx"), "bom.spdx", "is not valid JSON: Unexpected token 'S' (line 1, column 1); it looks like SPDX tag-value, and only JSON is read: export it as SPDX 2.3 JSON");
  });

  it("JSON that is neither format says what was expected", () => {
    const expected = 'give a CycloneDX JSON SBOM ("bomFormat": "CycloneDX", "specVersion" 1.4, 1.5, 1.6) or an SPDX JSON document ("spdxVersion": "SPDX-2.3")';
    const file = fixture("package-json.json");
    assertUnusable(() => readSbom(file), file, `is not a CycloneDX or SPDX SBOM (it has neither "bomFormat": "CycloneDX" nor "spdxVersion"): ${expected}`);
    assertUnusable(() => parseSbom("[]", "a.json"), "a.json", `is not a CycloneDX or SPDX SBOM (its top level is an array, not an object): ${expected}`);
    assertUnusable(() => parseSbom('{"bomFormat":"cyclonedx"}', "b.json"), "b.json", `is not a CycloneDX or SPDX SBOM (its "bomFormat" is "cyclonedx", not "CycloneDX"): ${expected}`);
    assertUnusable(() => parseSbom('{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}', "c.json"), "c.json", `is not a CycloneDX or SPDX SBOM (it looks like SPDX 3 (JSON-LD), which is not read): ${expected}`);
  });

  it("CycloneDX 1.3 and 1.7 are refused, saying which versions are read", () => {
    for (const version of ["1.3", "1.7"]) {
      const file = fixture(`cyclonedx-${version}.json`);
      assertUnusable(() => readSbom(file), file, `is CycloneDX ${version}; only CycloneDX JSON 1.4, 1.5 and 1.6 are read: export the SBOM as CycloneDX 1.6 JSON`);
    }
    assertUnusable(() => parseSbom('{"bomFormat":"CycloneDX"}', "n.json"), "n.json", 'has no "specVersion"; only CycloneDX JSON 1.4, 1.5 and 1.6 are read: export the SBOM as CycloneDX 1.6 JSON');
  });

  it("too large: the size and the limit, before reading the file (also for parseSbom)", () => {
    const file = fixture("cyclonedx-1.4.json");
    const size = statSync(file).size;
    assertUnusable(() => readSbom(file, { maxBytes: 1000 }), file, `is ${size.toLocaleString("en-US")} bytes, larger than the limit of 1,000 bytes for an SBOM: check that this is the SBOM file (not an image or an archive), or split it`);
    assertUnusable(() => parseSbom(readFileSync(file, "utf8"), "inline", { maxBytes: 1000 }), "inline", `is ${size.toLocaleString("en-US")} bytes, larger than the limit of 1,000 bytes for an SBOM: check that this is the SBOM file (not an image or an archive), or split it`);
  });

  it("too large when the size is not known in advance: an endless device is read only up to the limit", () => {
    assertUnusable(() => readSbom("/dev/zero", { maxBytes: 4096 }), "/dev/zero", "is more than 4,096 bytes, larger than the limit of 4,096 bytes for an SBOM: check that this is the SBOM file (not an image or an archive), or split it");
  });

  it("a missing file, a directory, UTF-16 and binary data each say what to do", () => {
    const missing = join(scratch, "no-such-sbom.json");
    assertUnusable(() => readSbom(missing), missing, "does not exist: check the path to the SBOM file");
    assertUnusable(() => readSbom(scratch), scratch, "is a directory: give the SBOM file itself");
    const utf16 = join(scratch, "utf16.json");
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"bomFormat":"CycloneDX"}', "utf16le")]));
    assertUnusable(() => readSbom(utf16), utf16, "is UTF-16 text, and an SBOM's JSON must be UTF-8: convert it (e.g. iconv -f UTF-16 -t UTF-8)");
    const gzip = join(scratch, "bom.json.gz");
    writeFileSync(gzip, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xc3, 0x28, 0xff, 0x00]));
    assertUnusable(() => readSbom(gzip), gzip, "is not UTF-8 text (a binary or compressed file?): give the SBOM as a UTF-8 JSON file");
  });

  it("a UTF-8 byte order mark is accepted, from a file and from text", () => {
    const body = readFileSync(fixture("cyclonedx-1.6.json"));
    const withBom = join(scratch, "bom-with-bom.json");
    writeFileSync(withBom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]));
    assert.equal(readSbom(withBom).components.length, 4);
    assert.equal(parseSbom(`\uFEFF${body.toString("utf8")}`, "bom.json").components.length, 4);
  });
});

describe("JSON positions", () => {
  it("count lines over \\n, \\r\\n and a lone \\r, and columns in characters", () => {
    assert.deepEqual(positionAt("a\nb\r\nc\rd", 7), { line: 4, column: 1 });
    assert.deepEqual(positionAt("a\r\nbc", 2), { line: 1, column: 3 }); // between \r and \n: still line 1
    assert.deepEqual(positionAt("😀é!", 3), { line: 1, column: 3 });
  });

  it("far into a long text, V8's echo of the input is only believed where parsing really stops (not in a string holding the same text)", () => {
    const numbers = Array.from({ length: 40 }, (_, i) => i).join(", ");
    const broken = `[${numbers.replace("30, ", "30, , ")}]`;
    let message = "";
    try {
      JSON.parse(broken);
    } catch (error) {
      message = (error as Error).message;
    }
    const echoed = /\.\.\."([^"]+)"/.exec(message)?.[1];
    assert.ok(echoed, `V8 echoes the input around the error: ${message}`);
    // the same characters, earlier, inside a string: a false match for a search that is not checked
    const decoyed = `[\n  "${echoed}",\n  ${broken.slice(1)}`;
    assertUnusable(() => parseSbom(decoyed, "echo.json"), "echo.json", `is not valid JSON: Unexpected token ',' (line 3, column ${2 + broken.indexOf(", ,") + 2})`);
  });

  // A character that can never continue JSON, put anywhere outside a string, is where parsing stops.
  const outsideStrings = (text: string): number[] => {
    const offsets: number[] = [];
    let inString = false;
    for (let i = 0; i <= text.length; i++) {
      if (!inString) offsets.push(i);
      if (text[i] === "\\" && inString) i++;
      else if (text[i] === '"') inString = !inString;
    }
    return offsets;
  };
  it("find where parsing stopped, with or without a position in V8's message", () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3 }).chain((value) => {
          const text = JSON.stringify(value, null, 2);
          return fc.tuple(fc.constant(text), fc.constantFrom(...outsideStrings(text)), fc.constantFrom("#", "}", "]", ",", ":"));
        }),
        ([text, offset, bad]) => {
          const broken = text.slice(0, offset) + bad + text.slice(offset);
          let error: Error | undefined;
          try {
            JSON.parse(broken);
          } catch (e) {
            error = e as Error;
          }
          fc.pre(error !== undefined); // "}" or "," can complete a valid document at some offsets
          const stop = jsonErrorOffset(broken, error!);
          // a closing bracket or separator may be legal where it was put; it then fails at or after it
          if (bad === "#") assert.equal(stop, offset);
          else assert.ok(stop >= offset, `${stop} < ${offset}`);
          const lines = broken.slice(0, stop).split("\n");
          assert.match(describeJsonError(broken, error!), new RegExp(`\\(line ${lines.length}, column ${[...lines.at(-1)!].length + 1}\\)$`));
        },
      ),
      { numRuns: 300, seed: 1414 },
    );
  });
});

describe("canonical JSON for uniqueItems", () => {
  it("two values have the same text exactly when they are deep-equal, whatever their key order", () => {
    const reordered = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(reordered) : value !== null && typeof value === "object" ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)])) : value;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), (a, b) => {
        assert.equal(canonicalJson(a), canonicalJson(reordered(a)));
        const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown; // -0 is 0 in JSON
        assert.equal(canonicalJson(a) === canonicalJson(b), isDeepStrictEqual(plain(a), plain(b)));
      }),
      { numRuns: 500, seed: 14 },
    );
  });
});

describe("linear uniqueItems", () => {
  it("gives ajv's own verdict on random arrays", () => {
    const schema = { type: "array", uniqueItems: true };
    const builtin = new Ajv().compile(schema);
    const linear = useLinearUniqueItems(new Ajv()).compile(schema);
    const item = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom({ a: 1, b: [2] }, { b: [2], a: 1 }, 1, "1", [1], null));
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), (items) => {
        const data = JSON.parse(JSON.stringify(items)) as unknown[];
        assert.equal(linear(data), builtin(data));
      }),
      { numRuns: 1000, seed: 1415 },
    );
  });
});

describe("property: CycloneDX documents serialised by @cyclonedx/cyclonedx-library read back to their components", () => {
  const lower = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
  const semver = fc.tuple(fc.nat(30), fc.nat(30), fc.nat(30)).map(([a, b, c]) => `${a}.${b}.${c}`);
  interface Spec {
    purl: PackageURL;
    expected: Pick<Component, "type" | "name" | "version" | "ecosystem" | "source"> & { problem: boolean };
  }
  const spec: fc.Arbitrary<Spec> = fc.oneof(
    fc.tuple(fc.option(lower, { nil: undefined }), lower, semver).map(([scope, name, version]) => ({
      purl: new PackageURL("npm", scope ? `@${scope}` : undefined, name, version, undefined, undefined),
      expected: { type: "npm", name: scope ? `@${scope}/${name}` : name, version, ecosystem: "npm", problem: false },
    })),
    fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9._-]{0,8}[A-Za-z0-9]$/), semver).map(([name, version]) => ({
      purl: new PackageURL("pypi", undefined, name, version, undefined, undefined),
      expected: { type: "pypi", name: name.toLowerCase().replace(/[-_.]+/g, "-"), version, ecosystem: "PyPI", problem: false },
    })),
    fc.tuple(fc.array(lower, { minLength: 1, maxLength: 3 }), lower, semver).map(([group, artifact, version]) => ({
      purl: new PackageURL("maven", group.join("."), artifact, version, undefined, undefined),
      expected: { type: "maven", name: `${group.join(".")}:${artifact}`, version, ecosystem: "Maven", problem: false },
    })),
    fc.tuple(lower, lower, semver).map(([owner, repo, version]) => ({
      purl: new PackageURL("golang", `github.com/${owner}`, repo, `v${version}`, undefined, undefined),
      expected: { type: "golang", name: `github.com/${owner}/${repo}`, version: `v${version}`, ecosystem: "Go", problem: false },
    })),
    fc.tuple(lower, fc.nat(5), fc.option(lower, { nil: undefined }), fc.constantFrom(["debian-11", "11"], ["debian-12.5", "12"], ["bookworm", "12"], ["trixie", "13"])).map(([name, revision, upstream, [distro, major]]) => {
      const version = `1:2.${revision}-1`;
      return {
        purl: new PackageURL("deb", "debian", name, version, { distro, ...(upstream ? { upstream } : {}) }, undefined),
        expected: { type: "deb", name, version, ecosystem: `Debian:${major}`, ...(upstream ? { source: { name: upstream, version } } : {}), problem: false },
      };
    }),
    fc.tuple(lower, fc.integer({ min: 15, max: 21 }), fc.nat(4)).map(([name, minor, patch]) => ({
      purl: new PackageURL("apk", "alpine", name, `1.${minor}-r${patch}`, { distro: `alpine-3.${minor}.${patch}` }, undefined),
      expected: { type: "apk", name, version: `1.${minor}-r${patch}`, ecosystem: `Alpine:v3.${minor}`, problem: false },
    })),
    fc.tuple(lower, semver).map(([name, version]) => ({
      purl: new PackageURL("cargo", undefined, name, version, undefined, undefined),
      expected: { type: "cargo", name, version, ecosystem: undefined, problem: true },
    })),
  );
  interface Node {
    spec: Spec;
    children: Node[];
  }
  const node = fc.letrec<{ node: Node; children: Node[] }>((tie) => ({
    node: fc.record({ spec, children: tie("children") }),
    children: fc.oneof({ depthSize: "small", withCrossShrink: true }, fc.constant<Node[]>([]), fc.array(tie("node"), { maxLength: 3 })),
  })).node;
  // about 9 components a document, up to 6 levels deep (seed below)
  const tree = fc.array(node, { minLength: 1, maxLength: 6 });

  it("same components, same order (document order, nested ones after their parent), same bom-refs", () => {
    const serializers = [Spec.Spec1dot4, Spec.Spec1dot5, Spec.Spec1dot6].map((s) => ({ version: s.version, serializer: new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(s)) }));
    fc.assert(
      fc.property(tree, fc.constantFrom(...serializers), (roots, { version, serializer }) => {
        const bom = new Models.Bom();
        bom.metadata.component = new Models.Component(Enums.ComponentType.Application, "vendor-app", { bomRef: "subject", version: "9.9.9" });
        const expected: unknown[] = [];
        let counter = 0;
        const build = (node: Node): Models.Component => {
          const ref = `ref-${counter++}`;
          const { purl, expected: e } = node.spec;
          const component = new Models.Component(Enums.ComponentType.Library, purl.name, { bomRef: ref, version: purl.version ?? undefined, purl: purl.toString() });
          expected.push({ ...e, purl: purl.toString(), origin: { kind: "sbom", ref } });
          for (const child of node.children) component.components.add(build(child));
          return component;
        };
        for (const root of roots) bom.components.add(build(root));
        const sbom = parseSbom(serializer.serialize(bom), `generated-${version}.json`);
        assert.deepEqual(sbom.problems, []);
        assert.deepEqual(
          sbom.components.map(({ problem, ...rest }) => ({ ...rest, problem: problem !== undefined })),
          expected.map((e) => Object.fromEntries(Object.entries(e as object).filter(([, v]) => v !== undefined))),
        );
        assert.deepEqual([sbom.specVersion, sbom.subject], [version, { name: "vendor-app", version: "9.9.9" }]);
      }),
      { numRuns: 300, seed: 20_614 },
    );
  });
});

describe("offline", () => {
  it("the trap records connections (so an empty record means something)", () => {
    const before = networkAttempts.length;
    assert.throws(() => net.connect({ host: "127.0.0.1", port: 9 }), /network refused/);
    assert.equal(networkAttempts.length, before + 1);
    networkAttempts.pop();
  });

  it("compiling and running every schema (CycloneDX 1.4–1.6, SPDX 2.3), in this test and all before it, tried no connection and no name lookup", () => {
    for (const name of ["cyclonedx-1.4.json", "cyclonedx-1.5.json", "cyclonedx-1.6.json", "SPDXJSONExample-v2.3.spdx.json"]) readSbom(fixture(name));
    assert.throws(() => readSbom(fixture("cyclonedx-1.6-invalid.json")), UnusableInputError);
    assert.deepEqual(networkAttempts, []);
  });
});

describe("schema allowances SPDX made after its v2.3 tag", () => {
  it("accepts a top-level $schema key and the PACKAGE_MANAGER spelling", () => {
    const document = JSON.parse(readFileSync(fixture("spdx-2.3-handmade.spdx.json"), "utf8"));
    document.$schema = "https://raw.githubusercontent.com/spdx/spdx-spec/v2.3/schemas/spdx-schema.json";
    const read = parseSbom(JSON.stringify(document), "with-schema.spdx.json");
    assert.equal(read.format, "SPDX");
    assert.ok(read.components.length > 0);
  });
});
