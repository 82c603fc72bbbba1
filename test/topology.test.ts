// npm run topology: the graph drawn from the plan (model), its DOT and Mermaid text (goldens for the dev
// stack), the SVG Graphviz lays out from it (well-formed, every app, service and domain in it), escaping
// of every string that reaches a picture, and the command's usage errors.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { CommandIo } from "../cli/args";
import { loadStackFile, parsePlatformConfig, stackFilePath } from "../config/load";
import { buildPlan, PlatformPlan } from "../plan/plan";
import { main } from "../topology/cli";
import { topologyDot } from "../topology/dot";
import { topologyMermaid } from "../topology/mermaid";
import { TopologyModel, topologyModel, UnknownAppError } from "../topology/model";
import { dotToSvg, topologySvg } from "../topology/svg";
import { printable } from "../topology/text";
import { validAtBounds } from "./support/config-arbitraries";
import { assertGolden, GOLDEN_DIR } from "./support/envoy-golden";
import { REPO_ROOT } from "./support/stack-config";

mkdirSync(join(GOLDEN_DIR, "topology"), { recursive: true });
const work = mkdtempSync(join(tmpdir(), "topology-"));
after(() => rmSync(work, { recursive: true, force: true }));

const devPlan = (): PlatformPlan => buildPlan(loadStackFile(stackFilePath("dev", REPO_ROOT)).config, "dev");

/**
 * XML well-formedness, strict enough for Graphviz's SVG: one root, balanced tags, quoted attributes
 * without `<` and with distinct names, only the predefined and numeric entities, no characters XML forbids.
 */
function assertWellFormedXml(xml: string): void {
  assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/, "a character XML forbids");
  const entities = (text: string, where: string) =>
    assert.doesNotMatch(text.replace(/&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, ""), /&/, `a bare & in ${where}: ${text.slice(0, 80)}`);
  const open: string[] = [];
  let roots = 0;
  const token = /<!--(?:(?!--)[\s\S])*-->|<\/([A-Za-z][\w:.-]*)\s*>|<([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of xml.matchAll(token)) {
    const [, close, name, attributes, selfClosing, text, stray] = m;
    assert.equal(stray, undefined, `markup that is no tag at offset ${m.index}: ${xml.slice(m.index, m.index! + 60)}`);
    if (text !== undefined) {
      entities(text, "text");
      if (open.length === 0) assert.equal(text.trim(), "", `text outside the root element: ${text.slice(0, 60)}`);
    } else if (name !== undefined) {
      const attributeNames = [...attributes.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)].map((a) => (entities(a[2] ?? a[3], `attribute ${a[1]} of <${name}>`), a[1]));
      assert.equal(new Set(attributeNames).size, attributeNames.length, `<${name}> repeats an attribute`);
      if (open.length === 0) roots++;
      if (!selfClosing) open.push(name);
    } else if (close !== undefined) {
      assert.equal(open.pop(), close, `</${close}> closes the wrong element`);
    }
  }
  assert.deepEqual(open, [], "elements left open");
  assert.equal(roots, 1, "exactly one root element");
}

const unescapeXml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === "amp" ? "&" : e === "lt" ? "<" : e === "gt" ? ">" : e === "quot" ? '"' : e === "apos" ? "'" : String.fromCodePoint(e.startsWith("#x") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
  );

/** Every line of text the SVG shows, as a person would read it. */
const svgTexts = (svg: string) => [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => unescapeXml(m[1]));

/** Every quoted string of a Mermaid text, decoded as Mermaid decodes it: lines split at <br/>, entity codes resolved. */
const mermaidStrings = (text: string) =>
  [...text.matchAll(/"([^"]*)"/g)].map((m) => m[1].split("<br/>").map((line) => line.replace(/#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))));

