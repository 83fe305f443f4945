/**
 * Statistics of recorded spike trains: per-neuron rates, inter-spike
 * intervals and their coefficient of variation (CV = std/mean of a neuron's
 * ISIs; 1 for a Poisson train, 0 for a clock), and histograms.
 */

/** Per-neuron spike counts from a list of spike indices. */
export function spikeCounts(indices: ArrayLike<number>, size: number): Int32Array {
  const c = new Int32Array(size);
  for (let k = 0; k < indices.length; k++) c[indices[k]!]!++;
  return c;
}

/**
 * All inter-spike intervals (ms) of every neuron, from spikes listed in time
 * order, and the mean over neurons with ≥ 3 spikes of each neuron's ISI CV.
 */
export function interSpikeIntervals(
  indices: ArrayLike<number>,
  timesMs: ArrayLike<number>,
  size: number,
): { isisMs: Float64Array; meanCv: number } {
  const last = new Float64Array(size).fill(NaN);
  const n = new Int32Array(size);
  const sum = new Float64Array(size);
  const sumSq = new Float64Array(size);
  const out: number[] = [];
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    const t = timesMs[k]!;
    if (!Number.isNaN(last[i]!)) {
      const isi = t - last[i]!;
      out.push(isi);
      n[i]!++;
      sum[i]! += isi;
      sumSq[i]! += isi * isi;
    }
    last[i] = t;
  }
  let cvSum = 0;
  let cvN = 0;
  for (let i = 0; i < size; i++) {
    if (n[i]! < 2) continue;
    const m = sum[i]! / n[i]!;
    const v = Math.max(0, sumSq[i]! / n[i]! - m * m);
    if (m > 0) {
      cvSum += Math.sqrt(v) / m;
      cvN++;
    }
  }
  return { isisMs: Float64Array.from(out), meanCv: cvN > 0 ? cvSum / cvN : NaN };
}

/** One bin of a histogram: values in [lo, hi) (the last bin includes hi). */
export interface HistogramBin {
  lo: number;
  hi: number;
  count: number;
}

/** Equal-width histogram of `values` over [lo, hi] in `bins` bins (values above hi go to the last bin). */
export function histogram(values: ArrayLike<number>, bins: number, lo?: number, hi?: number): HistogramBin[] {
  let min = lo ?? Infinity;
  let max = hi ?? -Infinity;
  if (lo === undefined || hi === undefined) {
    for (let k = 0; k < values.length; k++) {
      const v = values[k]!;
      if (lo === undefined && v < min) min = v;
      if (hi === undefined && v > max) max = v;
    }
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) max = min + 1;
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let k = 0; k < values.length; k++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor((values[k]! - min) / width)));
    counts[b]!++;
  }
  return counts.map((count, b) => ({ lo: min + b * width, hi: min + (b + 1) * width, count }));
}
