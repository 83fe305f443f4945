// report.html in a real browser (Debian's chromium through playwright-core), for
// each kind of page the CLI writes: a learning run, a network run, a pruning run,
// a routing run (with a one-at-a-time sweep, so the sweep chart is drawn too), a
// comparison of two runs and the index of a results folder. Each page is opened
// from file:// at 700 and 1280 px wide and must: log no error or warning, make no
// request, draw marks in every chart, fit the width without horizontal scrolling
// (of the page, and of each chart inside its figure: a chart too wide for 700 px is
// drawn again with its legends below and its panels stacked; at 1280 px no table
// scrolls in its box either), show a tooltip when a mark is hovered, hide a series when its legend entry is
// clicked (and show it again on a second click), and zoom a time axis under the
// wheel. Without JavaScript the static SVG charts stay visible. Screenshots go to
// test-output/report-browser/ (gitignored) for a person to look at.
//
// Skipped, saying why, only where chromium cannot be launched; with CI set, a
// missing chromium fails the suite instead.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chartStates,
  hiddenItems,
  horizontalOverflow,
  launchChromium,
  legendEntries,
  openReport,
  pointOnMark,
  screenshotDir,
  staticChartDisplay,
  tableOverflows,
  tooltipText,
  zoomState,
  type Browser,
} from "./helpers/browser.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });

const learning = (name: string, hidden: number) => ({
  name,
  description: `an MLP (hidden ${hidden}) against a liquid-state learner`,
  task: { type: "xor", trainSize: 60, testSize: 30, noise: 0.1 },
  learners: [
    { type: "mlp", hidden: [hidden], batchSize: 8 },
    { type: "lsm", hidden: 20, durationMs: 20, batchSize: 8 },
  ],
  epochs: 3,
  seeds: [1, 2, 3],
  charts: [
    "learning-curve",
    "loss-curve",
    "spikes-per-sample",
    "weight-histogram",
    "accuracy-vs-energy",
    "lesion-curve",
    "firing-rate-distribution",
  ],
  evaluation: { costSamples: 10, robustness: { lesion: [0, 0.5], samples: 20 } },
});

const network = {
  kind: "network",
  name: "browser-network",
  description: "Poisson input onto two LIF groups through plastic synapses",
  dtMs: 0.1,
  durationMs: 300,
  seeds: [1, 2],
  groups: [
    { name: "input", size: 50, model: { type: "poisson", rateHz: 30 } },
    { name: "E", size: 20, model: { type: "lif" }, initial: { v: { uniform: [-60, -50] } } },
    { name: "I", size: 5, model: { type: "lif" }, initial: { v: { uniform: [-60, -50] } } },
  ],
  synapses: [
    {
      source: "input",
      target: "E",
      targetVar: "ge",
      connect: { rule: "probability", p: 0.5 },
      weight: 3,
      plasticity: { rule: "pair-stdp", aPlus: 0.01, aMinus: -0.0105, wMin: 0, wMax: 6, bound: "additive" },
    },
    { source: "E", target: "I", targetVar: "ge", connect: { rule: "all-to-all" }, weight: 4 },
  ],
  monitors: { state: [{ group: "E", variables: ["v", "ge"], indices: [0, 1] }] },
};

const pruning = {
  name: "browser-pruning",
  description: "pruning schedules on a small MLP",
  task: { type: "moons", trainSize: 120, testSize: 60 },
  learners: ["constant-rate", "increasing-rate", "decreasing-rate"].map((type) => ({
    type: "mlp",
    name: type.replace("-rate", ""),
    hidden: [16],
    batchSize: 8,
    optimizer: { type: "adam", learningRate: 0.01 },
    pruning: {
      criterion: "magnitude",
      scope: "global",
      graphMeasures: true,
      schedule: { type, every: "epoch", applications: 3, targetDensity: 0.3 },
    },
  })),
  epochs: 3,
  seeds: [1, 2],
  charts: ["learning-curve", "synapse-count", "accuracy-vs-connections"],
};

// Navlakha et al. 2015's routing strategies on a 40-node network, small enough to run in about a second.
const routing = {
  kind: "routing",
  name: "browser-routing",
  description: "pruning rates, growth and a random network routing 40 nodes",
  task: { nodes: 40 },
  network: { edgeBudget: 120 },
  training: { intervals: 5, pairsPerInterval: 40 },
  strategies: [
    { type: "prune", rate: "decreasing" },
    { type: "prune", rate: "constant" },
    { type: "prune", rate: "increasing" },
    { type: "grow" },
    { type: "random" },
  ],
  evaluation: { testPairs: 100, damageFractions: [0.2, 0.5], damageTrials: 2 },
  seeds: [1, 2, 3],
  sweepMode: "one-at-a-time",
  sweep: [{ parameter: "network.edgeBudget", values: [200] }],
};

const WIDTHS = [700, 1280] as const;
const KINDS = ["learning", "network", "pruning", "routing", "compare", "index"] as const;