function capture(): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe("topology model", () => {
  it("draws every app in its own network, every service, the identity provider and every whitelisted domain of the dev stack", () => {
    const model = topologyModel(devPlan());
    const names = (kind: string) => model.nodes.filter((n) => n.kind === kind).map((n) => n.lines[0]);
    assert.deepEqual(names("app"), ["forecast-widget", "backup-agent"]);
    assert.deepEqual(names("service"), ["weather", "storage"]);
    assert.deepEqual(names("domain"), ["api.example.com", ".tiles.example.net", "objects.example.org"]);
    const app = model.nodes.find((n) => n.lines[0] === "backup-agent")!;
    const cluster = model.clusters.find((c) => c.id === app.cluster)!;
    const plan = devPlan().apps.find((a) => a.config.name === "backup-agent")!;
    assert.deepEqual(cluster.title, [`app network ${plan.network.dockerName}`, `${plan.network.subnet} · internal`]);
    assert.deepEqual(model.clusters.find((c) => c.kind === "outbound")!.title[1], "10.208.2.0/24 · not internal");
    const grants = model.edges.find((e) => e.from === app.id && e.kind === "grants")!;
    assert.deepEqual(grants.lines, ["storage: GET PUT POST /v1/buckets/backup-agent", "weather: GET /v1/current"]);
  });

  it("focused on one app, leaves out the other apps, the services it may not call and the domains it may not reach", () => {
    const model = topologyModel(devPlan(), { app: "forecast-widget" });
    const shown = model.nodes.map((n) => n.lines[0]);
    assert.ok(shown.includes("forecast-widget") && shown.includes("weather") && shown.includes("api.example.com") && shown.includes(".tiles.example.net"));
    for (const absent of ["backup-agent", "storage", "objects.example.org"]) assert.ok(!shown.includes(absent), `${absent} is drawn`);
    assert.equal(model.clusters.filter((c) => c.kind === "app-network").length, 1);
    assert.match(model.nodes.find((n) => n.id === "gateway")!.lines[1], /^10\.208\.\d+\.\d+:8443 in the app subnet$/, "the gateway's address in the app's own subnet");
  });

  it("names the stack's apps when asked for one it does not have", () => {
    assert.throws(() => topologyModel(devPlan(), { app: "nope" }), (error: unknown) => error instanceof UnknownAppError && /has no app "nope": its apps are forecast-widget, backup-agent/.test(error.message));
  });

  it("draws an app without grants or whitelist with dashed edges that say so, and keeps long lists short", () => {
    const raw = loadStackFile(stackFilePath("dev", REPO_ROOT)).config;
    const paths = Array.from({ length: 9 }, (_, i) => `/v1/${"x".repeat(60)}${i}`);
    const config = parsePlatformConfig({
      ...JSON.parse(JSON.stringify(raw)),
      apps: [
        { name: "idle", image: raw.apps[0].image, services: [], egress: [] },
        { name: "busy", image: raw.apps[0].image, services: [{ name: "weather", pathPrefixes: paths }], egress: [] },
      ],
    }).config;
    const model = topologyModel(buildPlan(config, "dev"));
    const edge = (from: string, kind: string) => model.edges.find((e) => e.from === from && e.kind === kind)!;
    assert.deepEqual([edge("app_0", "grants").empty, edge("app_0", "grants").lines], [true, ["tokens only: no service granted"]]);
    assert.deepEqual([edge("app_0", "proxy").empty, edge("app_0", "proxy").lines], [true, ["no host whitelisted"]]);
    const line = edge("app_1", "grants").lines[0];
    assert.match(line, /^weather: GET HEAD \/v1\/x+…, \/v1\/x+…, \/v1\/x+…, \+6 more$/);
    assert.ok(line.length < 160, `an edge label of ${line.length} characters`);
  });
});

