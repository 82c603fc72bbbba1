// The admission report as Markdown (CommonMark with GitHub tables), verdict first. Vendor-controlled text
// (probe evidence, host names, log lines) is escaped so it stays text: no table column, link, HTML tag or
// emphasis can come from it.
import { reportDocument } from "./document";
import type { Block, Cell } from "./document-model";
import type { AdmissionReport } from "./model";

/** Backslash-escapes what CommonMark would read as inline markup; an underscore inside a word is left alone. */
function markdownInline(line: string): string {
  return line
    .replace(/[\\`*[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/(^|[^\p{L}\p{N}])_|_(?=[^\p{L}\p{N}]|$)/gu, (match) => match.replace("_", "\\_"))
    .replace(/&(?=#?\w+;)/g, "&amp;");
}

/** Text for a list item or a paragraph: on one line, and not starting a heading or a nested list. */
export function markdownText(text: string): string {
  return markdownInline(text.replace(/\r\n|\r|\n/g, " "))
    .replace(/^(\s*)([#+-])(?=\s|$)/, "$1\\$2")
    .replace(/^(\s*\d{1,9})([.)])(?=\s|$)/, "$1\\$2");
}

/** A table cell: escaped, its line breaks kept as <br> (the only HTML this page writes itself). */
export function markdownCell(text: string): string {
  const cell = text.split(/\r\n|\r|\n/).map(markdownInline).join("<br>").trim();
  return cell === "" ? " " : cell;
}

function cell({ text, tone }: Cell): string {
  const escaped = markdownCell(text);
  return tone === "bad" ? `**${escaped}**` : escaped;
}

function block(b: Block): string[] {
  switch (b.kind) {
    case "heading":
      return [`### ${markdownText(b.text)}`, ""];
    case "text":
      return [b.tone === "bad" || b.tone === "warn" ? `**${markdownText(b.text)}**` : markdownText(b.text), ""];
    case "facts":
      return [...b.items.map((i) => `- ${markdownText(i.label)}: ${i.tone === "bad" ? `**${markdownText(i.value)}**` : markdownText(i.value)}`), ""];
    case "list":
      return [...b.items.map((item) => `- ${markdownText(item)}`), ""];
    case "table":
      return [
        `| ${b.columns.map((c) => markdownCell(c.title)).join(" | ")} |`,
        `| ${b.columns.map((c) => (c.numeric ? "---:" : "---")).join(" | ")} |`,
        ...b.rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
        "",
      ];
  }
}

/** The whole report as a Markdown page: verdict, reasons by step, notes, then each step's findings. */
export function formatMarkdown(report: AdmissionReport): string {
  const doc = reportDocument(report);
  const lines = [`# ${doc.outcome}: admission of ${markdownText(doc.app)}`, "", `**${markdownText(doc.summary)}**`, "", ...doc.headline.map((h) => `- ${h.label}: ${markdownText(h.value)}`), ""];
  lines.push("## Reasons", "");
  if (doc.reasons.length === 0) lines.push(doc.outcome === "ADMITTED" ? "None: every step passed." : "None was recorded.", "");
  for (const group of doc.reasons) lines.push(`**${group.title}**`, "", ...group.texts.map((t) => `- ${markdownText(t)}`), "");
  if (doc.notes.length) {
    lines.push("## Notes", "", "Noticed, but not a reason to reject.", "");
    for (const group of doc.notes) lines.push(`**${group.title}**`, "", ...group.texts.map((t) => `- ${markdownText(t)}`), "");
  }
  for (const section of doc.sections) {
    lines.push(`## ${section.title}${section.status ? `: ${section.status}` : ""}`, "");
    for (const b of section.blocks) lines.push(...block(b));
  }
  return lines.join("\n").replace(/\n+$/, "\n");
}
