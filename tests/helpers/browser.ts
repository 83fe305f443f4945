// A real browser for the report tests: Debian's chromium driven by playwright-core
// (no browser download). Chromium is launched so that it makes no request of its
// own (no background networking, updates, sync or QUIC), with a fresh profile.
// `browserOrSkip` says why when chromium cannot be launched; with CI set, a
// missing chromium is an error instead, so CI cannot pass by skipping.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";

// The callbacks passed to page.evaluate run in the page, where these exist; the
// declarations (module-scoped, so nothing global changes for the Node code) only
// let them type-check.
interface DomElement {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { x: number; y: number; width: number; height: number };
  querySelector(sel: string): DomElement | null;
  querySelectorAll(sel: string): ArrayLike<DomElement> & Iterable<DomElement>;
  classList: { contains(c: string): boolean };
  textContent: string | null;
  parentElement: DomElement | null;
  scrollWidth: number;
  clientWidth: number;
  getTotalLength?(): number;
  getPointAtLength?(at: number): { x: number; y: number };
  getScreenCTM?(): { a: number; b: number; c: number; d: number; e: number; f: number } | null;
}
declare const document: DomElement & {
  getElementById(id: string): DomElement | null;
  documentElement: { scrollWidth: number };
};
declare const window: {
  innerWidth: number;
  neurocompareViews: Record<string, { signal(name: string): unknown }>;
};
declare function getComputedStyle(el: DomElement): { display: string };