describe("topology goldens (the dev stack)", () => {
  it("DOT and Mermaid of the whole stack", () => {
    const model = topologyModel(devPlan());
    assertGolden("topology/dev.dot", topologyDot(model));
    assertGolden("topology/dev.mmd", topologyMermaid(model));
  });

  it("DOT and Mermaid of one app", () => {
    const model = topologyModel(devPlan(), { app: "backup-agent" });
    assertGolden("topology/dev-backup-agent.dot", topologyDot(model));
    assertGolden("topology/dev-backup-agent.mmd", topologyMermaid(model));
  });
});

describe("topology SVG", () => {
  it("is well-formed and shows every app, service and domain of the dev stack, and the networks' subnets", async () => {
    const plan = devPlan();
    const svg = await topologySvg(plan);
    assertWellFormedXml(svg);
    assert.match(svg, /^<!-- Generated by graphviz/, "no XML declaration or DOCTYPE, so it can be inlined in HTML");
    const texts = svgTexts(svg);
    for (const name of ["forecast-widget", "backup-agent", "weather", "storage", "api.example.com", ".tiles.example.net", "objects.example.org"]) assert.ok(texts.includes(name), `${name} is not shown`);
    for (const network of [...plan.apps.map((a) => a.network), ...Object.values(plan.networks)]) assert.ok(texts.some((t) => t.startsWith(network.subnet)), `${network.subnet} is not shown`);
  });

  it("of one app, from the validated config and the stack's name, shows only that app", async () => {
    const svg = await topologySvg(loadStackFile(stackFilePath("dev", REPO_ROOT)).config, { stack: "dev", app: "backup-agent" });
    assertWellFormedXml(svg);
    const texts = svgTexts(svg);
    for (const name of ["backup-agent", "storage", "weather", "objects.example.org"]) assert.ok(texts.includes(name), `${name} is not shown`);
    for (const name of ["forecast-widget", "api.example.com"]) assert.ok(!texts.includes(name), `${name} is shown`);
    await assert.rejects(topologySvg(loadStackFile(stackFilePath("dev", REPO_ROOT)).config, {} as { stack: string }), /a config needs options\.stack/);
  });

  it("reports Graphviz's own error for DOT it cannot read", async () => {
    await assert.rejects(dotToSvg("digraph { a -> }"), /syntax error in line 1/);
  });
});

