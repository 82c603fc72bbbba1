// The offline checker on bad and hostile input: every file gets its own result (a parser-exhausting
// document, a nesting that overflows the stack, an empty file), JSON errors have a line and column and
// never echo the file, `--stack` charges a vendor with its own findings only, at its manifest's paths,
// and text output is coloured for a terminal unless NO_COLOR is set.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { checkFile, checkFiles } from "../checker/check";
import { jsonSyntaxError, lineColumn } from "../checker/json-syntax";
import { formatText } from "../checker/report";
import { wantsColor } from "../cli/terminal";
import { runChecker as run, scratchFiles } from "./support/checker-run";

const REPO = join(__dirname, "..");
const MANIFEST = join(__dirname, "fixtures", "policy", "app-manifest.yaml");
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

const BILLION_LAUGHS = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]", ..."bcdefgh".split("").map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`)].join("\n");

describe("hostile and broken input: one result per file, never a crash", () => {
  const { file } = scratchFiles("checker-robustness-");

  it("a YAML document built to exhaust the parser is unreadable input, and the other files are still checked", async () => {
    const report = await checkFiles([file("laughs.yaml", BILLION_LAUGHS), MANIFEST]);
    assert.equal(report.exitCode, 2);
    assert.match(report.files[0].error ?? "", /^invalid YAML: its aliases \(\*name\) expand to more than 10000 values, the shape of a resource-exhaustion attack/);
    assert.equal(report.files[1].error, undefined);
    assert.equal(report.files[1].kind, "app-manifest");
    assert.equal(report.files[1].resources, 2);
  });

  it("nesting deep enough to overflow the stack is reported per file, for YAML, JSON and inside the checker", async () => {
    const secretDeep = `{"version":3,"deployment":{"resources":[{"urn":"urn:pulumi:d::p::docker:index/container:Container::c","type":"docker:index/container:Container","inputs":{"envs":${"[".repeat(20000)}{"${SECRET_SIG}":"1b47061264138c4ac30d75fd1eb44270","value":"x"}${"]".repeat(20000)}}}]}}`;
    const report = await checkFiles([file("deep.yaml", `${"[".repeat(100000)}${"]".repeat(100000)}`), file("deep.export.json", secretDeep), MANIFEST]);
    assert.match(report.files[0].error ?? "", /nested too deeply/);
    assert.equal(report.files[1].error, "the input is nested too deeply to check");
    assert.equal(report.files[2].error, undefined);
    assert.equal(report.exitCode, 2);
  });

  it("empty input is named as such: an empty file, only comments, [], {}, an export without resources", async () => {
    const cases: [string, string, RegExp][] = [
      ["empty.yaml", "", /^the file is empty/],
      ["blank.json", "  \n\t\n", /^the file is empty/],
      ["comments.yaml", "# nothing here\n", /^the file holds no document/],
      ["list.json", "[]", /^an empty list: nothing to check/],
      ["map.json", "{}", /^an empty mapping: nothing to check/],
      ["export.json", JSON.stringify({ version: 3, deployment: { resources: [] } }), /^deployment\.resources holds no resource: nothing to check/],
    ];
    for (const [name, content, expected] of cases) {
      const result = await checkFile(file(name, content));
      assert.match(result.error ?? "(none)", expected, name);
    }
    assert.equal((await run([file("list2.json", "[]")])).code, 2, "[] never passes");
  });
});

describe("invalid JSON", () => {
  it("is reported with line and column, in the checker's words, never with the file's bytes", async () => {
    const result = await checkFile("bad.json", undefined, '{\n  "name": "x",\n  "password": "hunter2" oops\n}\n');
    assert.equal(result.error, "invalid JSON at line 3, column 25: expected ',' or '}' after a property value, found a letter");
  });

  it("the scanner accepts exactly what JSON.parse accepts (property)", () => {
    const mutated = fc.tuple(fc.json(), fc.nat(), fc.constantFrom("", ",", "}", "]", '"', ":", "x", "\n", "\\", "0", "-", "{", "[", "\u0001", " ")).map(([json, at, insert]) => {
      const i = at % (json.length + 1);
      return json.slice(0, i) + insert + json.slice(i + (insert === "" ? 1 : 0));
    });
    fc.assert(
      fc.property(fc.oneof(fc.json(), mutated, fc.string({ maxLength: 30 })), (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        const error = jsonSyntaxError(text);
        assert.equal(error === undefined, parses, `${JSON.stringify(text)}: ${error?.message}`);
        if (error) assert.ok(error.offset >= 0 && error.offset <= text.length);
      }),
      { numRuns: 3000 },
    );
  });

  it("never echoes what the file holds (property)", () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom("}", "x", ",", "::"), (json, at, breaker) => {
        const text = `{"hunter2": "S3CR3Tzz", "data": ${json}}`;
        const i = at % text.length;
        const broken = text.slice(0, i) + breaker + text.slice(i);
        const error = jsonSyntaxError(broken);
        if (error) assert.doesNotMatch(error.message, /S3CR3T|hunter|zz/);
      }),
      { numRuns: 1000 },
    );
  });

  it("counts lines and columns from 1", () => {
    assert.deepEqual(lineColumn("ab\ncd", 4), { line: 2, column: 2 });
    assert.deepEqual(lineColumn("x", 0), { line: 1, column: 1 });
  });
});

