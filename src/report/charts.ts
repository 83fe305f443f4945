/**
 * Chart specs (vega-lite) built from the run's plain data. Means and bands
 * over seeds are computed here (mean and Student-t 95% CI) rather than by
 * vega-lite's errorband, whose "ci" extent bootstraps with a random generator
 * and would make the charts differ from run to run.
 *
 * Every chart colours learners with one scale (`learnerColor`: domain = all
 * learner names in scenario order, range = the palette), so a learner has the
 * same colour in every chart of a report. Every chart has a one-sentence
 * caption, derived from the data where it can be. A chart whose data is
 * absent is skipped, never drawn empty.
 */
import { confidenceInterval } from "../metrics/stats.js";
import {
  summarizeRobustness,
  type MetricRow,
  type RobustnessRow,
  type RunResult,
  type WeightHistogramRow,
} from "../runs/results.js";
import type { ChartName } from "../scenario/schema.js";
import { clip, metricBounds } from "./bounds.js";
import { formatSig, joinWords } from "./format.js";

/** One chart of a report: its file stem, title, caption and vega-lite spec. */
export interface ChartDef {
  /** File stem under charts/. */
  id: string;
  title: string;
  /** One sentence for the report: what the chart shows. */
  caption: string;
  /** A vega-lite spec as plain JSON (written to charts/<id>.vl.json). */
  spec: VegaLiteSpec;
}

/** A vega-lite specification as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

/** Extra chart builders (src/report/pruning-charts.ts) take the metric rows and the learner names in scenario order. */
export type ChartBuilder = (rows: MetricRow[], learners: string[]) => ChartDef[];

/** What the charts are drawn from: a run result, or the same read back from its CSV files. */
export interface ChartData {
  rows: readonly MetricRow[];
  /** Learner names in scenario order: the colour domain of every chart. */
  learners: readonly string[];
  histograms?: readonly WeightHistogramRow[];
  robustness?: readonly RobustnessRow[];
  firingRates?: RunResult["firingRates"];
}

/** Tableau 10, then its lighter partners: twenty distinct colours before any repeats. */
export const learnerPalette = [
  "#4c78a8",
  "#f58518",
  "#54a24b",
  "#e45756",
  "#72b7b2",
  "#eeca3b",
  "#b279a2",
  "#ff9da6",
  "#9d755d",
  "#bab0ac",
  "#9ecae9",
  "#ffbf79",
  "#88d27a",
  "#ff9d98",
  "#83bcb6",
  "#f2cf5b",
  "#d6a5c9",
  "#fcbfd2",
  "#d8b5a5",
  "#79706e",
];

/** The one colour encoding every chart uses for learners. */
export function learnerColor(learners: readonly string[]) {
  return {
    field: "learner",
    type: "nominal",
    title: "learner",
    scale: { domain: [...learners], range: learners.map((_, i) => learnerPalette[i % learnerPalette.length]!) },
  } as const;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
/** Legend symbols at full opacity: layers share the colour legend, and a faint band layer would otherwise set its look. */
const CONFIG = { font: "DejaVu Sans, Helvetica, Arial, sans-serif", legend: { symbolOpacity: 1, labelLimit: 360 } };

function topLevel(title: string, values: unknown[], rest: Record<string, unknown>): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title,
    width: 480,
    height: 280,
    background: "white",
    config: CONFIG,
    data: { values },
    ...rest,
  };
}

/**
 * Whole epochs on an epoch axis. tickMinStep alone keeps the static chart's
 * ticks whole, but a live chart whose axis can zoom places ticks at 1.5 as
 * well; those keep no label.
 */
export const EPOCH_AXIS = {
  tickMinStep: 1,
  labelExpr: "datum.value === floor(datum.value) ? format(datum.value, 'd') : ''",
} as const;

export interface Point {
  learner: string;
  /** Epoch, or the x value of a curve (robustness level). */
  epoch: number;
  mean: number;
  lo: number;
  hi: number;
  seeds: number;
}

