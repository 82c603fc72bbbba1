// The admission report's HTML page as a person sees it: rendered with the app's real topology drawing,
// opened in headless Debian Chromium (playwright-core, every request refused and recorded), looked at:
// the verdict banner comes first and says the verdict, the drawing is painted within the window, every
// reason is visible, no table is wider than the page, and a full-page screenshot is kept for a person
// to look at (in ADMISSION_SCREENSHOT_DIR when it is set; otherwise in a temporary directory removed afterwards).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumAbsent, launchChromium, offlinePage, screenshotDir } from "./support/headless-chromium";
import { renderHtml } from "../admission/report/html";
import type { AdmissionReport } from "../admission/report/model";
import { loadStackFile, stackFilePath } from "../config/load";
import { topologySvg } from "../topology/svg";
import { REPO_ROOT } from "./support/stack-config";

// Browser globals, used only inside page.evaluate: module-scoped, as the project compiles without the DOM library.
declare const document: any, getComputedStyle: any, window: any;

const skip = chromiumAbsent;
const { dir: shots, remove: removeShots } = screenshotDir(process.env.ADMISSION_SCREENSHOT_DIR, "admission-report");
after(removeShots);

/** A hand-written report (test/admission-report.test.ts checks the fixtures against the model's literal types). */
function loadReport(name: "reject" | "admit"): AdmissionReport {
  return JSON.parse(readFileSync(join(__dirname, "fixtures", "admission", `report-${name}.json`), "utf8")) as AdmissionReport;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Seen {
  firstVisible: { inBanner: boolean; tag: string; text: string };
  banner: Box & { text: string; hitInBanner: boolean };
  drawing?: Box;
  reasons: { text: string; box: Box; visible: boolean; onTop: boolean }[];
  widths: { viewport: number; documentScroll: number; documentClient: number; bodyScroll: number; bodyClient: number; bodyRight: number; widestTableRight: number };
}

/** What the page shows (no named functions inside: tsx would wrap them in a helper the page does not have). */
function looked(page: Page): Promise<Seen> {
  return page.evaluate(() => {
    // painted: a box, visible, opaque (the same test for the first element and for each reason)
    const visibility = [...document.body.querySelectorAll("*")].map((el: any) => {
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return { el, shown: box.width > 0 && box.height > 0 && style.visibility === "visible" && style.display !== "none" && Number(style.opacity) > 0.9 };
    });
    const banner = document.querySelector("#verdict");
    const first = visibility.find((v: any) => v.shown)?.el;
    const bannerBox = banner.getBoundingClientRect();
    const hit = document.elementFromPoint(bannerBox.x + 40, bannerBox.y + 30);
    const svg = document.querySelector("figure.topology svg");
    const reasons = [...document.querySelectorAll("section.reasons li")].map((li: any) => {
      li.scrollIntoView({ block: "center" });
      const box = li.getBoundingClientRect();
      const top = document.elementFromPoint(box.x + Math.min(box.width / 2, 20), box.y + box.height / 2);
      return { text: li.textContent, box: box.toJSON(), visible: visibility.some((v: any) => v.el === li && v.shown), onTop: top !== null && li.contains(top) };
    });
    window.scrollTo(0, 0);
    const body = document.body;
    const tables = [...document.querySelectorAll("table")].map((t: any) => t.getBoundingClientRect().right);
    return {
      firstVisible: { inBanner: first ? banner.contains(first) : false, tag: first?.tagName ?? "", text: (first?.textContent ?? "").slice(0, 80) },
      banner: { ...bannerBox.toJSON(), text: banner.innerText, hitInBanner: hit !== null && banner.contains(hit) },
      ...(svg ? { drawing: svg.getBoundingClientRect().toJSON() } : {}),
      reasons,
      widths: {
        viewport: window.innerWidth,
        documentScroll: document.documentElement.scrollWidth,
        documentClient: document.documentElement.clientWidth,
        bodyScroll: body.scrollWidth,
        bodyClient: body.clientWidth,
        bodyRight: body.getBoundingClientRect().right,
        widestTableRight: Math.max(0, ...tables),
      },
    };
  }) as Promise<Seen>;
}

describe("the admission report in headless Chromium", { skip }, () => {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  const config = loadStackFile(stackFilePath("dev", REPO_ROOT)).config;
  const cases = [
    { name: "reject", verdict: "REJECTED", viewport: { width: 1280, height: 900 } },
    // half a laptop screen: long digests, purls and base64 evidence must wrap rather than widen the page
    { name: "reject-narrow", fixture: "reject" as const, verdict: "REJECTED", viewport: { width: 760, height: 900 } },
    { name: "admit", verdict: "ADMITTED", viewport: { width: 1280, height: 900 } },
  ];

  for (const { name, fixture, verdict, viewport } of cases) {
    it(`shows the ${name} report legibly, fetching nothing`, async (t) => {
      const report = loadReport(fixture ?? (name as "reject" | "admit"));
      const svg = await topologySvg(config, { app: report.app, stack: report.stack });
      const html = renderHtml(report, { topologySvg: svg });
      // nothing may leave the page: every request is recorded and refused
      const { context, page, requests } = await offlinePage(browser!, viewport);
      try {
        await page.setContent(html, { waitUntil: "load" });
        const seen = await looked(page);

        assert.ok(seen.firstVisible.inBanner, `the first visible element is ${seen.firstVisible.tag} "${seen.firstVisible.text}", not in the verdict banner`);
        assert.ok(seen.banner.y <= 1 && seen.banner.height >= 40, `the banner is at y ${seen.banner.y}, ${seen.banner.height} px high`);
        assert.ok(seen.banner.hitInBanner, "the banner is covered by something else");
        assert.match(seen.banner.text, new RegExp(`^\\s*${verdict}\\b`));

        assert.ok(seen.drawing, "the topology drawing is not in the page");
        const { drawing } = seen;
        assert.ok(drawing.width >= Math.min(400, viewport.width / 2) && drawing.height >= 100, `the drawing is only ${drawing.width}×${drawing.height} px`);
        assert.ok(drawing.x >= 0 && drawing.x + drawing.width <= viewport.width, `the drawing (${JSON.stringify(drawing)}) is wider than the ${viewport.width} px window`);

        assert.equal(seen.reasons.length, report.reasons.length, "reasons listed");
        for (const reason of report.reasons) {
          const shown = seen.reasons.find((r) => r.text.replace(/\s+/g, " ").trim() === reason.text.replace(/\s+/g, " ").trim());
          assert.ok(shown, `reason not listed: ${reason.text}`);
          assert.ok(shown.visible && shown.onTop, `reason not visible (visible ${shown.visible}, on top ${shown.onTop}): ${reason.text}`);
          assert.ok(shown.box.x >= 0 && shown.box.x + shown.box.width <= viewport.width, `reason sticks out of the window: ${reason.text}`);
        }

        const w = seen.widths;
        assert.ok(w.documentScroll <= w.documentClient, `the page scrolls sideways: ${w.documentScroll} > ${w.documentClient} px`);
        assert.ok(w.bodyScroll <= w.bodyClient, `the body overflows: scrollWidth ${w.bodyScroll} > clientWidth ${w.bodyClient}`);
        assert.ok(w.widestTableRight <= w.bodyRight + 0.5, `a table ends at ${w.widestTableRight} px, beyond the body's ${w.bodyRight} px`);

        const file = join(shots, `${name}.png`);
        const png = await page.screenshot({ path: file, fullPage: true });
        assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "not a PNG");
        assert.equal(png.readUInt32BE(16), viewport.width, "the screenshot is wider than the window: something overflows");
        assert.deepEqual(requests, [], "the page asked for something over the network");
        t.diagnostic(`screenshot: ${file}`);
      } finally {
        await context.close();
      }
    });
  }
});
