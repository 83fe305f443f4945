/**
 * Charts of a routing run (Navlakha, Barth & Bar-Joseph 2015; rows from
 * src/runs/run-routing.ts), each from the tidy rows and the strategy
 * names in plan order:
 *
 *   routing-edges        edges after each interval, per strategy (log axis):
 *                        the pruning rates' schedules, growth, the fixed
 *                        random network;
 *   routing-comparison   the finished networks side by side: mean path
 *                        length (efficiency), short alternative paths and the
 *                        test pairs still routable after the largest edge and
 *                        node loss (robustness), mean over seeds with 95% CI
 *                        bars, with Navlakha's ordering judged per measure;
 *   routing-damage       test pairs routable against the fraction of edges,
 *                        and of nodes, removed at random;
 *   routing-sweep        with a sweep: mean path length of each strategy at
 *                        each sweep point, so a reader sees whether the
 *                        ordering survives every value tried.
 *
 * Means and intervals are Student-t over seeds (metrics/stats.ts).
 */
import { confidenceInterval, type Interval } from "../metrics/stats.js";
import type { MetricRow } from "../runs/results.js";
import type { LearnerInfo } from "../scenario/sweep.js";
import { clip, metricBounds } from "./bounds.js";
import { aggregateMetric, finalBySeed, learnerColor, type ChartDef, type VegaLiteSpec } from "./charts.js";
import { navlakhaVerdict, ordering } from "./navlakha-order.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const CONFIG = { font: "DejaVu Sans, Helvetica, Arial, sans-serif", legend: { symbolOpacity: 1, labelLimit: 360 } };

/** The colour of each strategy, the same scale as every report's learners, its legend titled for routing. */
function strategyColor(strategies: readonly string[]) {
  return { ...learnerColor(strategies), title: "strategy" };
}

function spec(title: string, values: unknown[], rest: Record<string, unknown>): VegaLiteSpec {
  return { $schema: SCHEMA, title, background: "white", config: CONFIG, data: { values }, ...rest };
}

function fmt(v: number, digits = 3): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : "n/a";
}

/** A finished-network measure: its metric, title (with its unit) and direction, and the factor to that unit (100 for %). */
export interface RoutingMeasure {
  metric: string;
  title: string;
  better: "higher" | "lower";
  scale: number;
}

/** The measures the comparison chart shows: efficiency, then robustness at the largest damage fraction. */
export function routingMeasures(damageFractions: readonly number[]): RoutingMeasure[] {
  const worst = damageFractions.length === 0 ? undefined : Math.max(...damageFractions);
  return [
    { metric: "meanPathLength", title: "mean path length (hops)", better: "lower", scale: 1 },
    { metric: "alternativePaths", title: "short alternative paths (per pair)", better: "higher", scale: 1 },
    ...(worst === undefined
      ? []
      : [
          {
            metric: `routableAfterEdgeLoss[${worst}]`,
            title: `routable after ${fmt(100 * worst)}% edge loss (%)`,
            better: "higher" as const,
            scale: 100,
          },
          {
            metric: `routableAfterNodeLoss[${worst}]`,
            title: `routable after ${fmt(100 * worst)}% node loss (%)`,
            better: "higher" as const,
            scale: 100,
          },
        ]),
  ];
}

/** Mean and 95% CI over seeds of a strategy's final value of a metric (null when absent). */
function finalInterval(rows: readonly MetricRow[], learner: string, metric: string): Interval | null {
  const v = finalBySeed(rows, learner, metric);
  return v.length === 0 ? null : confidenceInterval(v);
}

/**
 * An interval as a chart draws it: scaled to the measure's unit, the bar
 * clipped to what the measure allows (a share of the test pairs to 0–100%,
 * hops and paths at 0). Orderings and verdicts use the interval as it is.
 */
function drawn(ci: Interval, metric: string, scale: number): { mean: number; lo: number; hi: number } {
  const bounds = metricBounds(metric);
  return { mean: ci.mean * scale, lo: clip(ci.lo * scale, bounds, scale), hi: clip(ci.hi * scale, bounds, scale) };
}