/** Mean and 95% CI over seeds for one metric, per learner and epoch. */
export function aggregateMetric(rows: readonly MetricRow[], metric: string, scale = 1): Point[] {
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    if (r.metric !== metric || !Number.isFinite(r.value)) continue;
    const key = `${r.epoch}\u0000${r.learner}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push(r.value * scale);
  }
  const out: Point[] = [];
  for (const [key, values] of groups) {
    const [epoch, learner] = key.split("\u0000") as [string, string];
    const ci = confidenceInterval(values);
    out.push({ learner, epoch: Number(epoch), mean: ci.mean, lo: ci.lo, hi: ci.hi, seeds: values.length });
  }
  out.sort((a, b) => a.learner.localeCompare(b.learner) || a.epoch - b.epoch);
  return out;
}

/** Each seed's value of `metric` at the last epoch that reported it (finite values only). */
export function finalBySeed(rows: readonly MetricRow[], learner: string, metric: string): number[] {
  const last = new Map<number, MetricRow>();
  for (const r of rows) {
    if (r.learner !== learner || r.metric !== metric) continue;
    const prev = last.get(r.seed);
    if (prev === undefined || r.epoch >= prev.epoch) last.set(r.seed, r);
  }
  return [...last.values()].map((r) => r.value).filter(Number.isFinite);
}

/** The final accuracy figure: finalTestAccuracy where recorded, else the last epoch's testAccuracy. */
function finalAccuracy(rows: readonly MetricRow[], learner: string): number[] {
  const f = finalBySeed(rows, learner, "finalTestAccuracy");
  return f.length > 0 ? f : finalBySeed(rows, learner, "testAccuracy");
}

const pct = (v: number) => `${formatSig(v, 3)}%`;

/** "a 97.5%, b 80%" for up to six learners; beyond that the extremes only. */
function perLearner(
  items: readonly { learner: string; text: string; value: number }[],
  better: "higher" | "lower" = "higher",
): string {
  if (items.length <= 6) return joinWords(items.map((i) => `${i.learner} ${i.text}`));
  const sorted = [...items].sort((a, b) => (better === "higher" ? b.value - a.value : a.value - b.value));
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  return `from ${first.learner} ${first.text} to ${last.learner} ${last.text} over ${items.length} learners`;
}

/** The band (when several seeds) and the mean line with points, one colour per learner. */
function bandAndLine(
  x: Record<string, unknown>,
  yTitle: string,
  yScale: Record<string, unknown>,
  color: ReturnType<typeof learnerColor>,
  manySeeds: boolean,
  xField = "epoch",
): unknown[] {
  const layers: unknown[] = [];
  if (manySeeds) {
    layers.push({
      mark: { type: "area", opacity: 0.2 },
      encoding: {
        x,
        y: { field: "lo", type: "quantitative", title: yTitle, scale: yScale },
        y2: { field: "hi" },
        color,
      },
    });
  }
  layers.push({
    mark: { type: "line", point: true },
    encoding: {
      x,
      y: { field: "mean", type: "quantitative", title: yTitle, scale: yScale },
      color,
      tooltip: [
        { field: "learner" },
        { field: xField, title: String(x["title"] ?? xField) },
        { field: "mean", format: ".4~g" },
        { field: "lo", title: "95% CI low", format: ".4~g" },
        { field: "hi", title: "95% CI high", format: ".4~g" },
        { field: "seeds" },
      ],
    },
  });
  return layers;
}

type LineChartName =
  | "learning-curve"
  | "loss-curve"
  | "train-accuracy"
  | "spikes-per-sample"
  | "weight-change"
  | "synapse-count";

interface LineMeta {
  metric: string;
  title: string;
  yTitle: string;
  caption: string;
  better?: "higher" | "lower";
  percent?: boolean;
  logY?: boolean;
  /** How a last-epoch value reads in the caption. */
  unit?: (v: number) => string;
}

const LINE_META: Record<LineChartName, LineMeta> = {
  "learning-curve": {
    metric: "testAccuracy",
    title: "Test accuracy by epoch",
    yTitle: "test accuracy (%)",
    percent: true,
    better: "higher",
    unit: pct,
    caption:
      "Accuracy on the held-out test set after each epoch; the line is the mean over seeds and the band its 95% confidence interval.",
  },
  "loss-curve": {
    metric: "trainLoss",
    title: "Training loss by epoch",
    yTitle: "training loss (cross-entropy, nats)",
    better: "lower",
    caption: "Mean training loss over each epoch, as each learner's optimiser saw it.",
  },
  "train-accuracy": {
    metric: "trainAccuracy",
    title: "Training accuracy by epoch",
    yTitle: "training accuracy (%)",
    percent: true,
    better: "higher",
    unit: pct,
    caption: "Accuracy on the training batches during each epoch (weights changing as it is measured).",
  },
  "spikes-per-sample": {
    metric: "spikesPerSample",
    title: "Spikes per sample",
    yTitle: "hidden spikes per sample",
    better: "lower",
    caption:
      "Hidden-layer spikes per simulated sample, for spiking learners (a cost: each spike drives synaptic events).",
  },
  "weight-change": {
    metric: "weightChange",
    title: "Weight change per epoch",
    yTitle: "mean |Δw| since previous epoch",
    logY: true,
    caption: "Mean absolute change of the learned weights during each epoch: how much plasticity is still going on.",
  },
  "synapse-count": {
    metric: "synapseCount",
    title: "Synapses by epoch",
    yTitle: "synapses (live connections)",
    caption:
      "Live synapses (connections) after each epoch, as pruning removes and growth adds them; mean over seeds with its 95% confidence band.",
  },
};

/** A metric per epoch: mean line and 95% CI band per learner; null when no learner recorded it. */
export function lineChart(id: LineChartName, rows: readonly MetricRow[], learners: readonly string[]): ChartDef | null {
  const m = LINE_META[id];
  const data = aggregateMetric(rows, m.metric, m.percent ? 100 : 1);
  if (m.logY) {
    // A log axis cannot show zero or negative values: drop zeros, keep the band above a tenth of the mean.
    for (let i = data.length - 1; i >= 0; i--) if (!(data[i]!.mean > 0)) data.splice(i, 1);
    for (const p of data) p.lo = Math.max(p.lo, p.mean / 10);
  }
  // A band cannot claim what the metric cannot be: an accuracy past 100%, a loss or a count below 0.
  const bounds = metricBounds(m.metric);
  for (const p of data) {
    p.lo = clip(p.lo, bounds, m.percent ? 100 : 1);
    p.hi = clip(p.hi, bounds, m.percent ? 100 : 1);
  }
  if (data.length === 0) return null; // e.g. spikes for a scenario with no spiking learner
  const manySeeds = data.some((p) => p.seeds > 1);
  const x = { field: "epoch", type: "quantitative", title: "epoch", axis: EPOCH_AXIS };
  const yScale = m.logY ? { type: "log" } : { zero: false };
  const spec = topLevel(m.title, data, { layer: bandAndLine(x, m.yTitle, yScale, learnerColor(learners), manySeeds) });
  const base = manySeeds
    ? m.caption
    : m.caption.replace(
        /; (the line is the mean over seeds and the band its 95% confidence interval|mean over seeds with its 95% confidence band)/,
        " (one seed)",
      );
  return { id, title: m.title, caption: `${base.replace(/\.$/, "")}; ${lineCaption(id, m, data, learners)}`, spec };
}

function lineCaption(id: LineChartName, m: LineMeta, data: readonly Point[], learners: readonly string[]): string {
  const lastOf = (learner: string) => data.filter((p) => p.learner === learner).at(-1);
  const present = learners.filter((l) => lastOf(l) !== undefined);
  if (id === "synapse-count") {
    const items = present.map((l) => {
      const pts = data.filter((p) => p.learner === l);
      const first = pts[0]!.mean;
      const last = pts.at(-1)!.mean;
      return {
        learner: l,
        value: last,
        text: `${formatSig(last)}${first > 0 ? ` (${formatSig((100 * last) / first, 3)}% of epoch ${pts[0]!.epoch})` : ""}`,
      };
    });
    return `at the last epoch ${perLearner(items, "lower")}.`;
  }
  const unit = m.unit ?? ((v: number) => formatSig(v));
  const items = present.map((l) => ({ learner: l, value: lastOf(l)!.mean, text: unit(lastOf(l)!.mean) }));
  const lead = m.better === undefined ? "at the last epoch" : `${m.better} is better, and at the last epoch`;
  return `${lead} ${perLearner(items, m.better ?? "higher")}.`;
}

function interval(values: readonly number[], scale = 1) {
  const ci = confidenceInterval(values.map((v) => v * scale));
  return { mean: ci.mean, lo: ci.lo, hi: ci.hi, n: ci.n };
}

/**
 * Final accuracy against inference energy per sample, one point per learner
 * with 95% CI error bars on both axes, energy on a log axis; the Pareto front
 * (no other learner both at least as accurate and at most as costly) is joined
 * by a dashed staircase.
 */
export function accuracyVsEnergyChart(rows: readonly MetricRow[], learners: readonly string[]): ChartDef | null {
  const points = learners.flatMap((learner) => {
    const energy = interval(finalBySeed(rows, learner, "energyPj"));
    const acc = interval(finalAccuracy(rows, learner), 100);
    if (!(energy.n > 0 && energy.mean > 0 && acc.n > 0)) return [];
    return [
      {
        learner,
        energy: energy.mean,
        energyLo: Math.max(energy.lo, energy.mean / 10),
        energyHi: energy.hi,
        accuracy: acc.mean,
        accuracyLo: Math.max(0, acc.lo),
        accuracyHi: Math.min(100, acc.hi),
        seeds: Math.min(energy.n, acc.n),
        pareto: false,
        standing: "dominated" as "on the Pareto front" | "dominated",
      },
    ];
  });
  if (points.length === 0) return null;
  for (const p of points) {
    p.pareto = !points.some(
      (q) =>
        q !== p && q.accuracy >= p.accuracy && q.energy <= p.energy && (q.accuracy > p.accuracy || q.energy < p.energy),
    );
    if (p.pareto) p.standing = "on the Pareto front";
  }
  const color = learnerColor(learners);
  const x = {
    field: "energy",
    type: "quantitative",
    title: "energy per sample (pJ, log scale)",
    scale: { type: "log" },
    // SI prefixes (30k, 1M, 10M pJ): seven-digit labels crowd each other at the top of a log axis.
    axis: { format: "~s", labelOverlap: "greedy" },
  };
  const y = { field: "accuracy", type: "quantitative", title: "final test accuracy (%)", scale: { zero: false } };
  const manySeeds = points.some((p) => p.seeds > 1);
  const layers: unknown[] = [
    {
      transform: [{ filter: "datum.pareto" }],
      mark: { type: "line", interpolate: "step-after", color: "#888", strokeDash: [4, 3] },
      encoding: { x: { ...x, sort: "ascending" }, y, order: { field: "energy", type: "quantitative" } },
    },
  ];
  if (manySeeds) {
    layers.push(
      { mark: { type: "rule" }, encoding: { x: { ...x, field: "energyLo" }, x2: { field: "energyHi" }, y, color } },
      { mark: { type: "rule" }, encoding: { x, y: { ...y, field: "accuracyLo" }, y2: { field: "accuracyHi" }, color } },
    );
  }
  layers.push(
    {
      mark: { type: "point", filled: true, size: 80 },
      encoding: {
        x,
        y,
        color,
        shape: {
          field: "standing",
          type: "nominal",
          title: "Pareto front",
          scale: { domain: ["on the Pareto front", "dominated"], range: ["circle", "square"] },
        },
        tooltip: [
          { field: "learner" },
          { field: "standing", title: "Pareto front" },
          { field: "accuracy", title: "accuracy (%)", format: ".4~g" },
          { field: "energy", title: "energy (pJ)", format: ".4~g" },
          { field: "energyLo", title: "energy 95% CI low", format: ".4~g" },
          { field: "energyHi", title: "energy 95% CI high", format: ".4~g" },
          { field: "accuracyLo", title: "accuracy 95% CI low", format: ".4~g" },
          { field: "accuracyHi", title: "accuracy 95% CI high", format: ".4~g" },
          { field: "seeds" },
        ],
      },
    },
    {
      mark: { type: "text", align: "left", dx: 7, dy: -7, fontSize: 10 },
      encoding: { x, y, text: { field: "learner" }, color },
    },
  );
  const front = points.filter((p) => p.pareto).sort((a, b) => a.energy - b.energy);
  const caption = `Up and to the left is better: final test accuracy against the inference energy per sample (4.6 pJ per multiply-accumulate, 0.9 pJ per accumulate, log scale)${manySeeds ? ", with 95% confidence intervals on both axes" : ""}; on the Pareto front: ${joinWords(
    front.map((p) => `${p.learner} (${pct(p.accuracy)} at ${formatSig(p.energy)} pJ)`),
  )}.`;
  const title = "Accuracy against energy per sample";
  return { id: "accuracy-vs-energy", title, caption, spec: topLevel(title, points, { layer: layers }) };
}

/** Per seed and epoch, the percentage of connections remaining: connectionDensity, else synapseCount over the seed's largest count. */
function connectionsRemaining(rows: readonly MetricRow[], learner: string): Map<string, number> {
  const out = new Map<string, number>();
  const density = rows.filter(
    (r) => r.learner === learner && r.metric === "connectionDensity" && Number.isFinite(r.value),
  );
  if (density.length > 0) {
    for (const r of density) out.set(`${r.seed}:${r.epoch}`, 100 * r.value);
    return out;
  }
  const counts = rows.filter((r) => r.learner === learner && r.metric === "synapseCount" && Number.isFinite(r.value));
  const most = new Map<number, number>();
  for (const r of counts) most.set(r.seed, Math.max(most.get(r.seed) ?? 0, r.value));
  for (const r of counts)
    if (most.get(r.seed)! > 0) out.set(`${r.seed}:${r.epoch}`, (100 * r.value) / most.get(r.seed)!);
  return out;
}

/**
 * Test accuracy against the connections remaining, per learner and epoch
 * (mean over seeds with 95% CI bars on both axes), joined in epoch order: how
 * accuracy holds up as pruning removes connections.
 */
export function accuracyVsConnectionsChart(rows: readonly MetricRow[], learners: readonly string[]): ChartDef | null {
  const points = learners.flatMap((learner) => {
    const conn = connectionsRemaining(rows, learner);
    if (conn.size === 0) return [];
    const byEpoch = new Map<number, { c: number[]; a: number[] }>();
    for (const r of rows) {
      if (r.learner !== learner || r.metric !== "testAccuracy" || !Number.isFinite(r.value)) continue;
      const c = conn.get(`${r.seed}:${r.epoch}`);
      if (c === undefined) continue;
      let g = byEpoch.get(r.epoch);
      if (g === undefined) byEpoch.set(r.epoch, (g = { c: [], a: [] }));
      g.c.push(c);
      g.a.push(100 * r.value);
    }
    return [...byEpoch]
      .sort(([a], [b]) => a - b)
      .map(([epoch, g]) => {
        const c = interval(g.c);
        const a = interval(g.a);
        return {
          learner,
          epoch,
          connections: c.mean,
          connectionsLo: Math.max(0, c.lo),
          connectionsHi: Math.min(100, c.hi),
          accuracy: a.mean,
          accuracyLo: Math.max(0, a.lo),
          accuracyHi: Math.min(100, a.hi),
          seeds: g.a.length,
        };
      });
  });
  // Without pruning or growth every learner stays where it started: no connections-remaining data to show.
  const varies = learners.some((l) => {
    const xs = points.filter((p) => p.learner === l).map((p) => p.connections);
    return xs.some((x) => Math.abs(x - xs[0]!) > 1e-9);
  });
  if (!varies) return null;
  const color = learnerColor(learners);
  const x = {
    field: "connections",
    type: "quantitative",
    title: "connections remaining (%)",
    scale: { domain: [0, 100] },
  };
  const y = { field: "accuracy", type: "quantitative", title: "test accuracy (%)", scale: { zero: false } };
  const manySeeds = points.some((p) => p.seeds > 1);
  const layers: unknown[] = [
    {
      mark: { type: "line", opacity: 0.6 },
      encoding: { x, y, color, order: { field: "epoch", type: "quantitative" } },
    },
  ];
  if (manySeeds) {
    layers.push(
      {
        mark: { type: "rule", opacity: 0.6 },
        encoding: { x: { ...x, field: "connectionsLo" }, x2: { field: "connectionsHi" }, y, color },
      },
      {
        mark: { type: "rule", opacity: 0.6 },
        encoding: { x, y: { ...y, field: "accuracyLo" }, y2: { field: "accuracyHi" }, color },
      },
    );
  }
  layers.push({
    mark: { type: "point", filled: true, size: 50 },
    encoding: {
      x,
      y,
      color,
      tooltip: [
        { field: "learner" },
        { field: "epoch" },
        { field: "connections", title: "connections remaining (%)", format: ".4~g" },
        { field: "accuracy", title: "test accuracy (%)", format: ".4~g" },
        { field: "seeds" },
      ],
    },
  });
  const present = learners.filter((l) => points.some((p) => p.learner === l));
  const items = present.map((l) => {
    const last = points.filter((p) => p.learner === l).at(-1)!;
    return {
      learner: l,
      value: last.accuracy,
      text: `keeps ${pct(last.connections)} of its connections at ${pct(last.accuracy)} accuracy`,
    };
  });
  const caption = `Higher is better at any number of connections; each point is an epoch${manySeeds ? " (mean over seeds, 95% CI bars)" : ""}; at the last epoch ${perLearner(items)}.`;
  const title = "Accuracy against connections remaining";
  return { id: "accuracy-vs-connections", title, caption, spec: topLevel(title, points, { layer: layers }) };
}

interface RobustnessMeta {
  id: "lesion-curve" | "silence-curve" | "noise-curve";
  title: string;
  xTitle: string;
  /** Robustness levels are fractions for lesion and silence: shown as %. */
  xScale: number;
  /** How the largest level reads in the caption: "with 50% of synapses lesioned". */
  phrase: (level: number) => string;
  what: string;
}

const ROBUSTNESS_META: Record<RobustnessRow["kind"], RobustnessMeta> = {
  lesion: {
    id: "lesion-curve",
    title: "Accuracy under synapse lesions",
    xTitle: "synapses removed (%)",
    xScale: 100,
    phrase: (x) => `with ${formatSig(x)}% of synapses lesioned`,
    what: "Test accuracy after removing a random fraction of the trained synapses, with no retraining",
  },
  silence: {
    id: "silence-curve",
    title: "Accuracy with neurons silenced",
    xTitle: "hidden neurons silenced (%)",
    xScale: 100,
    phrase: (x) => `with ${formatSig(x)}% of hidden neurons silenced`,
    what: "Test accuracy after silencing a random fraction of the hidden neurons, with no retraining",
  },
  noise: {
    id: "noise-curve",
    title: "Accuracy under input noise",
    xTitle: "input noise standard deviation (feature units)",
    xScale: 1,
    phrase: (x) => `at input noise σ = ${formatSig(x)}`,
    what: "Test accuracy with Gaussian noise added to the test inputs",
  },
};

/** A robustness curve (lesion, silence or noise): accuracy by level, mean over seeds with a 95% CI band; null without such rows. */
export function robustnessChart(
  kind: RobustnessRow["kind"],
  robustness: readonly RobustnessRow[],
  learners: readonly string[],
): ChartDef | null {
  const meta = ROBUSTNESS_META[kind];
  const data: (Point & { level: number })[] = summarizeRobustness(
    robustness.filter((r) => r.kind === kind),
    learners,
  ).map((s) => ({
    learner: s.learner,
    epoch: s.level * meta.xScale,
    level: s.level * meta.xScale,
    mean: 100 * s.accuracy.mean,
    lo: Math.max(0, 100 * s.accuracy.lo),
    hi: Math.min(100, 100 * s.accuracy.hi),
    seeds: s.accuracy.n,
  }));
  if (data.length === 0) return null;
  const manySeeds = data.some((p) => p.seeds > 1);
  const x = { field: "level", type: "quantitative", title: meta.xTitle };
  const spec = topLevel(meta.title, data, {
    layer: bandAndLine(x, "test accuracy (%)", { zero: false }, learnerColor(learners), manySeeds, "level"),
  });
  const curves = learners.map((l) => data.filter((p) => p.learner === l)).filter((pts) => pts.length > 0);
  const maxLevel = Math.max(...data.map((p) => p.level));
  // Relative to the undamaged accuracy when every curve starts at level 0; absolute otherwise.
  const relative = curves.every((pts) => pts.length > 1 && pts[0]!.level === 0 && pts[0]!.mean > 0);
  const items = curves.map((pts) => {
    const last = pts.at(-1)!;
    const value = relative ? (100 * last.mean) / pts[0]!.mean : last.mean;
    return { learner: last.learner, value, text: pct(value) };
  });
  const tail = relative
    ? `${meta.phrase(maxLevel)}, each learner keeps this share of its undamaged accuracy: ${perLearner(items)}`
    : `${meta.phrase(maxLevel)}: ${perLearner(items)}`;
  const caption = `${meta.what}${manySeeds ? " (mean over seeds, 95% CI band)" : ""}; higher is better, and ${tail}.`;
  return { id: meta.id, title: meta.title, caption, spec };
}

/** Forgetting (accuracy on earlier phases lost by the end), one bar per learner with its 95% CI; null outside continual scenarios. */
export function forgettingChart(rows: readonly MetricRow[], learners: readonly string[]): ChartDef | null {
  const data = learners.flatMap((learner) => {
    const f = interval(finalBySeed(rows, learner, "forgetting"), 100);
    const bounds = metricBounds("forgetting");
    const [lo, hi] = [clip(f.lo, bounds, 100), clip(f.hi, bounds, 100)];
    return f.n > 0 ? [{ learner, forgetting: f.mean, lo, hi, seeds: f.n }] : [];
  });
  if (data.length === 0) return null;
  const color = learnerColor(learners);
  const x = { field: "learner", type: "nominal", title: "learner", sort: [...learners] };
  const y = { field: "forgetting", type: "quantitative", title: "forgetting (percentage points)" };
  const manySeeds = data.some((d) => d.seeds > 1);
  const layers: unknown[] = [
    {
      mark: { type: "bar" },
      encoding: {
        x,
        y,
        color,
        tooltip: [
          { field: "learner" },
          { field: "forgetting", format: ".4~g" },
          { field: "lo", title: "95% CI low", format: ".4~g" },
          { field: "hi", title: "95% CI high", format: ".4~g" },
          { field: "seeds" },
        ],
      },
    },
  ];
  if (manySeeds)
    layers.push({
      mark: { type: "errorbar", ticks: true },
      encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" } },
    });
  const sorted = [...data].sort((a, b) => a.forgetting - b.forgetting);
  const least = sorted[0]!;
  const most = sorted.at(-1)!;
  const fmt = (d: (typeof data)[number]) => `${d.learner} (${formatSig(d.forgetting)} pp)`;
  const caption = `Lower is better: test accuracy on earlier phases just after learning them minus at the end of training${manySeeds ? ", mean over seeds with 95% CI bars" : ""}; ${
    data.length === 1
      ? fmt(least)
      : least.forgetting === most.forgetting
        ? `every learner ${formatSig(least.forgetting)} pp`
        : `least forgetting ${fmt(least)}, most ${fmt(most)}`
  }.`;
  const title = "Forgetting of earlier phases";
  return { id: "forgetting", title, caption, spec: topLevel(title, data, { width: { step: 48 }, layer: layers }) };
}

const RATE_BINS = 30;

/** Per-neuron firing rates on the test set (first seed) as a histogram per spiking learner, on shared bins; null without rates. */
export function firingRateChart(firingRates: RunResult["firingRates"], learners: readonly string[]): ChartDef | null {
  const present = firingRates.filter((f) => f.rateHz.length > 0);
  if (present.length === 0) return null;
  let maxHz = 0;
  for (const f of present) for (const hz of f.rateHz) if (Number.isFinite(hz)) maxHz = Math.max(maxHz, hz);
  const width = maxHz > 0 ? maxHz / RATE_BINS : 1;
  const data: { learner: string; lo: number; hi: number; fraction: number }[] = [];
  const notes: string[] = [];
  const order = learners.filter((l) => present.some((f) => f.learner === l));
  for (const learner of order) {
    const rates = present.find((f) => f.learner === learner)!.rateHz;
    const counts = new Array<number>(RATE_BINS).fill(0);
    let silent = 0;
    for (const hz of rates) {
      if (!Number.isFinite(hz)) continue;
      if (hz === 0) silent++;
      counts[Math.min(RATE_BINS - 1, Math.floor(hz / width))]!++;
    }
    counts.forEach((c, i) => data.push({ learner, lo: i * width, hi: (i + 1) * width, fraction: c / rates.length }));
    const sorted = Float64Array.from(rates).sort();
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    notes.push(
      `${learner} median ${formatSig(median)} Hz with ${formatSig((100 * silent) / rates.length, 2)}% of neurons silent`,
    );
  }
  if (data.length === 0) return null;
  const title = "Firing-rate distribution";
  return {
    id: "firing-rate-distribution",
    title,
    caption: `How many neurons fire at each rate on the test set after training (first seed, ${RATE_BINS} bins of ${formatSig(width)} Hz): ${joinWords(notes)}.`,
    spec: {
      $schema: SCHEMA,
      title,
      background: "white",
      config: { ...CONFIG, view: { stroke: null } },
      data: { values: data },
      facet: { row: { field: "learner", type: "nominal", title: null, sort: order } },
      spec: {
        width: 480,
        height: 130,
        mark: { type: "rect" },
        encoding: {
          x: {
            field: "lo",
            type: "quantitative",
            title: "firing rate (Hz)",
            scale: { domain: [0, width * RATE_BINS], nice: false },
          },
          x2: { field: "hi" },
          y: { field: "fraction", type: "quantitative", title: "fraction of neurons" },
          color: { ...learnerColor(learners), legend: null },
          tooltip: [
            { field: "learner" },
            { field: "lo", title: "from (Hz)", format: ".3~g" },
            { field: "hi", title: "to (Hz)", format: ".3~g" },
            { field: "fraction", format: ".3~g" },
          ],
        },
      },
    },
  };
}

/**
 * Weight distribution after each epoch, one panel per learner: each row is an
 * epoch, each cell a bin of that epoch's histogram (bins follow each epoch's
 * own range), shaded by the fraction of weights in it.
 */
export function weightHistogramChart(
  histograms: readonly WeightHistogramRow[],
  learners: readonly string[],
): ChartDef | null {
  if (histograms.length === 0) return null;
  const totals = new Map<string, number>();
  for (const h of histograms)
    totals.set(`${h.learner}\u0000${h.epoch}`, (totals.get(`${h.learner}\u0000${h.epoch}`) ?? 0) + h.count);
  const data = histograms.map((h) => ({
    learner: h.learner,
    epoch: h.epoch,
    lo: h.lo,
    hi: h.hi,
    fraction: h.count / Math.max(1, totals.get(`${h.learner}\u0000${h.epoch}`)!),
  }));
  const present = learners.filter((l) => histograms.some((h) => h.learner === l));
  return {
    id: "weight-histogram",
    title: "Weight distribution by epoch",
    caption: `Each row is the distribution of a learner's learned weights after one epoch (first seed; fixed synapses, such as a liquid's pool or a network's inhibition, left out), darker cells holding more weights, so that plasticity shows as the distribution spreading, shifting or splitting; ${perLearner(
      present.map((l) => {
        const mine = histograms.filter((h) => h.learner === l);
        const epochs = [...new Set(mine.map((h) => h.epoch))].sort((a, b) => a - b);
        const span = (e: number) => {
          const bins = mine.filter((h) => h.epoch === e && h.count > 0);
          return bins.length === 0
            ? "empty"
            : `[${formatSig(Math.min(...bins.map((h) => h.lo)))}, ${formatSig(Math.max(...bins.map((h) => h.hi)))}]`;
        };
        const first = epochs[0]!;
        const last = epochs.at(-1)!;
        return {
          learner: l,
          value: 0,
          text:
            first === last
              ? `spans ${span(first)}`
              : `spans ${span(first)} after epoch ${first} and ${span(last)} after epoch ${last}`,
        };
      }),
    )}.`,
    spec: {
      $schema: SCHEMA,
      title: "Weight distribution by epoch",
      background: "white",
      config: { ...CONFIG, view: { stroke: null } },
      data: { values: data },
      facet: { row: { field: "learner", type: "nominal", title: null, sort: present } },
      resolve: { scale: { x: "independent" } },
      spec: {
        width: 480,
        height: { step: 12 },
        mark: { type: "rect" },
        encoding: {
          // About six ticks: each panel has its own range, and at vega's default count signed labels collided.
          x: {
            field: "lo",
            type: "quantitative",
            title: "weight",
            scale: { zero: false, nice: false },
            axis: { tickCount: 6, labelOverlap: "greedy" },
          },
          x2: { field: "hi" },
          y: { field: "epoch", type: "ordinal", title: "epoch" },
          color: {
            field: "fraction",
            type: "quantitative",
            title: "fraction of weights",
            scale: { scheme: "greys", type: "sqrt" },
          },
          tooltip: [
            { field: "learner" },
            { field: "epoch" },
            { field: "lo", format: ".3~g" },
            { field: "hi", format: ".3~g" },
            { field: "fraction", format: ".3~g" },
          ],
        },
      },
    },
  };
}

/** One chart by name, or null when its data is absent. */
export function buildChart(id: ChartName, data: ChartData): ChartDef | null {
  const { rows, learners } = data;
  switch (id) {
    case "weight-histogram":
      return weightHistogramChart(data.histograms ?? [], learners);
    case "accuracy-vs-energy":
      return accuracyVsEnergyChart(rows, learners);
    case "accuracy-vs-connections":
      return accuracyVsConnectionsChart(rows, learners);
    case "lesion-curve":
      return robustnessChart("lesion", data.robustness ?? [], learners);
    case "silence-curve":
      return robustnessChart("silence", data.robustness ?? [], learners);
    case "noise-curve":
      return robustnessChart("noise", data.robustness ?? [], learners);
    case "forgetting":
      return forgettingChart(rows, learners);
    case "firing-rate-distribution":
      return firingRateChart(data.firingRates ?? [], learners);
    default:
      return lineChart(id, rows, learners);
  }
}

/**
 * The charts a scenario asks for, in its order, skipping those without data;
 * then whatever the extra builders (pruning-charts.ts) return for these rows.
 */
export function buildCharts(
  data: ChartData,
  charts: readonly ChartName[],
  extra: readonly ChartBuilder[] = [],
): ChartDef[] {
  const defs: ChartDef[] = [];
  for (const id of charts) {
    const chart = buildChart(id, data);
    if (chart !== null) defs.push(chart);
  }
  for (const builder of extra) {
    for (const chart of builder([...data.rows], [...data.learners])) {
      if (!defs.some((d) => d.id === chart.id)) defs.push(chart);
    }
  }
  return defs;
}
