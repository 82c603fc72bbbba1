// The admission report's Markdown and HTML pages, drawn from hand-written reports (test/fixtures/admission):
// the verdict comes first, every reason and every probe is shown, a part that was not observed says
// "unknown" and why (never a zero), vendor-controlled text is escaped, and the HTML fetches nothing.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { renderHtml } from "../admission/report/html";
import { formatMarkdown } from "../admission/report/markdown";
import { ADMISSION_REPORT_FORMAT, type AdmissionReport } from "../admission/report/model";

const FIXTURES = join(__dirname, "fixtures", "admission");

const STEPS = ["manifest", "dependencies", "attacks", "behaviour"] as const;
const VERDICTS = new Set(["stopped", "NOT STOPPED", "ok", "FAILED", "skipped"]);

/**
 * A fixture as an AdmissionReport. JSON imports widen every string, so the compiler cannot hold the file to
 * the model's literal types: the fields those types pin down are checked here instead.
 */
function loadReport(name: "reject" | "admit"): AdmissionReport {
  const report = JSON.parse(readFileSync(join(FIXTURES, `report-${name}.json`), "utf8")) as AdmissionReport;
  assert.equal(report.format, ADMISSION_REPORT_FORMAT, `${name}: format`);
  assert.ok(report.verdict === "admit" || report.verdict === "reject", `${name}: verdict ${report.verdict}`);
  assert.ok([0, 1, 2].includes(report.exitCode), `${name}: exitCode ${report.exitCode}`);
  for (const reason of [...report.reasons, ...report.notes]) assert.ok(STEPS.includes(reason.step) && typeof reason.text === "string", `${name}: reason ${JSON.stringify(reason)}`);
  for (const step of STEPS) assert.ok(["pass", "reject", "error"].includes(report.steps[step].status), `${name}: steps.${step}.status`);
  for (const result of report.steps.attacks.results) assert.ok(VERDICTS.has(result.verdict) && typeof result.evidence === "string", `${name}: probe ${result.probe}`);
  for (const socket of report.steps.behaviour.observation?.network?.offNetwork ?? []) assert.ok(["tcp", "udp"].includes(socket.protocol) && Array.isArray(socket.states), `${name}: socket ${socket.remote}`);
  for (const finding of report.steps.manifest.findings) assert.ok(["mandatory", "advisory"].includes(finding.enforcementLevel), `${name}: finding ${finding.ruleId}`);
  return report;
}

const copy = <T>(value: T): T => structuredClone(value);

