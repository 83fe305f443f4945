/**
 * Chart specs (vega-lite) built from the tidy metric rows. The band over seeds
 * is computed here (mean and Student-t 95% CI per learner and epoch) rather
 * than by vega-lite's errorband, whose "ci" extent bootstraps with a random
 * generator and would make the charts differ from run to run.
 */
import { confidenceInterval } from "../metrics/stats.js";
import type { MetricRow, WeightHistogramRow } from "../scenario/results.js";
import type { ChartName } from "../scenario/schema.js";

export interface ChartDef {
  /** File stem under charts/. */
  id: string;
  title: string;
  /** One sentence for the report: what the chart shows. */
  caption: string;
  /** A vega-lite spec as plain JSON (written to charts/<id>.vl.json). */
  spec: VegaLiteSpec;
}

export type VegaLiteSpec = Record<string, unknown>;

interface ChartMeta {
  metric: string;
  title: string;
  yTitle: string;
  caption: string;
  percent?: boolean;
  logY?: boolean;
}

const META: Record<Exclude<ChartName, "weight-histogram">, ChartMeta> = {
  "learning-curve": {
    metric: "testAccuracy", title: "Test accuracy by epoch", yTitle: "test accuracy (%)", percent: true,
    caption: "Accuracy on the held-out test set after each epoch; the line is the mean over seeds and the band its 95% confidence interval.",
  },
  "loss-curve": {
    metric: "trainLoss", title: "Training loss by epoch", yTitle: "training loss (cross-entropy, nats)",
    caption: "Mean training loss over each epoch, as each learner's optimiser saw it.",
  },
  "train-accuracy": {
    metric: "trainAccuracy", title: "Training accuracy by epoch", yTitle: "training accuracy (%)", percent: true,
    caption: "Accuracy on the training batches during each epoch (weights changing as it is measured).",
  },
  "spikes-per-sample": {
    metric: "spikesPerSample", title: "Spikes per sample", yTitle: "hidden spikes per sample",
    caption: "Hidden-layer spikes per simulated sample, for spiking learners (a cost: each spike drives synaptic events).",
  },
  "weight-change": {
    metric: "weightChange", title: "Weight change per epoch", yTitle: "mean |Δw| since previous epoch", logY: true,
    caption: "Mean absolute change of the learned weights during each epoch: how much plasticity is still going on.",
  },
};

export const learnerPalette = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"];

interface Point {
  learner: string;
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

/**
 * Weight distribution after each epoch, one panel per learner: each row is an
 * epoch, each cell a bin of that epoch's histogram (bins follow each epoch's
 * own range), shaded by the fraction of weights in it.
 */
export function weightHistogramChart(histograms: readonly WeightHistogramRow[], learners: readonly string[]): ChartDef | null {
  if (histograms.length === 0) return null;
  const totals = new Map<string, number>();
  for (const h of histograms) totals.set(`${h.learner}\u0000${h.epoch}`, (totals.get(`${h.learner}\u0000${h.epoch}`) ?? 0) + h.count);
  const data = histograms.map((h) => ({
    learner: h.learner, epoch: h.epoch, lo: h.lo, hi: h.hi,
    fraction: h.count / Math.max(1, totals.get(`${h.learner}\u0000${h.epoch}`)!),
  }));
  const present = learners.filter((l) => histograms.some((h) => h.learner === l));
  return {
    id: "weight-histogram",
    title: "Weight distribution by epoch",
    caption: "Each row is the distribution of a learner's weights after one epoch (first seed); darker cells hold more weights. Plasticity shows as the distribution spreading, shifting or splitting.",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: "Weight distribution by epoch",
      background: "white",
      config: { font: "DejaVu Sans, Helvetica, Arial, sans-serif", view: { stroke: null } },
      data: { values: data },
      facet: { row: { field: "learner", type: "nominal", title: null, sort: present } },
      resolve: { scale: { x: "independent" } },
      spec: {
        width: 480,
        height: { step: 12 },
        mark: { type: "rect" },
        encoding: {
          x: { field: "lo", type: "quantitative", title: "weight", scale: { zero: false, nice: false } },
          x2: { field: "hi" },
          y: { field: "epoch", type: "ordinal", title: "epoch" },
          color: { field: "fraction", type: "quantitative", title: "fraction of weights", scale: { scheme: "greys", type: "sqrt" } },
          tooltip: [{ field: "learner" }, { field: "epoch" }, { field: "lo", format: ".3~g" }, { field: "hi", format: ".3~g" }, { field: "fraction", format: ".3~g" }],
        },
      },
    },
  };
}

export function buildCharts(rows: readonly MetricRow[], learners: readonly string[], charts: readonly ChartName[],
  histograms: readonly WeightHistogramRow[] = []): ChartDef[] {
  const defs: ChartDef[] = [];
  for (const id of charts) {
    if (id === "weight-histogram") {
      const chart = weightHistogramChart(histograms, learners);
      if (chart !== null) defs.push(chart);
      continue;
    }
    const m = META[id];
    const data = aggregateMetric(rows, m.metric, m.percent ? 100 : 1);
    if (m.logY) {
      // A log axis cannot show zero or negative values: drop zeros, keep the band above a tenth of the mean.
      for (let i = data.length - 1; i >= 0; i--) if (!(data[i]!.mean > 0)) data.splice(i, 1);
      for (const p of data) p.lo = Math.max(p.lo, p.mean / 10);
    }
    if (m.percent) {
      // A confidence band for an accuracy cannot leave [0, 100] %.
      for (const p of data) {
        p.lo = Math.max(0, p.lo);
        p.hi = Math.min(100, p.hi);
      }
    }
    if (data.length === 0) continue; // e.g. spikes for a scenario with no spiking learner
    const manySeeds = data.some((p) => p.seeds > 1);
    const color = {
      field: "learner", type: "nominal", title: "learner",
      scale: { domain: [...learners], range: learnerPalette.slice(0, Math.max(1, learners.length)) },
    } as const;
    const x = { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1 } } as const;
    const yScale = m.logY ? { type: "log" } : { zero: false };
    const layers: unknown[] = [];
    if (manySeeds) {
      layers.push({
        mark: { type: "area", opacity: 0.2 },
        encoding: { x, y: { field: "lo", type: "quantitative", title: m.yTitle, scale: yScale }, y2: { field: "hi" }, color: { ...color, legend: null } },
      });
    }
    layers.push({
      mark: { type: "line", point: true },
      encoding: {
        x,
        y: { field: "mean", type: "quantitative", title: m.yTitle, scale: yScale },
        color,
        tooltip: [
          { field: "learner" }, { field: "epoch" },
          { field: "mean", format: ".4~g" }, { field: "lo", title: "95% CI low", format: ".4~g" },
          { field: "hi", title: "95% CI high", format: ".4~g" }, { field: "seeds" },
        ],
      },
    });
    const spec: VegaLiteSpec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: m.title,
      width: 480,
      height: 280,
      background: "white",
      config: { font: "DejaVu Sans, Helvetica, Arial, sans-serif" },
      data: { values: data },
      layer: layers,
    };
    const caption = manySeeds ? m.caption : m.caption.replace(/; the line is the mean over seeds and the band its 95% confidence interval/, " (one seed)");
    defs.push({ id, title: m.title, caption, spec });
  }
  return defs;
}