export const CHROMIUM = process.env["NEUROCOMPARE_CHROMIUM"] ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  /** A context with JavaScript on; `noScript` opens one with it off. */
  context: BrowserContext;
  noScript(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Chromium, or the reason it cannot be launched here. playwright gives each
 * launch a fresh profile (a new --user-data-dir in the temporary folder,
 * removed on close).
 */
export async function launchChromium(): Promise<Browser | { reason: string }> {
  if (!existsSync(CHROMIUM)) return { reason: `${CHROMIUM} is not installed (Debian package chromium)` };
  const { chromium } = await import("playwright-core");
  try {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    return {
      context,
      noScript: () => browser.newContext({ javaScriptEnabled: false }),
      close: () => browser.close(),
    };
  } catch (e) {
    return { reason: `chromium could not be launched: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` };
  }
}

/** Where the browser tests leave their screenshots (gitignored). */
export function screenshotDir(name: string): string {
  const dir = join(import.meta.dirname, "..", "..", "test-output", name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface PageLog {
  /** Console errors and warnings, uncaught exceptions. */
  problems: string[];
  /** Every request other than the page itself. */
  requests: string[];
}

/**
 * Opens a report from file:// and waits until every live chart has drawn
 * (the page sets data-charts="ready"). Anything the page logs as an error or
 * warning, and any request other than the page's own file, is recorded;
 * requests are also refused, so none can leave the machine.
 */
export async function openReport(
  context: BrowserContext,
  file: string,
  width: number,
): Promise<{ page: Page; log: PageLog }> {
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const log: PageLog = { problems: [], requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") log.problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => log.problems.push(`uncaught: ${e.message}`));
  await page.route("**/*", async (route) => {
    const u = route.request().url();
    if (u === url || u.startsWith("data:") || u.startsWith("blob:")) return route.continue();
    log.requests.push(u);
    return route.abort();
  });
  await page.setViewportSize({ width, height: 900 });
  await page.goto(url);
  await page.waitForSelector("html[data-charts=ready]", { timeout: 60_000 });
  return { page, log };
}

/** Per live chart: its id, how many data-mark items it drew, whether it went live, and its interaction params. */
export async function chartStates(page: Page) {
  return page.evaluate(() => {
    const specs = JSON.parse(document.getElementById("nc-specs")?.textContent ?? "{}") as Record<string, unknown>;
    const params = (spec: unknown): string[] => {
      const out: string[] = [];
      const walk = (v: unknown) => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (typeof v === "object" && v !== null) {
          const o = v as Record<string, unknown>;
          if (Array.isArray(o["params"]))
            for (const p of o["params"] as { name?: unknown }[]) if (typeof p.name === "string") out.push(p.name);
          for (const [k, x] of Object.entries(o)) if (k !== "data" && k !== "params") walk(x);
        }
      };
      walk(spec);
      return out;
    };
    return [...document.querySelectorAll("figure[data-chart]")].map((fig) => {
      const id = fig.getAttribute("data-chart") ?? "";
      const marks = fig.querySelectorAll(
        ".vis svg g.role-mark > path, .vis svg g.role-mark > line, .vis svg g.role-mark > text, .vis svg g.role-mark > rect",
      ).length;
      const host = fig.querySelector(".vis");
      // How far the live chart runs past its figure (0 when it fits: no scrolling inside the figure).
      const overflowPx = host === null ? 0 : Math.max(0, host.scrollWidth - host.clientWidth);
      return { id, live: fig.classList.contains("live"), marks, overflowPx, params: params(specs[id]) };
    });
  });
}

/**
 * Screen coordinates of a point on a drawn mark of the chart: the centre of a
 * visible symbol or bar at least 2 px across, else the middle of a line.
 */
export async function pointOnMark(page: Page, chart: string): Promise<{ x: number; y: number } | null> {
  return page.evaluate((id) => {
    const fig = document.querySelector(`figure[data-chart="${id}"]`);
    if (fig === null) return null;
    const shown = (el: DomElement) => (el.getAttribute("opacity") ?? "1") !== "0";
    const big = (el: DomElement) => {
      const b = el.getBoundingClientRect();
      return b.width >= 2 && b.height >= 2;
    };
    const solid = [
      ...fig.querySelectorAll(".vis svg g.mark-symbol.role-mark > path, .vis svg g.mark-rect.role-mark > path"),
    ].find((el) => shown(el) && big(el));
    if (solid !== undefined) {
      const b = solid.getBoundingClientRect();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    }
    const line = [...fig.querySelectorAll(".vis svg g.mark-line.role-mark > path")].find(shown);
    if (line?.getTotalLength === undefined || line.getPointAtLength === undefined || line.getScreenCTM === undefined)
      return null;
    const p = line.getPointAtLength(line.getTotalLength() / 2);
    const m = line.getScreenCTM();
    if (m === null) return null;
    return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
  }, chart);
}

/** The tooltip's text while it is shown, else null. */
export async function tooltipText(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const el = document.getElementById("vg-tooltip-element");
    return el?.classList.contains("visible") ? (el.textContent ?? "") : null;
  });
}

/** Data-mark items of a chart drawn with opacity 0 (hidden series). */
export async function hiddenItems(page: Page, chart: string): Promise<number> {
  return page.evaluate(
    (id) =>
      [...document.querySelectorAll(`figure[data-chart="${id}"] .vis svg g.role-mark > *`)].filter(
        (el) => el.getAttribute("opacity") === "0",
      ).length,
    chart,
  );
}

/** The centres of a chart's legend entry labels, with their text. */
export async function legendEntries(page: Page, chart: string): Promise<{ x: number; y: number; text: string }[]> {
  return page.evaluate(
    (id) =>
      [...document.querySelectorAll(`figure[data-chart="${id}"] .vis svg g.role-legend-label text`)].map((label) => {
        const b = label.getBoundingClientRect();
        return { x: b.x + Math.min(8, b.width / 2), y: b.y + b.height / 2, text: label.textContent ?? "" };
      }),
    chart,
  );
}

/** How far each table runs past its scrolling box, in CSS pixels (0 when the whole table shows), with its first header. */
export async function tableOverflows(page: Page): Promise<{ table: string; overflowPx: number }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll(".table-wrap")].map((wrap) => ({
      table: wrap.querySelector("th")?.textContent ?? "",
      overflowPx: Math.max(0, wrap.scrollWidth - wrap.clientWidth),
    })),
  );
}

/** The page's horizontal overflow in CSS pixels (0 when it fits the viewport). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth));
}

/** A chart's zoom selection as JSON: "{}" until the time axis has been zoomed or panned. */
export async function zoomState(page: Page, chart: string): Promise<string> {
  return page.evaluate((id) => JSON.stringify(window.neurocompareViews[id]?.signal("zoom") ?? {}), chart);
}

/** The CSS display of each static chart's box. */
export async function staticChartDisplay(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("figure .static svg")].map((svg) =>
      svg.parentElement === null ? "none" : getComputedStyle(svg.parentElement).display,
    ),
  );
}
