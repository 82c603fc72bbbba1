// The topology drawing as a person sees it: the SVG inlined in a page, opened in headless Debian
// Chromium (driven by playwright-core, no network), looked at: the drawing is sizeable, every app,
// service and domain is a visible label inside the window and inside its box, no two labels overlap,
// and the screenshot is not blank. The screenshots are kept in TOPOLOGY_SCREENSHOT_DIR when it is set.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chromiumAbsent, launchChromium, offlinePage, screenshotDir } from "./support/headless-chromium";
import { loadStackFile, stackFilePath } from "../config/load";
import { buildPlan } from "../plan/plan";
import { topologySvg } from "../topology/svg";
import { REPO_ROOT } from "./support/stack-config";

// Browser globals, used only inside page.evaluate: module-scoped, as the project compiles without the DOM library.
declare const document: any, getComputedStyle: any, Image: any, DOMParser: any;

const skip = chromiumAbsent;
const VIEWPORT = { width: 1600, height: 1000 };

const { dir: shots, remove: removeShots } = screenshotDir(process.env.TOPOLOGY_SCREENSHOT_DIR, "topology-screenshot");
after(removeShots);

const plan = buildPlan(loadStackFile(stackFilePath("dev", REPO_ROOT)).config, "dev");

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Label {
  text: string;
  box: Box;
  /** the box of the node or cluster shape the label belongs to (undefined for edge labels and the caption) */
  shape?: Box;
  /** what the label belongs to: Graphviz's group class (node, edge, cluster) or graph for the caption */
  group: string;
  visible: boolean;
  onTop: boolean;
}

/** What the page shows: the drawing's box, and every label with its box, its shape's box and whether it is painted and on top. */
function looked(page: Page) {
  // no named functions inside: tsx would wrap them in a helper the page does not have
  return page.evaluate(() => {
    const svg = document.querySelector("svg")!;
    const labels = [...svg.querySelectorAll("text")].map((text) => {
      const group = text.closest("g.node, g.cluster, g.edge");
      const shape = group?.classList.contains("edge") ? null : group?.querySelector("polygon, path, ellipse");
      const box = text.getBoundingClientRect();
      const style = getComputedStyle(text);
      const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      return {
        text: text.textContent ?? "",
        box: box.toJSON(),
        ...(shape ? { shape: shape.getBoundingClientRect().toJSON() } : {}),
        group: group?.getAttribute("class") ?? "graph",
        visible: style.visibility === "visible" && style.display !== "none" && Number(style.opacity) > 0.9 && style.fill !== "none" && style.fill !== "rgb(255, 255, 255)",
        onTop: hit === text,
      };
    });
    return { drawing: svg.getBoundingClientRect().toJSON(), labels };
  }) as Promise<{ drawing: Box; labels: Label[] }>;
}

/** Decodes the PNG in the page (a canvas) and measures it: size, share of non-white pixels, distinct colours, spread of brightness. */
function measured(page: Page, png: Buffer) {
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext("2d")!;
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    let ink = 0;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < data.length; i += 4) {
      const light = 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
      sum += light;
      squares += light * light;
      if (light < 240) ink++;
      if (colours.size < 10_000) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    const pixels = data.length / 4;
    return { width: canvas.width, height: canvas.height, ink: ink / pixels, colours: colours.size, spread: Math.sqrt(squares / pixels - (sum / pixels) ** 2) };
  }, png.toString("base64"));
}

const inside = (inner: Box, outer: Box, slack = 0) =>
  inner.x >= outer.x - slack && inner.y >= outer.y - slack && inner.x + inner.width <= outer.x + outer.width + slack && inner.y + inner.height <= outer.y + outer.height + slack;
const overlap = (a: Box, b: Box) => Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 1 && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 1;

describe("the topology drawing in headless Chromium", { skip }, () => {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());

  const cases = [
    { name: "dev", app: undefined, labels: ["forecast-widget", "backup-agent", "weather", "storage", "api.example.com", ".tiles.example.net", "objects.example.org"], absent: [] as string[] },
    { name: "dev-backup-agent", app: "backup-agent", labels: ["backup-agent", "weather", "storage", "objects.example.org"], absent: ["forecast-widget", "api.example.com"] },
  ];

  for (const { name, app, labels, absent } of cases) {
    it(`shows ${app ? `app ${app}` : "the whole dev stack"} legibly`, async (t) => {
      // nothing may leave the page: every request is refused and counted (the drawing references nothing)
      const { context, page, requests } = await offlinePage(browser!, VIEWPORT);
      try {
        const svg = await topologySvg(plan, { app });
        await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><title>topology ${name}</title><style>body { margin: 16px; background: #fff; }</style></head><body>${svg}</body></html>`);

        const parsed = await page.evaluate((text) => new DOMParser().parseFromString(text, "image/svg+xml").getElementsByTagName("parsererror").length, svg);
        assert.equal(parsed, 0, "the SVG is not well-formed XML");

        const { drawing, labels: shown } = await looked(page);
        assert.ok(drawing.width >= 500 && drawing.height >= 250, `the drawing is only ${drawing.width}×${drawing.height} px`);
        assert.ok(inside(drawing, { x: 0, y: 0, ...VIEWPORT }), `the drawing (${JSON.stringify(drawing)}) does not fit the ${VIEWPORT.width}×${VIEWPORT.height} window`);
        for (const label of labels) {
          const found = shown.filter((l) => l.text === label && l.group === "node");
          assert.equal(found.length, 1, `${label}: ${found.length} boxes`);
          const [{ box, shape, visible, onTop }] = found;
          assert.ok(visible && onTop, `${label} is not painted on top (visible ${visible}, on top ${onTop})`);
          assert.ok(box.height >= 10 && box.width >= label.length * 4, `${label} is too small to read: ${box.width}×${box.height} px`);
          assert.ok(inside(box, { x: 0, y: 0, ...VIEWPORT }), `${label} is outside the window`);
          assert.ok(shape && inside(box, shape), `${label} sticks out of its box`);
        }
        for (const label of absent) assert.ok(!shown.some((l) => l.text === label), `${label} is drawn`);
        for (const [i, a] of shown.entries()) {
          for (const b of shown.slice(i + 1)) assert.ok(!overlap(a.box, b.box), `"${a.text}" and "${b.text}" overlap`);
        }
        for (const { text, box, shape } of shown) if (shape) assert.ok(inside(box, shape, 1), `"${text}" sticks out of its box or cluster`);

        const file = join(shots, `${name}.png`);
        const png = await page.screenshot({ path: file, fullPage: true });
        assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "not a PNG");
        const size = { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
        const seen = await measured(page, png);
        assert.deepEqual({ width: seen.width, height: seen.height }, size);
        assert.ok(size.width >= VIEWPORT.width && size.height >= drawing.height, `screenshot of ${size.width}×${size.height} px`);
        assert.ok(seen.ink > 0.02 && seen.ink < 0.6, `${(seen.ink * 100).toFixed(1)} % of the pixels are drawn: blank or a blot`);
        assert.ok(seen.colours >= 16 && seen.spread > 10, `${seen.colours} colours, brightness spread ${seen.spread.toFixed(1)}: nothing to see`);
        assert.deepEqual(requests, [], "the page asked for something over the network");
        t.diagnostic(`screenshot: ${file}`);
      } finally {
        await context.close();
      }
    });
  }
});