describe("--stack: the vendor's findings, at the vendor's paths", { timeout: 180_000 }, () => {
  const stack = join(REPO, "Pulumi.dev.yaml");
  const { file } = scratchFiles("checker-stack-");

  it("schema problems name the manifest's own paths (app:...)", async () => {
    const manifest = file("bad.yaml", `name: invoicer\nimage: registry.example/invoicer@sha256:${"e".repeat(64)}\nresources:\n  cpus: lots\negress:\n  - 10.1\n`);
    const result = await checkFile(manifest, undefined, undefined, { stackFile: stack });
    assert.deepEqual(result.findings.map((f) => f.field).sort(), ["app:egress[0]", "app:resources.cpus"]);
  });

  it("the stack's own findings are listed apart and do not decide the exit code", async () => {
    // without a pack config every unpinned image of the dev stack is a mandatory violation of its own
    const { code, out } = await run(["--stack", stack, MANIFEST]);
    assert.equal(code, 0, out);
    assert.match(out, /^ {2}no violations$/m);
    assert.match(out, /^ {2}the stack itself has \d+ mandatory violations and \d+ advisor(y|ies) without this manifest: not counted here/m);
    assert.match(out, /^passed: 1 file, \d+ resources, 0 mandatory violations, 0 advisories$/m);
    const json = JSON.parse((await run(["--format", "json", "--stack", stack, MANIFEST])).out);
    assert.ok(json.files[0].stackFindings.length > 0);
    assert.deepEqual(json.files[0].findings, []);
  });

  it("prints nothing on stderr: the stack's own warnings are not the vendor's", () => {
    const result = spawnSync(process.execPath, [join(REPO, "checker", "bin.js"), "--stack", stack, MANIFEST], { encoding: "utf8", timeout: 120_000 });
    assert.equal(result.status, 0, result.stdout);
    assert.equal(result.stderr, "");
  });

  it("the vendor's own violation is charged to it", async () => {
    const { code, out } = await run(["--stack", stack, join(__dirname, "fixtures", "policy", "app-manifest-unpinned.yaml")]);
    assert.equal(code, 1);
    assert.match(out, /container "platform-app-weather-widget-container"[^\n]*\n {4}MANDATORY high cis-5\.28-image-pinned/);
    assert.doesNotMatch(out.split("the stack itself")[0], /platform-app-forecast-widget-container|platform-gateway-container/);
  });
});

describe("colour", () => {
  it("colours text for a terminal, never JSON, and honours NO_COLOR", async () => {
    const coloured = await run([join(__dirname, "fixtures", "policy", "insecure-stack.export.json")], true);
    assert.match(coloured.out, /\u001b\[1;31mMANDATORY\u001b\[0m/);
    assert.match(coloured.out, /\u001b\[1;31mREJECTED\u001b\[0m/);
    const plain = await run([join(__dirname, "fixtures", "policy", "insecure-stack.export.json")], false);
    assert.doesNotMatch(plain.out, /\u001b\[/);
    const json = await run(["--format", "json", MANIFEST], true);
    assert.doesNotMatch(json.out, /\u001b\[/);
    assert.equal(wantsColor({ isTTY: true }, {}), true);
    assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: "1" }), false);
    assert.equal(wantsColor({ isTTY: false }, {}), false);
    assert.equal(wantsColor({}, {}), false);
    assert.equal(formatText({ files: [], summary: { files: 0, resources: 0, mandatory: 0, advisory: 0, unreadable: 0 }, exitCode: 0 }, { color: true }), "\u001b[1;32mpassed\u001b[0m: 0 files, 0 resources, 0 mandatory violations, 0 advisories");
  });
});
