// Debian's Chromium, headless through playwright-core, for tests that look at a page as a person would:
// the one launch (no sandbox inside a container, no GPU, no background traffic of its own), and a page
// whose every request is refused and recorded, so a test can prove the page loads nothing.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Browser, BrowserContext, chromium, Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Why Chromium cannot run here (a skip reason), or false. */
export const chromiumAbsent: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent: install Debian's chromium (scripts/setup-host.sh does)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 30_000,
  });
}

/** A page in an offline context whose every request is refused and listed in `requests`. */
export async function offlinePage(browser: Browser, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; requests: string[] }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, offline: true });
  const requests: string[] = [];
  await context.route("**/*", (route) => (requests.push(route.request().url()), route.abort()));
  const page = await context.newPage();
  page.on("request", (request) => {
    if (!requests.includes(request.url())) requests.push(request.url());
  });
  return { context, page, requests };
}

/** Where screenshots go: `keepDir` when given (kept for a person), else a temporary directory removed by `remove`. */
export function screenshotDir(keepDir: string | undefined, prefix: string): { dir: string; remove: () => void } {
  const dir = keepDir ?? mkdtempSync(join(tmpdir(), `${prefix}-`));
  mkdirSync(dir, { recursive: true });
  return { dir, remove: () => (keepDir ? undefined : rmSync(dir, { recursive: true, force: true })) };
}
