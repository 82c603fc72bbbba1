// The report's three files: FILE.json (the report object), FILE.md and FILE.html beside it. The target
// is checked before the admission starts, so a run of minutes never ends on an unwritable path.
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { renderHtml } from "./html";
import { formatMarkdown } from "./markdown";
import type { AdmissionReport } from "./model";

export interface ReportFiles {
  json: string;
  markdown: string;
  html: string;
}

/** FILE.json → its three files; throws a message naming --report and the fix for anything else. */
export function reportFiles(file: string): ReportFiles {
  if (!/\.json$/i.test(file) || /^\.json$/i.test(file.split("/").pop() ?? "")) throw new Error(`--report ${file}: give a file name ending in .json, e.g. --report reports/vendor-app.json (the .md and .html are written beside it)`);
  const base = file.slice(0, -".json".length);
  return { json: file, markdown: `${base}.md`, html: `${base}.html` };
}

/** Creates the report's directory and checks it can be written. */
export function prepareReportDir(files: ReportFiles): void {
  const dir = dirname(files.json);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new Error(`--report ${files.json}: directory ${dir} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give a writable path`);
  }
}

export function writeReportFiles(files: ReportFiles, report: AdmissionReport, topology: { svg: string } | { error: string }): string[] {
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.markdown, formatMarkdown(report));
  writeFileSync(files.html, renderHtml(report, "svg" in topology ? { topologySvg: topology.svg } : { topologyError: topology.error }));
  return [files.json, files.markdown, files.html];
}
