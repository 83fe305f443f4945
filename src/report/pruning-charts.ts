/**
 * Charts of pruning and growth runs (the `pruning` block of a learner; the
 * metrics come from src/runs/pruning-hooks.ts). Each builder takes the
 * tidy metric rows and the learner names in scenario order and returns [] when
 * its data is absent, so all can be handed every run:
 *
 *   development             synapses over epochs beside test accuracy over
 *                           epochs (the rise and fall of a developmental
 *                           programme next to what the network learns);
 *   accuracy-at-density     test accuracy at each density a learner was pruned
 *                           to (the last epoch spent at that density, i.e.
 *                           after its retraining), against the connections
 *                           remaining on a log axis, 100% down to 5%;
 *   pruning-schedule-comparison
 *                           the last epoch's graph efficiency, robustness to
 *                           synapse and to neuron removal, and test accuracy,
 *                           per learner, mean over seeds with 95% CI bars
 *                           (Navlakha et al. 2015's comparison of rates).
 *
 * Means and intervals are Student-t over seeds (metrics/stats.ts), as in charts.ts.
 */
import { confidenceInterval } from "../metrics/stats.js";
import type { MetricRow } from "../runs/results.js";
import { clip, metricBounds } from "./bounds.js";
import { navlakhaOrder, ordering, scheduleTrios, verdictText } from "./navlakha-order.js";
import {
  aggregateMetric,
  EPOCH_AXIS,
  finalBySeed,
  learnerColor,
  type ChartDef,
  type Point,
  type VegaLiteSpec,
} from "./charts.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
/** Legend symbols at full opacity: a faint band layer would otherwise set how the legend draws a learner. */
const CONFIG = { font: "DejaVu Sans, Helvetica, Arial, sans-serif", legend: { symbolOpacity: 1, labelLimit: 360 } };

function spec(title: string, values: unknown[], rest: Record<string, unknown>): VegaLiteSpec {
  return { $schema: SCHEMA, title, background: "white", config: CONFIG, data: { values }, ...rest };
}

function fmt(v: number, digits = 3): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : "n/a";
}

/** Learners that recorded a pruning metric (prunedCount or grownCount), in scenario order. */
function prunedLearners(rows: readonly MetricRow[], learners: readonly string[]): string[] {
  const have = new Set(
    rows.filter((r) => r.metric === "prunedCount" || r.metric === "grownCount").map((r) => r.learner),
  );
  return learners.filter((l) => have.has(l));
}

/** Mean and 95% CI per epoch of one metric, for the given learners only. */
function perEpoch(rows: readonly MetricRow[], learners: readonly string[], metric: string, scale: number): Point[] {
  const keep = new Set(learners);
  const bounds = metricBounds(metric);
  return aggregateMetric(rows, metric, scale)
    .filter((p) => keep.has(p.learner))
    .map((p) => ({ ...p, lo: clip(p.lo, bounds, scale), hi: clip(p.hi, bounds, scale) }));
}

function bandLayers(yTitle: string, color: ReturnType<typeof learnerColor>, manySeeds: boolean): unknown[] {
  const x = { field: "epoch", type: "quantitative", title: "epoch", axis: EPOCH_AXIS };
  const layers: unknown[] = [];
  if (manySeeds) {
    layers.push({
      mark: { type: "area", opacity: 0.2 },
      encoding: {
        x,
        y: { field: "lo", type: "quantitative", title: yTitle, scale: { zero: false } },
        y2: { field: "hi" },
        // One legend for band and line: in a concatenation, a layer's legend: null would remove it for every panel.
        color,
      },
    });
  }
  layers.push({
    mark: { type: "line", point: true },
    encoding: {
      x,
      y: { field: "mean", type: "quantitative", title: yTitle, scale: { zero: false } },
      color,
      tooltip: [
        { field: "learner" },
        { field: "epoch" },
        { field: "mean", format: ".4~g" },
        { field: "lo", format: ".4~g" },
        { field: "hi", format: ".4~g" },
        { field: "seeds" },
      ],
    },
  });
  return layers;
}