/** Markdown with its backslash escapes undone: the text a reader sees. */
const unescapeMarkdown = (md: string) => md.replace(/\\([\\`*_[\]<>|~#+\-.)!&])/g, "$1").replace(/&amp;/g, "&");

/** The Markdown between a heading (`## Title` or `### Title`) and the next heading of any level. */
function mdSection(md: string, heading: string): string {
  const start = md.indexOf(`${heading}\n`);
  assert.ok(start >= 0, `no heading "${heading}"`);
  const rest = md.slice(start + heading.length + 1);
  const end = rest.search(/^#{1,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The cells of a Markdown table row, split at the pipes that are not escaped. */
const mdCells = (row: string) => row.trim().replace(/^\|/, "").replace(/(?<!\\)\|$/, "").split(/(?<!\\)\|/);

/** The visible text of an HTML fragment: tags dropped, entities decoded. */
function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

describe("the fixtures", () => {
  test("are admission reports", () => {
    const reject = loadReport("reject");
    assert.equal(reject.verdict, "reject");
    assert.ok(reject.reasons.length >= 4 && reject.steps.attacks.results.length >= 10, "the reject fixture has reasons in every step and many probes");
    const admit = loadReport("admit");
    assert.equal(admit.verdict, "admit");
    assert.deepEqual(admit.reasons, []);
  });
});

describe("formatMarkdown", () => {
  test("says the verdict first, then every reason grouped by step, then the notes and each step", () => {
    const report = loadReport("reject");
    const md = formatMarkdown(report);
    assert.match(md.split("\n")[0], /^# REJECTED: admission of forecast-widget$/);
    const head = md.slice(0, md.indexOf("## Reasons"));
    for (const fact of ["forecast-widget", report.image, "stack: dev", "duration: 6 min 48 s"]) assert.ok(unescapeMarkdown(head).includes(fact), `the head lacks ${fact}`);
    const reasons = unescapeMarkdown(mdSection(md, "## Reasons"));
    for (const reason of report.reasons) assert.ok(reasons.includes(`- ${reason.text}`), `reason missing: ${reason.text}`);
    // grouped by step, in step order
    const groups = ["**Manifest policy check**", "**Dependency check**", "**Attack probes in the sandbox**", "**Observed behaviour**"].map((g) => reasons.indexOf(g));
    assert.ok(groups.every((at, i) => at >= 0 && (i === 0 || at > groups[i - 1])), `step groups out of order: ${groups}`);
    const order = ["## Reasons", "## Notes", "## Manifest policy check", "## Dependency check", "## Attack probes in the sandbox", "## Observed behaviour"].map((h) => md.indexOf(`${h}`));
    assert.ok(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1])), `sections out of order: ${order}`);
    for (const note of report.notes) assert.ok(unescapeMarkdown(md).includes(note.text), `note missing: ${note.text}`);
  });

  test("lists every probe in a table whose rows keep their columns", () => {
    const report = loadReport("reject");
    const md = formatMarkdown(report);
    const table = mdSection(md, "## Attack probes in the sandbox: reject").split("\n").filter((line) => line.startsWith("|"));
    assert.deepEqual(mdCells(table[0]).map((c) => c.trim()), ["probe", "category", "target", "verdict", "evidence", "time"]);
    assert.equal(table.length, 2 + report.steps.attacks.results.length);
    for (const [i, result] of report.steps.attacks.results.entries()) {
      const cells = mdCells(table[2 + i]);
      assert.equal(cells.length, 6, `row of ${result.probe} has ${cells.length} cells: ${table[2 + i]}`);
      assert.equal(unescapeMarkdown(cells[0].trim()), result.probe);
      assert.ok(cells[3].includes(result.verdict));
    }
    // the evidence with a pipe and the one with a line break stay in their cells
    assert.match(md, /10\.208\.1\.3:8080 \\\| GET/);
    assert.match(md, /bounding set<br>sent 1 ARP request/);
  });

  test("shows the dependency findings, the SBOM differences and the unchecked components", () => {
    const md = unescapeMarkdown(formatMarkdown(loadReport("reject")));
    assert.match(md, /\| openssl \(Debian:12\) \| 3.0.11-1~deb12u2 \| DSA-5585-1 \(CVE-2023-5678, CVE-2023-6129\) \| \*\*high 7.5\*\* \| \*\*rejects: severity high: at or above high\*\* \| 3.0.13-1~deb12u1 \|/);
    assert.match(md, /\| in the image, not in the SBOM \| pkg:pypi\/requests@2.31.0 \|/);
    assert.match(md, /\| version differs \| SBOM pkg:pypi\/certifi@2023.7.22; image pkg:pypi\/certifi@2023.11.17 \|/);
    assert.match(md, /\| pkg:generic\/acme-forecast-core@2.4.1 \| sbom \| ecosystem generic has no advisories/);
  });

  test("shows the observed behaviour with resource peaks in MiB against the limit", () => {
    const md = unescapeMarkdown(formatMarkdown(loadReport("reject")));
    assert.match(md, /- memory peak: 256.0 MiB of 256.0 MiB limit \(100 %\)/);
    assert.match(md, /- CPU peak: 0.973 cores/);
    assert.match(md, /- processes peak: 23/);
    assert.match(md, /- OOM kills: \*\*1\*\*/);
    assert.match(md, /- health at the end: healthy/);
    assert.match(md, /\| telemetry.adnet.example:443 \| 0 \| \*\*27\*\* \|/);
    assert.match(md, /\| weather \| 429 \| 18 \|/);
    assert.match(md, /\| \*\*egressDenials\*\* \| more than 10 denied egress requests within 60s \| 11 \| 10 \|/);
    assert.match(md, /- packets with no route: \*\*6\*\*/);
    assert.match(md, /\| tcp \| \*\*203.0.113.54:443\*\* \| SYN_SENT \|/);
    assert.match(md, /\| udp \| \*\*8.8.8.8:53\*\* \| connected \|/);
  });

  test("says ADMITTED with no reason for an admitted app, and COULD NOT BE CARRIED OUT for exit code 2", () => {
    const admit = formatMarkdown(loadReport("admit"));
    assert.match(admit.split("\n")[0], /^# ADMITTED: admission of backup-agent$/);
    assert.match(mdSection(admit, "## Reasons"), /None: every step passed\./);
    assert.match(unescapeMarkdown(admit), /- admission record: .pulumi-state\/admissions\/backup-agent.json/);

    const broken = copy(loadReport("reject"));
    broken.exitCode = 2;
    broken.steps.attacks = { ...broken.steps.attacks, status: "error", results: [], error: "the sandbox could not start the app: image not found" };
    broken.reasons = [{ step: "attacks", text: "the sandbox could not start the app: image not found" }];
    const md = formatMarkdown(broken);
    assert.match(md.split("\n")[0], /^# COULD NOT BE CARRIED OUT: admission of forecast-widget$/);
    assert.match(md, /Not carried out to the end: attack probes in the sandbox could not run/);
    assert.match(md, /\*\*The sandbox run failed: the sandbox could not start the app: image not found\*\*/);
  });
});

/** The reject report with parts of its observation missing, as observeApp leaves them when a source could not be read. */
function withoutGateway(): AdmissionReport {
  const report = copy(loadReport("reject"));
  const observation = report.steps.behaviour.observation!;
  delete observation.gateway;
  delete observation.resources;
  observation.problems = [
    "no gateway container was given: the app's gateway traffic is unknown",
    "no resource sample of container 4f1c2a9e7b3d was taken: it did not run during the window, so its resource use is unknown",
    "the monitor's rules saw only the egress proxy's log: bans the other log would have caused are unknown",
  ];
  return report;
}

describe("unknown parts", () => {
  test("a gateway that was not read is unknown with the problem's text, never 0 calls (Markdown)", () => {
    const report = withoutGateway();
    const md = formatMarkdown(report);
    const gateway = unescapeMarkdown(mdSection(md, "### Gateway calls"));
    assert.match(gateway, /unknown: no gateway container was given: the app's gateway traffic is unknown/);
    assert.doesNotMatch(gateway, /calls: |\| weather \|/);
    assert.doesNotMatch(md, /\b0 calls\b|calls: 0/);
    const resources = unescapeMarkdown(mdSection(md, "### Resources and lifecycle"));
    assert.match(resources, /- memory peak: unknown: no resource sample of container 4f1c2a9e7b3d was taken/);
    assert.doesNotMatch(resources, /MiB/);
    // the parts that were read are still shown
    assert.match(unescapeMarkdown(mdSection(md, "### Egress (internet through the proxy)")), /- requests: 166/);
    for (const problem of report.steps.behaviour.observation!.problems) assert.ok(unescapeMarkdown(mdSection(md, "### What could not be observed")).includes(`- ${problem}`), problem);
  });

  test("a gateway that was not read is unknown with the problem's text, never 0 calls (HTML)", () => {
    const html = renderHtml(withoutGateway(), {});
    const text = htmlText(html);
    const gateway = text.slice(text.indexOf("Gateway calls"), text.indexOf("Egress (internet"));
    assert.match(gateway, /unknown: no gateway container was given: the app's gateway traffic is unknown/);
    assert.doesNotMatch(gateway, /\bcalls \d|weather/);
    assert.doesNotMatch(text, /\b0 calls\b/);
    assert.match(text, /memory peak unknown: no resource sample/);
  });

  test("a behaviour step that could not run leaves every part unknown with its error", () => {
    const report = copy(loadReport("reject"));
    report.steps.behaviour = { status: "error", error: "the app's container exited before the observation began (exit code 1)" };
    const md = unescapeMarkdown(formatMarkdown(report));
    const behaviour = md.slice(md.indexOf("## Observed behaviour"));
    for (const part of ["### Gateway calls", "### Egress (internet through the proxy)", "### Direct connection attempts (kernel counters)", "### Bans the security monitor would have decided"]) {
      assert.match(behaviour.slice(behaviour.indexOf(part)), new RegExp(`^${part.replace(/[()]/g, "\\$&")}\\n\\n\\*\\*unknown: the app's container exited before the observation began`), part);
    }
    assert.match(behaviour, /- memory peak: unknown: the app's container exited/);
    assert.match(behaviour, /- restarts: unknown: the app's container exited/);
    assert.doesNotMatch(behaviour, /: 0\b|\| 0 \|/);
  });
});

const SCRIPT = "<script>alert(1)</script>";
const IMG = '"><img src=x onerror=alert(1)>';
const AMP = "Tom & Jerry's <b>bold</b> &amp; &#60;";
const LONG = `AAAA${"Qk9PTQ".repeat(60)}ZZZZ`;
const HOSTILE = [SCRIPT, IMG, AMP, LONG];
/** fields whose values the model fixes (enums): a vendor cannot put text there */
const FIXED_VALUES = new Set(["format", "verdict", "status", "category", "enforcementLevel", "step", "level", "foundIn", "rule", "severity"]);
/** records whose keys come from logs (services, hosts, flags) */
const LOGGED_KEYS = new Set(["byService", "allowed", "denied", "refused"]);

/** The report with a hostile string appended to every free text and every logged key, in turn. */
function planted(report: AdmissionReport): AdmissionReport {
  let next = 0;
  const hostile = () => HOSTILE[next++ % HOSTILE.length];
  const walk = (value: unknown, key: string): unknown => {
    if (typeof value === "string") return FIXED_VALUES.has(key) ? value : `${value} ${hostile()}`;
    if (Array.isArray(value)) return value.map((item) => walk(item, key));
    if (value && typeof value === "object") {
      const renamed = LOGGED_KEYS.has(key);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [renamed ? `${k}${hostile()}` : k, walk(v, k)]));
    }
    return value;
  };
  return walk(copy(report), "") as AdmissionReport;
}

describe("hostile text from the vendor", () => {
  test("is escaped in the HTML: no tag, attribute or entity comes from it, and long words can wrap", () => {
    const report = planted(loadReport("reject"));
    assert.ok(report.steps.attacks.results[0].evidence.includes("<") || report.steps.attacks.results[1].evidence.includes("<"), "the planting reached the evidence");
    const html = renderHtml(report, { topologyError: `Graphviz failed ${SCRIPT}` });
    for (const raw of [SCRIPT, IMG, "<b>bold</b>", "Tom & Jerry"]) assert.ok(!html.includes(raw), `unescaped: ${raw}`);
    assert.doesNotMatch(html, /<script|<img|<b>/i);
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert.ok(html.includes("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert.ok(html.includes("Tom &amp; Jerry&#39;s &lt;b&gt;bold&lt;/b&gt; &amp;amp; &amp;#60;"));
    assert.doesNotMatch(html, /&(?!(?:amp|lt|gt|quot|#39);)/, "an & that is not one of the page's own entities");
    // planted into keys (hosts, services) and values (evidence, host names, problems) alike
    const text = htmlText(html);
    assert.ok(text.includes(`telemetry.adnet.example:443${SCRIPT}`) || text.includes(`telemetry.adnet.example:443${IMG}`) || text.includes(`telemetry.adnet.example:443${AMP}`) || text.includes(`telemetry.adnet.example:443${LONG}`), "a planted host");
    assert.ok(text.includes(`Graphviz failed ${SCRIPT}`));
    assert.ok(html.split(LONG).length > 10, "the long token is kept whole in the page");
    assert.match(html, /th, td \{[^}]*overflow-wrap: anywhere/);
    assert.match(html, /body \{[^}]*overflow-wrap: anywhere/);
  });

  test("is escaped in the Markdown: no HTML, link or table column comes from it", () => {
    const report = planted(loadReport("reject"));
    const md = formatMarkdown(report);
    assert.doesNotMatch(md, /(?<!\\)<(?!br>)/, "a < that is neither escaped nor the page's own <br>");
    assert.doesNotMatch(md, /(?<!\\)\[/, "an unescaped [ (a link)");
    for (const heading of ["## Attack probes in the sandbox: reject", "### Vulnerabilities", "### Bans the security monitor would have decided"]) {
      const rows = mdSection(md, heading).split("\n").filter((line) => line.startsWith("|"));
      const columns = mdCells(rows[0]).length;
      for (const row of rows) assert.equal(mdCells(row).length, columns, `${heading}: ${row.slice(0, 120)}`);
    }
    assert.ok(unescapeMarkdown(md).includes(SCRIPT));
  });
});

describe("renderHtml", () => {
  test("is one self-contained page: verdict banner first, title, colour scheme and a CSP that forbids fetching", () => {
    const report = loadReport("reject");
    const html = renderHtml(report, {});
    assert.match(html, /<title>Admission: forecast-widget — REJECTED<\/title>/);
    assert.match(html, /<meta name="color-scheme" content="light">/);
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`));
    const body = html.slice(html.indexOf("<body>") + "<body>".length);
    assert.match(body, /^\s*<header class="verdict bad" id="verdict"><h1>REJECTED<\/h1>/);
    assert.doesNotMatch(html, /<script|<link|<iframe|<object|<embed|<img|@import|url\(/i);
    const text = htmlText(html);
    for (const reason of report.reasons) assert.ok(text.includes(reason.text.replace(/\s+/g, " ")), `reason missing: ${reason.text}`);
    for (const result of report.steps.attacks.results) assert.ok(html.includes(`<td>${result.probe}</td>`), `probe missing: ${result.probe}`);
    assert.match(html, /<td class="tone bad">NOT STOPPED<\/td>/);
    assert.match(html, /<td class="tone good">stopped<\/td>/);
    assert.match(html, /<td class="tone muted">skipped<\/td>/);
    assert.match(html, /<td class="num">8\.4 s<\/td>/);
    assert.match(html, /<th class="num" scope="col"[^>]*>calls<\/th>/);

    const admit = renderHtml(loadReport("admit"), {});
    assert.match(admit, /<title>Admission: backup-agent — ADMITTED<\/title>/);
    assert.match(admit, /<header class="verdict good"/);
    const broken = copy(report);
    broken.exitCode = 2;
    assert.match(renderHtml(broken, {}), /<title>Admission: forecast-widget — COULD NOT BE CARRIED OUT<\/title>[\s\S]*<header class="verdict warn"/);
  });

  test("inlines the topology SVG without prolog and names no URL but the SVG namespaces", () => {
    const svg = [
      '<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
      '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
      "<!-- Generated by graphviz -->",
      '<svg width="300pt" height="100pt" viewBox="0 0 300 100" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><g id="graph0" class="graph"><title>topology</title><a xlink:href="#node1"><text x="10" y="20">forecast&#45;widget</text></a></g></svg>',
    ].join("\n");
    const html = renderHtml(loadReport("reject"), { topologySvg: svg });
    assert.match(html, /<figure class="topology"><svg width="300pt"/);
    assert.doesNotMatch(html, /<\?xml|<!DOCTYPE svg|svg11\.dtd/);
    assert.match(html, /figure\.topology svg \{[^}]*max-width: 100%;[^}]*height: auto/);
    // every attribute that names a URL is a namespace declaration (a name, never fetched)
    const urls = [...html.matchAll(/([\w:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/g)].filter(([, , value]) => /(?:https?:)?\/\//i.test(value));
    assert.deepEqual(urls.map(([, name, value]) => `${name}=${value}`).sort(), ['xmlns:xlink="http://www.w3.org/1999/xlink"', 'xmlns="http://www.w3.org/2000/svg"']);
    assert.doesNotMatch(html.replace(/xmlns(?::xlink)?="http:\/\/www\.w3\.org\/(?:2000\/svg|1999\/xlink)"/g, ""), /https?:\/\//);
  });

  test("refuses an SVG that would fetch or run something, and says why the drawing is absent", () => {
    const report = loadReport("reject");
    const base = (inner: string) => `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">${inner}</svg>`;
    const cases: [string, RegExp][] = [
      [base('<image href="https://tracker.example/p.png"/>'), /loads other content/],
      [base('<a xlink:href="http://evil.example/"><text>x</text></a>'), /href to something other than a fragment/],
      [base('<rect style="fill: url(https://evil.example/f.svg#p)"/>'), /url\(\)/],
      [base("<script>alert(1)</script>"), /<script> element/],
      [base('<rect onload="alert(1)"/>'), /event handler/],
      ["<html><body>not a drawing</body></html>", /not an SVG document/],
    ];
    for (const [svg, why] of cases) {
      const html = renderHtml(report, { topologySvg: svg });
      const box = /<div class="topology-absent">([\s\S]*?)<\/div>/.exec(html);
      assert.ok(box, `no absence box for ${svg}`);
      assert.match(htmlText(box[1]), why);
      assert.doesNotMatch(html, /<svg|tracker\.example|evil\.example\/"|<script>/);
    }
    const failed = renderHtml(report, { topologyError: "Graphviz could not lay out the stack: out of memory" });
    assert.match(htmlText(failed), /No topology drawing\. Graphviz could not lay out the stack: out of memory/);
    assert.match(htmlText(renderHtml(report, {})), /No topology drawing\. The report was rendered without one\./);
  });
});
