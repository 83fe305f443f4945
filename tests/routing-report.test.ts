// The routing report's figures that can be (Navlakha, Barth & Bar-Joseph 2015's
// measures: shares of the test pairs routable lie in 0–100%, path lengths and
// alternative paths are at or above zero): table cells give the seeds' range
// where a Student-t interval would leave that, chart bars are clipped to it and
// axis titles carry units; the comparisons table corrects its many p-values
// together with Holm's method (Holm 1979) and says so, as every report does.
// The rows are hand-made so the intervals are known: for values a, b, c the 95%
// half-width is t(0.975, 2) · s / √3 with t = 4.303.
import { describe, expect, it } from "vitest";
import { holmAdjust } from "../src/metrics/stats.js";
import { metricBounds } from "../src/report/bounds.js";
import { routingComparisonsTable, routingTable } from "../src/report/routing-report.js";
import { routingCharts } from "../src/report/routing-charts.js";
import { holmNote } from "../src/report/table.js";
import type { MetricRow } from "../src/runs/results.js";
import { summarizeRouting } from "../src/runs/routing-results.js";
import { parseAnyScenarioText } from "../src/scenario/load.js";
import type { LearnerInfo } from "../src/scenario/sweep.js";

const loaded = parseAnyScenarioText(
  JSON.stringify({
    kind: "routing",
    name: "figures",
    task: { nodes: 40 },
    network: { edgeBudget: 120 },
    training: { intervals: 2, pairsPerInterval: 10 },
    strategies: [
      { type: "prune", rate: "decreasing" },
      { type: "prune", rate: "constant" },
      { type: "prune", rate: "increasing" },
    ],
    evaluation: { testPairs: 50, damageFractions: [0.5], damageTrials: 2 },
    seeds: [1, 2, 3],
  }),
  "figures.json",
);
if (loaded.kind !== "routing") throw new Error("expected a routing scenario");
const scenario = loaded.scenario;

const names = ["decreasing", "constant", "increasing"];
const strategies: LearnerInfo[] = names.map((name) => ({ name, type: "prune", base: name, params: {} }));

/** Per strategy and metric, the three seeds' final values (interval 2). */
const finals: Record<string, Record<string, [number, number, number]>> = {
  // 2, 2, 5 hops: mean 3, half-width 4.30: the interval would reach −1.3 hops.
  decreasing: { meanPathLength: [2, 2, 5], routableFraction: [1, 1, 1], "routableAfterEdgeLoss[0.5]": [1, 1, 0.8] },
  constant: {
    meanPathLength: [3, 3.1, 3.2],
    routableFraction: [1, 1, 1],
    "routableAfterEdgeLoss[0.5]": [0.7, 0.72, 0.74],
  },
  increasing: {
    meanPathLength: [4, 4.1, 4.2],
    routableFraction: [1, 1, 1],
    "routableAfterEdgeLoss[0.5]": [0.5, 0.52, 0.54],
  },
};
const rows: MetricRow[] = Object.entries(finals).flatMap(([learner, metrics]) =>
  Object.entries(metrics).flatMap(([metric, values]) =>
    values.map((value, i) => ({ learner, seed: i + 1, epoch: 2, metric, value })),
  ),
);
const summary = summarizeRouting({ scenario, seeds: [1, 2, 3], strategies, rows }, "test");

type Datum = { learner: string; mean: number; lo: number; hi: number; measure?: string; removed?: string };
const dataOf = (id: string): Datum[] => {
  const chart = routingCharts(rows, strategies, [0.5]).find((c) => c.id === id);
  if (chart === undefined) throw new Error(`no chart ${id}`);
  return (chart.spec["data"] as { values: Datum[] }).values;
};