/**
 * Navlakha et al. 2015's ordering (decreasing-rate pruning better than
 * constant, constant than increasing) for one measure among some strategies,
 * in words; null when the three rates are not all there. Lower-is-better
 * measures are turned round first.
 */
export function routingVerdict(
  rows: readonly MetricRow[],
  strategies: readonly string[],
  m: RoutingMeasure,
): string | null {
  const items = strategies.flatMap((learner) => {
    const ci = finalInterval(rows, learner, m.metric);
    if (ci === null) return [];
    return m.better === "higher"
      ? [{ learner, mean: ci.mean, lo: ci.lo, hi: ci.hi, seeds: ci.n }]
      : [{ learner, mean: -ci.mean, lo: -ci.hi, hi: -ci.lo, seeds: ci.n }];
  });
  const verdict = navlakhaVerdict(items);
  // The verdict ranks "better" first; for a lower-is-better measure say so in its own terms.
  return m.better === "lower" && verdict !== null
    ? verdict.replace("decreasing > constant > increasing", "decreasing < constant < increasing")
    : verdict;
}

/** Edges after each interval, per strategy, mean over seeds with 95% bands, log axis. */
export function edgesChart(rows: readonly MetricRow[], strategies: readonly string[]): ChartDef[] {
  const points = aggregateMetric(rows, "edgeCount").filter((p) => strategies.includes(p.learner));
  if (points.length === 0) return [];
  const color = strategyColor(strategies);
  const manySeeds = points.some((p) => p.seeds > 1);
  const x = { field: "epoch", type: "quantitative", title: "interval (0: start)", axis: { tickMinStep: 1 } };
  const y = { field: "mean", type: "quantitative", title: "edges (log scale)", scale: { type: "log" } };
  const layers: unknown[] = [];
  if (manySeeds)
    layers.push({
      mark: { type: "area", opacity: 0.2 },
      encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" }, color },
    });
  layers.push({
    mark: { type: "line", point: true },
    encoding: {
      x,
      y,
      color,
      tooltip: [{ field: "learner" }, { field: "epoch" }, { field: "mean", format: ".4~g" }, { field: "seeds" }],
    },
  });
  const text = strategies.flatMap((s) => {
    const mine = points.filter((p) => p.learner === s);
    if (mine.length === 0) return [];
    return [`${s} ${mine.map((p) => fmt(p.mean)).join(" → ")}`];
  });
  const title = "Edges over the intervals";
  return [
    {
      id: "routing-edges",
      title,
      caption: `Edges after each training interval (interval 0 is the start)${manySeeds ? ", mean over seeds" : ""}. Pruning strategies remove the least-used edges at the end of each interval at their rate, growth adds shortcuts at a constant rate, the random network never changes; all end at the budget B. ${text.join("; ")}.`,
      spec: spec(title, points, { width: 480, height: 300, layer: layers }),
    },
  ];
}