describe("report.html in chromium", () => {
  let browser: Browser | null = null;
  let skipReason = "";
  const pages: Record<string, string> = {};
  const shots = screenshotDir("report-browser");

  beforeAll(async () => {
    const launched = await launchChromium();
    if ("reason" in launched) {
      // CI installs chromium (.ci/run): there a missing browser is a failure, not a skip.
      if (process.env["CI"]) throw new Error(`CI is set but ${launched.reason}`);
      skipReason = launched.reason;
      return;
    }
    browser = launched;
    expect(existsSync(cli), "dist/ is missing: run `npm run build`").toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "neurocompare-browser-"));
    const results = join(dir, "results");
    const scenarios: [string, unknown][] = [
      ["before", learning("before", 4)],
      ["after", learning("after", 8)],
      ["network", network],
      ["pruning", pruning],
      ["routing", routing],
    ];
    for (const [name, s] of scenarios) {
      writeFileSync(join(dir, `${name}.json`), JSON.stringify(s));
      const r = run(["run", join(dir, `${name}.json`), "--out", join(results, name), "--quiet"]);
      expect(r.status, r.stderr).toBe(0);
    }
    const c = run([
      "compare",
      join(results, "before"),
      join(results, "after"),
      "--out",
      join(results, "before-vs-after"),
    ]);
    expect(c.status, c.stderr).toBe(0);
    const i = run(["report", results]);
    expect(i.status, i.stderr).toBe(0);
    pages["learning"] = join(results, "before", "report.html");
    pages["network"] = join(results, "network", "report.html");
    pages["pruning"] = join(results, "pruning", "report.html");
    pages["routing"] = join(results, "routing", "report.html");
    pages["compare"] = join(results, "before-vs-after", "report.html");
    pages["index"] = join(results, "index.html");
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const kind of KINDS) {
    it(`${kind}: no console error or request, every chart drawn, fits 700 and 1280 px`, async (ctx) => {
      if (browser === null) return ctx.skip(skipReason);
      for (const width of WIDTHS) {
        const { page, log } = await openReport(browser.context, pages[kind]!, width);
        try {
          const charts = await chartStates(page);
          if (kind !== "index") expect(charts.length, "charts on the page").toBeGreaterThan(0);
          if (kind === "routing")
            expect(charts.map((c) => c.id)).toEqual([
              "routing-edges",
              "routing-comparison",
              "routing-damage",
              "routing-sweep",
            ]);
          for (const c of charts) {
            expect(c.live, `${c.id} went live`).toBe(true);
            expect(c.marks, `${c.id} drew marks`).toBeGreaterThan(0);
            expect(c.overflowPx, `${c.id} fits its figure at ${width} px`).toBe(0);
          }
          expect(await horizontalOverflow(page), `horizontal overflow at ${width} px`).toBe(0);
          // At 1280 px every table shows whole; narrower, a wide table scrolls inside its own box.
          if (width === 1280) expect((await tableOverflows(page)).filter((t) => t.overflowPx > 0)).toEqual([]);
          await page.screenshot({ path: join(shots, `${kind}-${width}.png`), fullPage: true });
          expect(log.problems).toEqual([]);
          expect(log.requests).toEqual([]);
        } finally {
          await page.close();
        }
      }
    });
  }

  for (const kind of KINDS.filter((k) => k !== "index")) {
    it(`${kind}: tooltips on hover, legend entries hide and show a series, time axes zoom`, async (ctx) => {
      if (browser === null) return ctx.skip(skipReason);
      const { page, log } = await openReport(browser.context, pages[kind]!, 1280);
      try {
        const charts = await chartStates(page);
        let toggled = 0;
        let zoomed = 0;
        for (const c of charts) {
          // Hover: every chart answers with a tooltip on one of its marks.
          await page.mouse.move(1, 1);
          const at = await pointOnMark(page, c.id);
          expect(at, `${c.id}: a mark to hover`).not.toBeNull();
          await page.locator(`figure[data-chart="${c.id}"]`).scrollIntoViewIfNeeded();
          const p = (await pointOnMark(page, c.id))!;
          await page.mouse.move(p.x, p.y);
          await expect.poll(() => tooltipText(page), { timeout: 3000, message: `${c.id}: tooltip` }).not.toBeNull();
          expect((await tooltipText(page))!.length).toBeGreaterThan(0);

          if (c.params.includes("series")) {
            // Legend: an entry hides its series (the first whose series this chart draws), a second click brings it back.
            const entries = await legendEntries(page, c.id);
            expect(entries.length, `${c.id}: legend entries`).toBeGreaterThan(0);
            const before = await hiddenItems(page, c.id);
            let hid = false;
            for (const entry of entries) {
              await page.mouse.click(entry.x, entry.y);
              hid = await expect
                .poll(() => hiddenItems(page, c.id), { timeout: 1500 })
                .toBeGreaterThan(before)
                .then(
                  () => true,
                  () => false,
                );
              await page.mouse.click(entry.x, entry.y);
              await expect.poll(() => hiddenItems(page, c.id), { timeout: 3000 }).toBe(before);
              if (hid) break;
            }
            expect(hid, `${c.id}: a legend click hid a series`).toBe(true);
            toggled++;
          }
          if (c.params.includes("zoom")) {
            // Zoom: the wheel over the plot narrows the time axis.
            const q = (await pointOnMark(page, c.id))!;
            await page.mouse.move(q.x, q.y);
            await page.mouse.wheel(0, -400);
            await expect.poll(() => zoomState(page, c.id), { timeout: 3000, message: `${c.id}: zoom` }).not.toBe("{}");
            zoomed++;
          }
        }
        expect(toggled, "charts with a series legend").toBeGreaterThan(0);
        expect(zoomed, "charts with a zoomable time axis").toBeGreaterThan(0);
        await page.screenshot({ path: join(shots, `${kind}-after-interaction.png`), fullPage: true });
        expect(log.problems).toEqual([]);
        expect(log.requests).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  it("without JavaScript the static SVG charts are shown", async (ctx) => {
    if (browser === null) return ctx.skip(skipReason);
    const context = await browser.noScript();
    try {
      const target = await context.newPage();
      await target.goto(pathToFileURL(pages["learning"]!).href);
      const shown = await staticChartDisplay(target);
      expect(shown.length).toBeGreaterThan(0);
      for (const d of shown) expect(d).not.toBe("none");
    } finally {
      await context.close();
    }
  });
});
