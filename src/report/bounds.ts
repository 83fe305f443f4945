/**
 * What each metric can be, and how a report shows an interval that would
 * claim otherwise. A 95% Student-t interval over three seeds of a training
 * time can reach below zero ("0.026 ± 0.034 s"), and one of an accuracy past
 * 100%, though no seed's value could. The report keeps to two conventions:
 *
 *   charts  bands and error bars are clipped to the metric's range
 *           (accuracies and shares to 0–100%, losses, times, counts, path lengths
 *           and energies at 0);
 *   tables  where the interval would leave the range, the cell gives the mean
 *           and, in brackets, the range of the seeds' values, [min, max],
 *           which can never leave it; elsewhere mean ± half-width.
 */
import type { Interval } from "../metrics/stats.js";

/** The values a metric can take, in the units it is recorded in (accuracies and fractions as 0–1). */
export interface Bounds {
  min: number;
  max: number;
}

const FRACTION: Bounds = { min: 0, max: 1 };
const NON_NEGATIVE: Bounds = { min: 0, max: Infinity };
const ANY: Bounds = { min: -Infinity, max: Infinity };
/** A difference of two accuracies (forgetting: an earlier phase's accuracy then minus at the end). */
const ACCURACY_DIFFERENCE: Bounds = { min: -1, max: 1 };

/** Metrics recorded by learning and network runs; any other metric is taken as unbounded. */
const METRIC_BOUNDS: Readonly<Record<string, Bounds>> = {
  testAccuracy: FRACTION,
  finalTestAccuracy: FRACTION,
  bestTestAccuracy: FRACTION,
  trainAccuracy: FRACTION,
  aulc: FRACTION,
  connectionDensity: FRACTION,
  graphEfficiency: FRACTION,
  robustnessSynapses: FRACTION,
  robustnessNeurons: FRACTION,
  activeFraction: FRACTION,
  trainLoss: NON_NEGATIVE,
  samplesToCriterion: NON_NEGATIVE,
  energyPj: NON_NEGATIVE,
  energyWithMemoryPj: NON_NEGATIVE,
  synapseCount: NON_NEGATIVE,
  prunedCount: NON_NEGATIVE,
  grownCount: NON_NEGATIVE,
  trainingTimeMs: NON_NEGATIVE,
  wallMs: NON_NEGATIVE,
  spikesPerSample: NON_NEGATIVE,
  weightChange: NON_NEGATIVE,
  spikes: NON_NEGATIVE,
  meanRateHz: NON_NEGATIVE,
  meanIsiCv: NON_NEGATIVE,
  synapses: NON_NEGATIVE,
  buildMs: NON_NEGATIVE,
  simMs: NON_NEGATIVE,
  weightStd: NON_NEGATIVE,
  forgetting: ACCURACY_DIFFERENCE,
  // Routing (Navlakha et al. 2015): shares of the test pairs, hops, paths and edges.
  routableFraction: FRACTION,
  routableAfterEdgeLoss: FRACTION,
  routableAfterNodeLoss: FRACTION,
  meanPathLength: NON_NEGATIVE,
  alternativePaths: NON_NEGATIVE,
  edgeCount: NON_NEGATIVE,
};

/** What a metric can be; a metric with an argument ("routableAfterEdgeLoss[0.3]") as its family. */
export function metricBounds(metric: string): Bounds {
  const family = metric.replace(/\[[^\]]*\]$/, "");
  // Own keys only: a metric named "constructor" is unbounded, not Object's.
  for (const key of [metric, family]) if (Object.hasOwn(METRIC_BOUNDS, key)) return METRIC_BOUNDS[key]!;
  return ANY;
}

/** `v` held inside the bounds, which are given in the metric's units and scaled as the value is (100 for %). */
export function clip(v: number, bounds: Bounds, scale = 1): number {
  const lo = bounds.min * scale;
  const hi = bounds.max * scale;
  return Math.min(Math.max(v, Math.min(lo, hi)), Math.max(lo, hi));
}

/** Whether the interval reaches outside what the metric allows (values unscaled). */
export function leavesBounds(iv: Pick<Interval, "lo" | "hi">, bounds: Bounds): boolean {
  return iv.lo < bounds.min || iv.hi > bounds.max;
}

/** The sentence every report with intervals carries under its charts. */
export const BANDS_NOTE =
  "Bands and error bars are 95% confidence intervals of the mean over seeds (Student's t), clipped to what the metric allows: accuracies to 0–100%, forgetting to ±100 points, losses, times, counts and energies at zero.";

/** The sentence a table carries when a cell shows a range of seeds instead of ±. */
export const RANGE_NOTE =
  "[a, b]: the range of the seeds' values, shown after the mean instead of ± where the 95% interval would leave what the quantity allows (below zero, or past 100% for an accuracy).";

/**
 * An interval as text with fixed decimals: "mean ± half-width" over seeds,
 * "mean [min, max]" (the seeds' range) where the interval would leave what
 * the metric allows, the mean alone for one seed; "–" without a value.
 * `scale` multiplies every number (100 for a percentage).
 */
export function intervalText(
  iv: Interval | undefined,
  digits: number,
  metric: string,
  scale = 1,
): { text: string; range: boolean } {
  if (iv === undefined || iv.n === 0 || !Number.isFinite(iv.mean)) return { text: "–", range: false };
  const f = (v: number) => (v * scale).toFixed(digits);
  if (iv.n < 2) return { text: f(iv.mean), range: false };
  if (leavesBounds(iv, metricBounds(metric)) && Number.isFinite(iv.min) && Number.isFinite(iv.max))
    return { text: `${f(iv.mean)} [${f(iv.min)}, ${f(iv.max)}]`, range: true };
  return { text: `${f(iv.mean)} ± ${f(iv.halfWidth)}`, range: false };
}