describe("routing report figures", () => {
  it("bounds the routing measures: shares to 0–1 (with their damage fraction), hops and paths at zero", () => {
    expect(metricBounds("routableAfterEdgeLoss[0.3]")).toEqual({ min: 0, max: 1 });
    expect(metricBounds("routableAfterNodeLoss[0.1]")).toEqual({ min: 0, max: 1 });
    expect(metricBounds("meanPathLength")).toEqual({ min: 0, max: Infinity });
    // A metric named like an Object property is unbounded, not Object's own.
    expect(metricBounds("constructor")).toEqual({ min: -Infinity, max: Infinity });
  });

  it("gives a table cell whose interval would leave the measure's range as the mean and the seeds' range", () => {
    const table = routingTable(summary);
    const col = (title: string) => table.headers.indexOf(title);
    const decreasing = table.rows[0]!;
    // 1, 1, 0.8: mean 93.3%, half-width 28.7 pp would reach 122%.
    expect(decreasing[col("routable after 50% edge loss (%) ↑")]!.text).toBe("93.3 [80.0, 100.0] ★");
    expect(decreasing[col("mean path length (hops) ↓")]!.text).toBe("3.000 [2.000, 5.000] ★");
    // 0.7, 0.72, 0.74: 72.0 ± t·2/√3 = 72.0 ± 5.0 pp, inside.
    expect(table.rows[1]![col("routable after 50% edge loss (%) ↑")]!.text).toBe("72.0 ± 5.0");
    expect(table.notes?.join(" ")).toMatch(/range of the seeds' values/);
  });

  it("clips the charts' bars to 0–100% and at zero hops, and titles axes with units", () => {
    const comparison = dataOf("routing-comparison");
    const hops = comparison.find((d) => d.learner === "decreasing" && d.measure === "mean path length (hops)")!;
    expect(hops.lo).toBe(0);
    expect(hops.hi).toBeCloseTo(3 + (4.303 * Math.sqrt(3)) / Math.sqrt(3), 2);
    const edgeLoss = comparison.find(
      (d) => d.learner === "decreasing" && d.measure === "routable after 50% edge loss (%)",
    )!;
    expect(edgeLoss.mean).toBeCloseTo(93.33, 2);
    expect(edgeLoss.hi).toBe(100);
    const damage = dataOf("routing-damage");
    for (const d of damage) {
      expect(d.lo).toBeGreaterThanOrEqual(0);
      expect(d.hi).toBeLessThanOrEqual(100);
    }
    expect(damage.find((d) => d.learner === "decreasing" && d.removed === "edges" && d.mean < 100)!.hi).toBe(100);
    const spec = JSON.stringify(routingCharts(rows, strategies, [0.5]).find((c) => c.id === "routing-damage")!.spec);
    expect(spec).toContain('"title":"test pairs routable (%)"');
    expect(spec).toContain('"title":"strategy"');
  });

  it("with a sweep, gives each row its settings and marks the best among the strategies at the same settings", () => {
    // The same three strategies at a larger edge budget, every path a hop shorter: the best of each point is marked.
    const at = { "network.edgeBudget": 200 };
    const more: LearnerInfo[] = names.map((base) => ({
      name: `${base} network.edgeBudget=200`,
      type: "prune",
      base,
      params: at,
    }));
    const shorter = rows
      .filter((r) => r.metric === "meanPathLength")
      .map((r) => ({ ...r, learner: `${r.learner} network.edgeBudget=200`, value: r.value - 1 }));
    const swept = summarizeRouting(
      { scenario, seeds: [1, 2, 3], strategies: [...strategies, ...more], rows: [...rows, ...shorter] },
      "test",
    );
    const table = routingTable(swept);
    // Every point trains 2 intervals: the meta line says so, no column repeats it.
    expect(table.headers.slice(0, 4)).toEqual(["settings", "strategy", "type", "mean path length (hops) ↓"]);
    const hops = table.headers.indexOf("mean path length (hops) ↓");
    expect(table.rows.map((r) => `${r[0]!.text} | ${r[1]!.text} | ${r[hops]!.text}`)).toEqual([
      "as written | decreasing | 3.000 [2.000, 5.000] ★",
      "as written | constant | 3.100 ± 0.248",
      "as written | increasing | 4.100 ± 0.248",
      "network.edgeBudget=200 | decreasing | 2.000 [1.000, 4.000] ★",
      "network.edgeBudget=200 | constant | 2.100 ± 0.248",
      "network.edgeBudget=200 | increasing | 3.100 ± 0.248",
    ]);
    expect(table.notes?.[0]).toMatch(/among the strategies at the same settings/);
    // The sweep chart lists the points down the side: its width does not grow with their number.
    const sweep = routingCharts([...rows, ...shorter], [...strategies, ...more], [0.5]).find(
      (c) => c.id === "routing-sweep",
    )!;
    expect(sweep.spec["width"]).toBe(320);
    expect(JSON.stringify(sweep.spec)).toContain('"y":{"field":"point","type":"nominal"');
    const cmp = routingComparisonsTable(swept)!;
    expect(cmp.headers.slice(0, 3)).toEqual(["settings", "strategy A", "strategy B"]);
    expect(
      cmp.rows
        .at(-1)!
        .slice(0, 3)
        .map((c) => c.text),
    ).toEqual(["network.edgeBudget=200", "constant", "increasing"]);
  });

  it("corrects the comparisons' p-values together with Holm's method and says so beside the table", () => {
    const table = routingComparisonsTable(summary)!;
    expect(table.headers).toContain("p (Holm)");
    const ps = summary.comparisons.map((c) => c.p);
    const tested = ps.filter(Number.isFinite).length;
    expect(tested).toBeGreaterThan(1);
    expect(summary.comparisons.map((c) => c.pHolm)).toEqual(holmAdjust(ps));
    expect(table.notes).toContain(holmNote(tested));
  });
});