/** Synapse count by epoch beside test accuracy by epoch, for every learner that records synapses (pruned or not). */
export function developmentChart(rows: MetricRow[], learners: string[]): ChartDef[] {
  if (prunedLearners(rows, learners).length === 0) return [];
  const synapses = perEpoch(rows, learners, "synapseCount", 1);
  const accuracy = perEpoch(rows, learners, "testAccuracy", 100);
  if (synapses.length === 0) return [];
  const shown = learners.filter((l) => synapses.some((p) => p.learner === l));
  const color = learnerColor(learners);
  const manySeeds = synapses.some((p) => p.seeds > 1);
  const title = "Synapses and accuracy over learning";
  const panel = (values: Point[], yTitle: string, sub: string) => ({
    title: sub,
    width: 360,
    height: 260,
    data: { values },
    layer: bandLayers(yTitle, color, manySeeds),
  });
  const parts = shown.map((l) => {
    const s = synapses.filter((p) => p.learner === l);
    const a = accuracy.filter((p) => p.learner === l);
    const peak = s.reduce((m, p) => (p.mean > m.mean ? p : m), s[0]!);
    const last = s.at(-1)!;
    const acc = a.at(-1);
    const rise = peak.mean > s[0]!.mean ? `, rising to ${fmt(peak.mean)} at epoch ${peak.epoch}` : "";
    return `${l}: ${fmt(s[0]!.mean)} synapses after epoch ${s[0]!.epoch}${rise}, ${fmt(last.mean)} at the end${acc !== undefined ? ` with ${fmt(acc.mean)}% test accuracy` : ""}`;
  });
  return [
    {
      id: "development",
      title,
      caption: `Live synapses after each epoch ("Synapses" panel) and test accuracy after each epoch ("Test accuracy" panel; beside it on a wide page, below it on a narrow one)${manySeeds ? ", mean over seeds with 95% bands" : " (one seed)"}. ${parts.join("; ")}.`,
      spec: {
        $schema: SCHEMA,
        title,
        background: "white",
        config: CONFIG,
        hconcat: [
          panel(
            synapses.filter((p) => shown.includes(p.learner)),
            "synapses (live connections)",
            "Synapses",
          ),
          panel(
            accuracy.filter((p) => shown.includes(p.learner)),
            "test accuracy (%)",
            "Test accuracy",
          ),
        ],
      },
    },
  ];
}

/** Round a density to the level it was pruned to (densities are set as round(d · possible) / possible). */
function level(density: number): number {
  return Number(density.toPrecision(3));
}

/**
 * Per learner and seed, the test accuracy of the last epoch at each density
 * level; then mean and 95% CI over seeds per level.
 */
export function accuracyAtDensityPoints(rows: readonly MetricRow[], learners: readonly string[]) {
  const points: {
    learner: string;
    remaining: number;
    accuracy: number;
    lo: number;
    hi: number;
    seeds: number;
    epoch: number;
  }[] = [];
  for (const learner of learners) {
    const density = new Map<string, number>();
    for (const r of rows)
      if (r.learner === learner && r.metric === "connectionDensity")
        density.set(`${r.seed}:${r.epoch}`, level(r.value));
    if (density.size === 0) continue;
    // seed -> level -> [epoch, accuracy] of the last epoch at that level
    const last = new Map<number, Map<number, [number, number]>>();
    for (const r of rows) {
      if (r.learner !== learner || r.metric !== "testAccuracy" || !Number.isFinite(r.value)) continue;
      const d = density.get(`${r.seed}:${r.epoch}`);
      if (d === undefined) continue;
      let m = last.get(r.seed);
      if (m === undefined) last.set(r.seed, (m = new Map()));
      const prev = m.get(d);
      if (prev === undefined || prev[0] < r.epoch) m.set(d, [r.epoch, r.value]);
    }
    // Pruned means a density that changed within a seed: a sparse network drawn at random (a liquid's
    // recurrent pool) has a density of its own in each seed, which is no curve of accuracy against pruning.
    if (![...last.values()].some((m) => m.size >= 2)) continue;
    const byLevel = new Map<number, { acc: number[]; epoch: number }>();
    for (const m of last.values()) {
      for (const [d, [epoch, acc]] of m) {
        let g = byLevel.get(d);
        if (g === undefined) byLevel.set(d, (g = { acc: [], epoch }));
        g.acc.push(100 * acc);
        g.epoch = Math.max(g.epoch, epoch);
      }
    }
    if (byLevel.size < 2) continue; // never pruned: no curve
    for (const [d, g] of [...byLevel].sort(([a], [b]) => b - a)) {
      const ci = confidenceInterval(g.acc);
      points.push({
        learner,
        remaining: 100 * d,
        accuracy: ci.mean,
        lo: Math.max(0, ci.lo),
        hi: Math.min(100, ci.hi),
        seeds: g.acc.length,
        epoch: g.epoch,
      });
    }
  }
  return points;
}