/** The finished networks compared per measure, with Navlakha's ordering judged on each. */
export function comparisonChart(
  rows: readonly MetricRow[],
  strategies: readonly LearnerInfo[],
  measures: readonly RoutingMeasure[],
): ChartDef[] {
  const names = strategies.map((s) => s.name);
  const values: { learner: string; measure: string; mean: number; lo: number; hi: number; seeds: number }[] = [];
  const text: string[] = [];
  for (const m of measures) {
    const here: { learner: string; mean: number; lo: number; hi: number }[] = [];
    for (const learner of names) {
      const ci = finalInterval(rows, learner, m.metric);
      if (ci === null) continue;
      values.push({ learner, measure: m.title, ...drawn(ci, m.metric, m.scale), seeds: ci.n });
      here.push(
        m.better === "higher"
          ? { learner, mean: ci.mean, lo: ci.lo, hi: ci.hi }
          : { learner, mean: -ci.mean, lo: -ci.hi, hi: -ci.lo },
      );
    }
    if (here.length === 0) continue;
    const verdict = routingVerdict(rows, names, m);
    text.push(
      `${m.title} (${m.better} is better): best first ${ordering(here)}${verdict === null ? "" : `; Navlakha's ordering ${verdict}`}`,
    );
  }
  if (values.length === 0) return [];
  const color = strategyColor(names);
  const title = "The finished networks compared";
  const x = { field: "learner", type: "nominal", title: null, sort: names, axis: { labelAngle: -30 } };
  const y = (field: string) => ({
    field,
    type: "quantitative",
    title: null,
    scale: { zero: false },
    axis: { format: ".3~g" },
  });
  return [
    {
      id: "routing-comparison",
      title,
      caption: `After the last interval, on the test pairs: mean over seeds with 95% confidence intervals (bars, clipped to what the measure allows: 0–100% of the pairs, hops and paths at 0). In the orderings, ">" joins two strategies whose intervals do not overlap and "≈" two whose intervals do. ${text.join(". ")}.`,
      spec: spec(title, values, {
        facet: { column: { field: "measure", type: "nominal", title: null, sort: measures.map((m) => m.title) } },
        resolve: { scale: { y: "independent" } },
        spec: {
          width: 150,
          height: 240,
          layer: [
            { mark: { type: "point", opacity: 0 }, encoding: { x, y: y("hi") } },
            {
              mark: { type: "rule", strokeWidth: 2 },
              encoding: { x, y: y("lo"), y2: { field: "hi" }, color },
            },
            {
              mark: { type: "point", filled: true, size: 70 },
              encoding: {
                x,
                y: y("mean"),
                color,
                tooltip: [
                  { field: "learner" },
                  { field: "measure" },
                  { field: "mean", format: ".4~g" },
                  { field: "lo", format: ".4~g" },
                  { field: "hi", format: ".4~g" },
                  { field: "seeds" },
                ],
              },
            },
          ],
        },
      }),
    },
  ];
}

/** Test pairs routable against the fraction of edges or nodes removed (0: the undamaged network). */
export function damageChart(
  rows: readonly MetricRow[],
  strategies: readonly string[],
  damageFractions: readonly number[],
): ChartDef[] {
  if (damageFractions.length === 0) return [];
  const values: { learner: string; removed: string; fraction: number; mean: number; lo: number; hi: number }[] = [];
  for (const learner of strategies) {
    for (const [removed, prefix] of [
      ["edges", "routableAfterEdgeLoss"],
      ["nodes", "routableAfterNodeLoss"],
    ] as const) {
      const at0 = finalInterval(rows, learner, "routableFraction");
      if (at0 !== null) values.push({ learner, removed, fraction: 0, ...drawn(at0, "routableFraction", 100) });
      for (const f of damageFractions) {
        const metric = `${prefix}[${f}]`;
        const ci = finalInterval(rows, learner, metric);
        if (ci !== null) values.push({ learner, removed, fraction: 100 * f, ...drawn(ci, metric, 100) });
      }
    }
  }
  if (values.length === 0) return [];
  const color = strategyColor(strategies);
  const x = { field: "fraction", type: "quantitative", title: "removed at random (%)" };
  const title = "Routing under damage";
  return [
    {
      id: "routing-damage",
      title,
      caption:
        "Fraction of the test pairs with a path after removing a random share of the edges (the edges panel) or of the nodes (the nodes panel; a pair that lost its source or target counts as unroutable), mean over damage trials, then over seeds with 95% CI bars (clipped to 0–100%); 0% is the undamaged network.",
      spec: spec(title, values, {
        facet: { column: { field: "removed", type: "nominal", title: null, sort: ["edges", "nodes"] } },
        spec: {
          width: 260,
          height: 240,
          layer: [
            {
              mark: { type: "line", point: true },
              encoding: {
                x,
                y: { field: "mean", type: "quantitative", title: "test pairs routable (%)", scale: { zero: false } },
                color,
              },
            },
            {
              mark: { type: "rule" },
              encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color },
            },
          ],
        },
      }),
    },
  ];
}

/** A sweep point's label: its settings, or "as written" for the scenario's own (one-at-a-time sweeps). */
export function sweepPoint(s: Pick<LearnerInfo, "params">): string {
  const parts = Object.entries(s.params).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? "as written" : parts.join(" ");
}