describe("escaping: every string that reaches a picture", () => {
  // configs the schema accepts, at every bound: names are DNS labels up to 63 characters, domains up to 253, .suffix forms
  it("shows every app, service and domain of any valid config as exact text, in well-formed SVG and in Mermaid", async () => {
    await fc.assert(
      fc.asyncProperty(validAtBounds, fc.nat(), async ({ config: raw, label }, pick) => {
        const plan = buildPlan(parsePlatformConfig(raw, label).config, "prop");
        const names = [...plan.apps.map((a) => a.config.name), ...plan.services.map((s) => s.config.name), ...plan.apps.flatMap((a) => a.config.egress)];
        const model = topologyModel(plan);
        const svg = await dotToSvg(topologyDot(model));
        assertWellFormedXml(svg);
        const texts = new Set(svgTexts(svg));
        for (const name of names) assert.ok(texts.has(name), `${name} is not shown (${label})`);
        const mermaid = new Set(mermaidStrings(topologyMermaid(model)).map((lines) => lines[0]));
        for (const name of names) assert.ok(mermaid.has(name), `${name} is not in the Mermaid text (${label})`);
        const focus = plan.apps[pick % plan.apps.length].config.name;
        const others = plan.apps.map((a) => a.config.name).filter((n) => n !== focus);
        const focused = new Set(svgTexts(await dotToSvg(topologyDot(topologyModel(plan, { app: focus })))));
        assert.ok(focused.has(focus) && others.every((n) => !focused.has(n)), `focus on ${focus} (${label})`);
      }),
      { numRuns: 150, seed: 0x70b0 },
    );
  });

  // any text at all, as if a plan had come from elsewhere: Graphviz and Mermaid syntax, entities, controls, Unicode
  const piece = fc.oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
    fc.string({ unit: "binary", minLength: 1, maxLength: 6 }),
    fc.constantFrom('\\N', "\\l", "\\", '"', "&amp;", "&lt;b&gt;", "&#65;", "<b>x</b>", "<br/>", "#quot;", "#35;", "%%", "end", '"] --> x["', "|x|", "`**md**`", ";", "\n", "\u0000", "\u2028", "\ud800", "classDef x fill:red", "]]>", "<!--", "}", "{", "->", "é😀"),
  );
  const text = fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) => `x${parts.join("")}x`);
  const lines = fc.array(text, { minLength: 1, maxLength: 3 });

  /** The dev stack's model with every label, title and caption replaced by generated text. */
  const hostileModel = fc.record({ title: text, labels: fc.array(lines, { minLength: 40, maxLength: 40 }) }).map(({ title, labels }): TopologyModel => {
    const model = topologyModel(devPlan());
    let next = 0;
    const take = () => labels[next++ % labels.length];
    return {
      title,
      clusters: model.clusters.map((c) => ({ ...c, title: take() })),
      nodes: model.nodes.map((n) => ({ ...n, lines: take() })),
      edges: model.edges.map((e) => ({ ...e, lines: take() })),
    };
  });

  it("Graphviz shows any label exactly as given (controls as U+FFFD), in well-formed SVG", async () => {
    await fc.assert(
      fc.asyncProperty(hostileModel, async (model) => {
        const svg = await dotToSvg(topologyDot(model));
        assertWellFormedXml(svg);
        // Graphviz keeps runs of spaces visible by writing every second one as a no-break space
        const seen = (line: string) => line.replace(/\u00a0/g, " ");
        const shown = svgTexts(svg).map(seen).sort();
        const expected = [`Topology of ${model.title}`, ...[...model.clusters.map((c) => c.title), ...model.nodes.map((n) => n.lines), ...model.edges.map((e) => e.lines)].flat()].map((line) => seen(printable(line))).sort();
        assert.deepEqual(shown, expected);
      }),
      { numRuns: 300, seed: 0x70b1 },
    );
  });

  it("Mermaid strings hold only plain characters, entity codes and line breaks, and decode to the labels", () => {
    fc.assert(
      fc.property(hostileModel, (model) => {
        const mermaid = topologyMermaid(model);
        for (const line of mermaid.split("\n").filter(Boolean)) {
          // each line is a statement of the flowchart; quoted strings are the only place for text
          assert.match(line.replace(/"(?:[A-Za-z0-9 ._~/:,*+=@()\-·…]|#\d+;|<br\/>)*"/g, "S"), /^(flowchart LR|  %% .*|  subgraph \w+ \[S\]|  end|\s+\w+\[S\]|  \w+ (-->|-\.->)(\|S\|)? \w+|  classDef \w+ [\w:#,]+|  class [\w,]+ \w+|  style \w+ [\w:#,. -]+|  linkStyle \d+ stroke:#\w+)$/, `unexpected statement: ${line}`);
        }
        const expected = [...model.clusters.map((c) => c.title), ...model.nodes.map((n) => n.lines), ...model.edges.filter((e) => e.lines.length).map((e) => e.lines)].map((l) => l.map(printable).join("\n"));
        assert.deepEqual(mermaidStrings(mermaid).map((l) => l.join("\n")).sort(), expected.sort());
      }),
      { numRuns: 500, seed: 0x70b2 },
    );
  });
});

describe("npm run topology", () => {
  const run = async (...argv: string[]) => {
    const io = capture();
    const code = await main(argv, io, work);
    return { code, stdout: io.out.join("\n"), stderr: io.err.join("\n") };
  };
  writeFileSync(join(work, "Pulumi.dev.yaml"), readFileSync(stackFilePath("dev", REPO_ROOT)));
  writeFileSync(join(work, "Pulumi.bad.yaml"), readFileSync(stackFilePath("dev", REPO_ROOT), "utf8").replace("- api.example.com", '- "api.example.com #x"'));
  writeFileSync(join(work, "Pulumi.broken.yaml"), "config:\n  platform:apps: [\n");

  it("draws SVG by default, DOT and Mermaid on request, and writes --output", async () => {
    const svg = await run("--stack", "dev");
    assert.equal(svg.code, 0, svg.stderr);
    assert.match(svg.stdout, /^<!-- Generated by graphviz[\s\S]*<svg [\s\S]*<\/svg>$/);
    assert.ok(svgTexts(svg.stdout).includes("forecast-widget"));
    const dot = await run("--stack", "dev", "--format", "dot", "--app", "forecast-widget");
    assert.equal(dot.stdout + "\n", topologyDot(topologyModel(devPlan(), { app: "forecast-widget" })));
    const mermaid = await run("--stack", "dev", "--format", "mermaid");
    assert.equal(mermaid.stdout + "\n", topologyMermaid(topologyModel(devPlan())));
    const file = join(work, "out.svg");
    const written = await run("--stack", "dev", "--app", "backup-agent", "--output", file);
    assert.equal(written.code, 0);
    assert.equal(written.stdout, "");
    assert.match(written.stderr, /app backup-agent in stack dev written to .*out\.svg/);
    assert.equal(readFileSync(file, "utf8"), `${await topologySvg(devPlan(), { app: "backup-agent" })}`);
  });

  const usage: [string, string[], RegExp][] = [
    ["no --stack", [], /^topology: --stack is required/],
    ["an unknown format", ["--stack", "dev", "--format", "png"], /^topology: --format must be svg, dot or mermaid, not "png"/],
    ["an unknown app, naming the apps there are", ["--stack", "dev", "--app", "nope"], /^topology: --app: stack dev has no app "nope": its apps are forecast-widget, backup-agent/],
    ["a stack without a file, naming the stacks there are", ["--stack", "prod"], /^topology: --stack prod: there is no .*Pulumi\.prod\.yaml; the stacks here are bad, broken, dev/],
    ["a stack name that is a path", ["--stack", "../dev"], /^topology: --stack must be a stack name/],
    ["an unknown option", ["--stack", "dev", "--colour"], /^topology: unknown option --colour/],
  ];
  for (const [what, argv, message] of usage) {
    it(`refuses ${what} with the usage, exit 2`, async () => {
      const result = await run(...argv);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, message);
      assert.match(result.stderr, /\n\nusage: npm run topology -- --stack NAME/);
    });
  }

  it("ends an invalid stack with the config error, exit 2", async () => {
    const bad = await run("--stack", "bad");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^topology: invalid .*Pulumi\.bad\.yaml \(1 problem\); nothing was created:\n {2}- platform:apps\[0\]\.egress\[0\]: "api\.example\.com #x" is not an allowed egress domain/);
    const broken = await run("--stack", "broken");
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /^topology: .*Pulumi\.broken\.yaml: invalid YAML at line \d+, column \d+/);
  });

  it("says when --output cannot be written, exit 2", async () => {
    const result = await run("--stack", "dev", "--output", join(work, "no-such-dir", "out.svg"));
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^topology: cannot write --output .*no-such-dir\/out\.svg: ENOENT/);
  });

  it("prints its usage for --help, exit 0", async () => {
    const help = await run("--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npm run topology -- --stack NAME \[--format svg\|dot\|mermaid\] \[--app NAME\] \[--output FILE\]/);
  });

  it("runs as npm run topology does, with its exit code", () => {
    const tsx = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "topology", "cli.ts"), ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
    const drawn = tsx("--stack", "dev", "--format", "mermaid", "--app", "backup-agent");
    assert.equal(drawn.status, 0, drawn.stderr);
    assert.match(drawn.stdout, /^flowchart LR\n[\s\S]*"backup-agent<br\/>/);
    const refused = tsx("--stack", "dev", "--app", "nope");
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /its apps are forecast-widget, backup-agent/);
  });
});