/** Learners that record connectionDensity but stayed at one density (unpruned references): final accuracy, mean and CI over seeds. */
function references(rows: readonly MetricRow[], learners: readonly string[], pruned: ReadonlySet<string>) {
  const out: { learner: string; accuracy: number; lo: number; hi: number; seeds: number }[] = [];
  for (const learner of learners) {
    if (pruned.has(learner) || !rows.some((r) => r.learner === learner && r.metric === "connectionDensity")) continue;
    const acc = finalBySeed(rows, learner, "testAccuracy").map((v) => 100 * v);
    if (acc.length === 0) continue;
    const ci = confidenceInterval(acc);
    out.push({ learner, accuracy: ci.mean, lo: Math.max(0, ci.lo), hi: Math.min(100, ci.hi), seeds: acc.length });
  }
  return out;
}

/**
 * Accuracy at each density a learner reached (after its retraining there),
 * against connections remaining; unpruned learners of the same run appear as
 * dashed horizontal lines at their final accuracy.
 */
export function accuracyAtDensityChart(rows: MetricRow[], learners: string[]): ChartDef[] {
  const points = accuracyAtDensityPoints(rows, learners);
  if (points.length === 0) return [];
  const refs = references(rows, learners, new Set(points.map((p) => p.learner)));
  const color = learnerColor(learners);
  const manySeeds = points.some((p) => p.seeds > 1);
  const x = {
    field: "remaining",
    type: "quantitative",
    title: "connections remaining (%, log scale)",
    scale: { type: "log", domain: [4, 100], reverse: true },
    axis: { values: [5, 10, 25, 50, 100] },
  };
  const y = { field: "accuracy", type: "quantitative", title: "test accuracy (%)", scale: { zero: false } };
  const layers: unknown[] = [{ mark: { type: "line", opacity: 0.7 }, encoding: { x, y, color } }];
  if (manySeeds)
    layers.push({ mark: { type: "rule" }, encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" }, color } });
  layers.push({
    mark: { type: "point", filled: true, size: 50 },
    encoding: {
      x,
      y,
      color,
      tooltip: [
        { field: "learner" },
        { field: "remaining", format: ".3~g" },
        { field: "accuracy", format: ".4~g" },
        { field: "epoch" },
        { field: "seeds" },
      ],
    },
  });
  if (refs.length > 0) {
    layers.push({
      data: { values: refs },
      mark: { type: "rule", strokeDash: [6, 4] },
      encoding: {
        y: { field: "accuracy", type: "quantitative" },
        color,
        tooltip: [
          { field: "learner" },
          { field: "accuracy", title: "final accuracy at one density", format: ".4~g" },
          { field: "seeds" },
        ],
      },
    });
  }
  const shown = learners.filter((l) => points.some((p) => p.learner === l));
  const text = shown.map(
    (l) =>
      `${l} ${points
        .filter((p) => p.learner === l)
        .map((p) => `${fmt(p.remaining)}%: ${fmt(p.accuracy)}%`)
        .join(", ")}`,
  );
  for (const r of refs)
    text.push(`${r.learner} (one density throughout, dashed) ${fmt(r.accuracy)}% after its last epoch`);
  const title = "Accuracy at each density";
  return [
    {
      id: "accuracy-at-density",
      title,
      caption: `Test accuracy at each density a learner was pruned to, read at the last epoch it spent there (after its retraining)${manySeeds ? ", mean over seeds with 95% CI bars" : " (one seed)"}; higher is better. ${text.join("; ")}.`,
      spec: spec(title, points, { width: 480, height: 300, layer: layers }),
    },
  ];
}

const SCHEDULE_METRICS = [
  { metric: "graphEfficiency", title: "efficiency (mean 1/path length)", scale: 1 },
  { metric: "robustnessSynapses", title: "pairs connected after synapse damage", scale: 1 },
  { metric: "robustnessNeurons", title: "pairs connected after neuron damage", scale: 1 },
  { metric: "testAccuracy", title: "test accuracy (%)", scale: 100 },
] as const;

/** Final efficiency, robustness and accuracy per learner with 95% CIs over seeds (learners with graph measures). */
export function scheduleComparisonChart(rows: MetricRow[], learners: string[]): ChartDef[] {
  const shown = learners.filter((l) => finalBySeed(rows, l, "graphEfficiency").length > 0);
  if (shown.length === 0) return [];
  const values: { learner: string; measure: string; mean: number; lo: number; hi: number; seeds: number }[] = [];
  const text: string[] = [];
  const verdicts: string[] = [];
  for (const m of SCHEDULE_METRICS) {
    const parts: string[] = [];
    const here: { learner: string; mean: number; lo: number; hi: number; seeds: number }[] = [];
    for (const learner of shown) {
      const v = finalBySeed(rows, learner, m.metric).map((x) => x * m.scale);
      if (v.length === 0) continue;
      const ci = confidenceInterval(v);
      // Bars clipped to what the measure allows; the ordering and verdict use the intervals as they are.
      const bounds = metricBounds(m.metric);
      values.push({
        learner,
        measure: m.title,
        mean: ci.mean,
        lo: clip(ci.lo, bounds, m.scale),
        hi: clip(ci.hi, bounds, m.scale),
        seeds: v.length,
      });
      here.push({ learner, mean: ci.mean, lo: ci.lo, hi: ci.hi, seeds: v.length });
      parts.push(`${learner} ${fmt(ci.mean)}${v.length > 1 ? ` [${fmt(ci.lo)}, ${fmt(ci.hi)}]` : ""}`);
    }
    text.push(`${m.title}: ${parts.join(", ")} (order ${ordering(here)})`);
    if (m.metric !== "testAccuracy") {
      // One verdict per trio of schedules (a scenario may compare a feed-forward and a recurrent trio).
      for (const trio of scheduleTrios(here.map((h) => h.learner))) {
        const pick = (l: string) => here.find((h) => h.learner === l)!;
        const order = navlakhaOrder(pick(trio.decreasing), pick(trio.constant), pick(trio.increasing));
        verdicts.push(`for ${m.title}${trio.label === "" ? "" : ` (${trio.label})`} it ${verdictText(order)}`);
      }
    }
  }
  const verdictSentence =
    verdicts.length > 0
      ? ` Navlakha et al. 2015 found decreasing-rate pruning more efficient and more robust than constant, and constant than increasing; here, ${verdicts.join("; ")}.`
      : "";
  const color = learnerColor(learners);
  const title = "Pruning schedules compared";
  const x = { field: "learner", type: "nominal", title: null, sort: shown, axis: { labelAngle: -30 } };
  return [
    {
      id: "pruning-schedule-comparison",
      title,
      caption: `After the last epoch, per learner: graph efficiency of the input→output connectivity, the fraction of input-output pairs still connected after removing synapses or neurons at random, and test accuracy; mean over seeds with 95% confidence intervals in brackets and as bars; "order" ranks the means, ">" where the intervals do not overlap, "≈" where they do. ${text.join("; ")}.${verdictSentence}`,
      spec: spec(title, values, {
        facet: {
          column: { field: "measure", type: "nominal", title: null, sort: SCHEDULE_METRICS.map((m) => m.title) },
        },
        resolve: { scale: { y: "independent" } },
        spec: {
          width: 170,
          height: 240,
          layer: [
            // Invisible: puts the interval tops into the y domain (a rule's y2 does not widen it).
            {
              mark: { type: "point", opacity: 0 },
              encoding: { x, y: { field: "hi", type: "quantitative", title: null, scale: { zero: false } } },
            },
            {
              mark: { type: "rule", strokeWidth: 2 },
              encoding: {
                x,
                y: { field: "lo", type: "quantitative", title: null, scale: { zero: false }, axis: { format: ".3~g" } },
                y2: { field: "hi" },
                color,
              },
            },
            {
              mark: { type: "point", filled: true, size: 70 },
              encoding: {
                x,
                y: {
                  field: "mean",
                  type: "quantitative",
                  title: null,
                  scale: { zero: false },
                  axis: { format: ".3~g" },
                },
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

/** Every pruning chart that has data in these rows. */
export function pruningCharts(rows: MetricRow[], learners: string[]): ChartDef[] {
  return [
    ...developmentChart(rows, learners),
    ...accuracyAtDensityChart(rows, learners),
    ...scheduleComparisonChart(rows, learners),
  ];
}