/** With a sweep: each strategy's mean path length at each sweep point, and Navlakha's ordering at each point. */
export function sweepChart(rows: readonly MetricRow[], strategies: readonly LearnerInfo[]): ChartDef[] {
  if (!strategies.some((s) => Object.keys(s.params).length > 0)) return [];
  const swept = strategies;
  const pointOf = sweepPoint;
  const points = [...new Set(swept.map(pointOf))];
  const bases = [...new Set(swept.map((s) => s.base))];
  const values: { strategy: string; point: string; mean: number; lo: number; hi: number }[] = [];
  for (const s of swept) {
    const ci = finalInterval(rows, s.name, "meanPathLength");
    if (ci !== null) values.push({ strategy: s.base, point: pointOf(s), ...drawn(ci, "meanPathLength", 1) });
  }
  if (values.length === 0) return [];
  const measure: RoutingMeasure = { metric: "meanPathLength", title: "mean path length", better: "lower", scale: 1 };
  const verdicts = points.map((p) => {
    const here = swept.filter((s) => pointOf(s) === p);
    const verdict = routingVerdict(
      rows,
      here.map((s) => s.name),
      measure,
    );
    return `at ${p} it ${verdict ?? "cannot be judged (the three rates are not all there)"}`;
  });
  const color = strategyColor(bases);
  // The sweep points down the side, one row each with the strategies side by side in it: however many points
  // a sweep has, the chart keeps its width (a phone, a 700 px window) and each setting reads horizontally.
  const y = { field: "point", type: "nominal", title: null, sort: points, axis: { labelLimit: 260 } };
  const yOffset = { field: "strategy", type: "nominal", sort: bases };
  const x = (field: string) => ({
    field,
    type: "quantitative",
    title: "mean path length (hops)",
    scale: { zero: false },
    axis: { tickCount: 6 },
  });
  const colorBy = { ...color, field: "strategy" };
  const title = "Efficiency across the sweep";
  return [
    {
      id: "routing-sweep",
      title,
      caption: `Mean path length over the test pairs (lower is better) of each strategy at each sweep point, mean over seeds with 95% CI bars (clipped at zero hops). Navlakha's ordering (decreasing-rate pruning shorter than constant, constant than increasing): ${verdicts.join("; ")}.`,
      spec: spec(title, values, {
        width: 320,
        // The step is each strategy's band inside a point's row (vega-lite steps the offset): 3 strategies, 12 points
        // make a chart about 500 px tall.
        height: { step: 12 },
        layer: [
          {
            mark: { type: "rule", strokeWidth: 2 },
            encoding: { y, yOffset, x: x("lo"), x2: { field: "hi" }, color: colorBy },
          },
          {
            mark: { type: "point", filled: true, size: 50 },
            encoding: {
              y,
              yOffset,
              x: x("mean"),
              color: colorBy,
              tooltip: [
                { field: "strategy" },
                { field: "point" },
                { field: "mean", format: ".4~g" },
                { field: "lo", format: ".4~g" },
                { field: "hi", format: ".4~g" },
              ],
            },
          },
        ],
      }),
    },
  ];
}

/** Every routing chart with data. */
export function routingCharts(
  rows: readonly MetricRow[],
  strategies: readonly LearnerInfo[],
  damageFractions: readonly number[],
): ChartDef[] {
  const unswept = strategies.filter((s) => Object.keys(s.params).length === 0);
  // With a sweep the per-strategy charts would hold every point: show them for the first point only.
  const first =
    unswept.length > 0
      ? unswept
      : strategies.filter((s) => JSON.stringify(s.params) === JSON.stringify(strategies[0]!.params));
  return [
    ...edgesChart(
      rows,
      first.map((s) => s.name),
    ),
    ...comparisonChart(rows, first, routingMeasures(damageFractions)),
    ...damageChart(
      rows,
      first.map((s) => s.name),
      damageFractions,
    ),
    ...sweepChart(rows, strategies),
  ];
}
