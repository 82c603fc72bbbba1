// The admission report as one self-contained HTML page: inline CSS, no script, nothing fetched (a
// Content-Security-Policy forbids it even if a mistake slipped in), every text from the report escaped
// (it comes from vendor-controlled images and logs), and the app's topology drawing inlined as SVG.
import { reportDocument } from "./document";
import { Block, Cell, STATUS_TONE, Tone } from "./document-model";
import type { AdmissionReport } from "./model";

export interface HtmlOptions {
  /** the app's topology as an SVG document (topology/svg.ts topologySvg) */
  topologySvg?: string;
  /** why there is no topology drawing, shown in its place */
  topologyError?: string;
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe in HTML element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** What an SVG must not contain to be inlined here: anything that runs, or fetches, or embeds other markup. */
const UNSAFE_SVG: [RegExp, string][] = [
  [/<script\b/i, "a <script> element"],
  [/<foreignObject\b/i, "a <foreignObject> element"],
  [/<(?:image|use|feImage|iframe|object|embed)\b/i, "an element that loads other content"],
  [/\son[a-z]+\s*=/i, "an event handler attribute"],
  [/\bhref\s*=\s*(?:"(?!#)|'(?!#)|(?!["'#]))/i, "an href to something other than a fragment of itself"],
  [/url\(\s*(?:"(?!#)|'(?!#)|(?!["'#\s]))/i, "a url() to something other than a fragment of itself"],
  [/@import\b/i, "an @import"],
  [/(?:https?:)?\/\/(?!www\.w3\.org\/(?:2000\/svg|1999\/xlink)["'])/i, "a URL other than the SVG and XLink namespaces"],
];

/**
 * The SVG text ready to inline: XML declaration, DOCTYPE and comments before the root dropped; or why it
 * cannot be inlined. Only the namespace attributes may name a URL (they are names, never fetched).
 */
export function inlineableSvg(svg: string): { svg: string } | { error: string } {
  const body = svg.replace(/^\uFEFF?\s*(?:(?:<\?xml[\s\S]*?\?>|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>|<!--[\s\S]*?-->)\s*)*/i, "");
  if (!/^<svg[\s>]/i.test(body) || !/<\/svg>\s*$/i.test(body)) return { error: "the topology drawing is not an SVG document (it must start with <svg and end with </svg>)" };
  if (/<!DOCTYPE|<!ENTITY|<\?xml/i.test(body)) return { error: "the topology drawing declares a DOCTYPE, entities or an XML declaration inside it" };
  for (const [pattern, what] of UNSAFE_SVG) if (pattern.test(body)) return { error: `the topology drawing was left out: it contains ${what}` };
  return { svg: body };
}

const TONE_CLASS: Record<Tone, string> = { good: "good", bad: "bad", warn: "warn", muted: "muted" };
const toneClass = (tone: Tone | undefined) => (tone ? ` class="${TONE_CLASS[tone]}"` : "");

/** Escaped text whose line breaks stay line breaks. */
const escapedLines = (text: string) => escapeHtml(text).replace(/\r\n|\r|\n/g, "<br>");

function cell(c: Cell, numeric: boolean | undefined): string {
  const classes = [numeric ? "num" : "", c.tone ? `tone ${TONE_CLASS[c.tone]}` : ""].filter(Boolean).join(" ");
  return `<td${classes ? ` class="${classes}"` : ""}>${escapedLines(c.text)}</td>`;
}

/** words up to this long are kept whole; longer tokens (digests, purls, base64) may break anywhere */
const MAX_WHOLE_WORD = 14;
/** the body's max-width */
const PAGE_WIDTH_PX = 1200;

/**
 * A column's minimum width: its longest word (at most MAX_WHOLE_WORD characters), so that cells break
 * between words and only overlong tokens break inside (overflow-wrap: anywhere alone would let the
 * table squeeze short columns down to a letter or two).
 */
function minWidthCh(table: Extract<Block, { kind: "table" }>, column: number): number {
  let longest = 0;
  for (const text of [table.columns[column].title, ...table.rows.map((row) => row[column]?.text ?? "")]) {
    for (const word of text.split(/\s+/)) longest = Math.max(longest, [...word].length);
  }
  return Math.min(longest, MAX_WHOLE_WORD);
}

/** The column's minimum width as CSS: never more than its share of the page, so a narrow window only wraps more. */
const minWidth = (table: Extract<Block, { kind: "table" }>, column: number) =>
  `min(calc(${minWidthCh(table, column)}ch + 20px), calc((min(100vw, ${PAGE_WIDTH_PX}px) - 80px) / ${table.columns.length}))`;

function block(b: Block): string {
  switch (b.kind) {
    case "heading":
      return `<h3>${escapeHtml(b.text)}</h3>`;
    case "text":
      return `<p${toneClass(b.tone)}>${escapedLines(b.text)}</p>`;
    case "facts":
      return `<dl class="facts">${b.items.map((i) => `<dt>${escapeHtml(i.label)}</dt><dd${toneClass(i.tone)}>${escapeHtml(i.value)}</dd>`).join("")}</dl>`;
    case "list":
      return `<ul>${b.items.map((item) => `<li>${escapedLines(item)}</li>`).join("")}</ul>`;
    case "table":
      return [
        "<table>",
        `<thead><tr>${b.columns.map((c, i) => `<th${c.numeric ? ' class="num"' : ""} scope="col" style="min-width: ${minWidth(b, i)}">${escapeHtml(c.title)}</th>`).join("")}</tr></thead>`,
        `<tbody>${b.rows.map((row) => `<tr>${row.map((c, i) => cell(c, b.columns[i]?.numeric)).join("")}</tr>`).join("\n")}</tbody>`,
        "</table>",
      ].join("\n");
  }
}

function topology(options: HtmlOptions): string {
  const inlined = options.topologySvg !== undefined ? inlineableSvg(options.topologySvg) : undefined;
  if (inlined && "svg" in inlined) return `<figure class="topology">${inlined.svg}</figure>`;
  const why = inlined?.error ?? options.topologyError ?? "The report was rendered without one.";
  return `<div class="topology-absent"><strong>No topology drawing.</strong> ${escapeHtml(options.topologyError && inlined ? `${inlined.error}; ${options.topologyError}` : why)}</div>`;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 0 24px 48px; max-width: ${PAGE_WIDTH_PX}px; font: 15px/1.45 system-ui, "Liberation Sans", Arial, sans-serif; color: #1f2328; background: #fff; overflow-wrap: anywhere; }
.verdict { margin: 0 -24px 24px; padding: 20px 24px; border-bottom: 4px solid; }
.verdict h1 { margin: 0 0 8px; font-size: 30px; letter-spacing: 0.02em; }
.verdict.good { background: #dafbe1; border-color: #1a7f37; color: #0f4d21; }
.verdict.bad { background: #ffebe9; border-color: #cf222e; color: #82071e; }
.verdict.warn { background: #fff4d4; border-color: #bf8700; color: #6b4a00; }
.verdict dl { margin: 0; color: #1f2328; }
.verdict .summary { margin: 0 0 12px; font-size: 17px; font-weight: 600; }
h2 { margin: 32px 0 12px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; font-size: 21px; }
h3 { margin: 20px 0 8px; font-size: 16px; }
h4 { margin: 12px 0 4px; font-size: 15px; }
ul { margin: 4px 0 12px; padding-left: 22px; }
li { margin: 2px 0; }
.reasons li { margin: 4px 0; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 16px; margin: 8px 0 12px; }
dl.facts dt { color: #59636e; }
dl.facts dd { margin: 0; min-width: 0; }
table { width: auto; max-width: 100%; border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; word-break: normal; }
th { background: #f0f3f6; font-weight: 600; }
tbody tr:nth-child(even) { background: #f8f9fa; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.tone { font-weight: 600; }
.good { color: #1a7f37; }
.bad { color: #cf222e; font-weight: 600; }
.warn { color: #9a6700; }
.muted { color: #6e7781; }
td.good { background: #dafbe1; }
td.bad { background: #ffebe9; }
td.warn { background: #fff8c5; }
td.muted { background: #f0f3f6; font-weight: 400; }
.status { display: inline-block; margin-left: 8px; padding: 0 8px; border-radius: 10px; font-size: 13px; font-weight: 600; vertical-align: middle; color: #fff; }
.status.good { background: #1a7f37; }
.status.bad { background: #cf222e; }
.status.warn { background: #9a6700; }
figure.topology { margin: 8px 0 16px; padding: 8px; border: 1px solid #d0d7de; }
figure.topology svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.topology-absent { margin: 8px 0 16px; padding: 12px 16px; border: 1px dashed #bf8700; background: #fff8c5; color: #6b4a00; }
`;

/** The whole report as one self-contained HTML page (see the file comment for what it guarantees). */
export function renderHtml(report: AdmissionReport, options: HtmlOptions = {}): string {
  const doc = reportDocument(report);
  const title = `Admission: ${doc.app} — ${doc.outcome}`;
  const groups = (list: typeof doc.reasons) => list.map((g) => `<h4>${escapeHtml(g.title)}</h4><ul>${g.texts.map((t) => `<li>${escapeHtml(t)}</li>`).join("")}</ul>`).join("\n");
  const parts = [
    `<header class="verdict ${doc.tone}" id="verdict"><h1>${escapeHtml(doc.outcome)}</h1><p class="summary">${escapeHtml(doc.summary)}</p><dl class="facts">${doc.headline.map((h) => `<dt>${escapeHtml(h.label)}</dt><dd>${escapeHtml(h.value)}</dd>`).join("")}</dl></header>`,
    `<section class="reasons"><h2>Reasons</h2>${doc.reasons.length ? groups(doc.reasons) : `<p class="${doc.outcome === "ADMITTED" ? "good" : "warn"}">${doc.outcome === "ADMITTED" ? "None: every step passed." : "None was recorded."}</p>`}</section>`,
    ...(doc.notes.length ? [`<section class="notes"><h2>Notes</h2><p class="muted">Noticed, but not a reason to reject.</p>${groups(doc.notes)}</section>`] : []),
    `<section><h2>Topology of the app</h2>${topology(options)}</section>`,
    ...doc.sections.map(
      (s) => `<section${s.step ? ` id="step-${s.step}"` : ""}><h2>${escapeHtml(s.title)}${s.status ? `<span class="status ${STATUS_TONE[s.status]}">${escapeHtml(s.status)}</span>` : ""}</h2>\n${s.blocks.map(block).join("\n")}</section>`,
    ),
  ];
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="color-scheme" content="light">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    ...parts,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
