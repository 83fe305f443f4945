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
 * Inter-spike intervals gathered chunk by chunk (a streamed spike monitor
 * hands its spikes over in pieces): per neuron the last spike time and the
 * count, sum and sum of squares of its intervals, so the mean coefficient of
 * variation needs memory per neuron, not per spike. The intervals themselves
 * are kept only up to `keepIntervals` (for a histogram).
 */
export class IsiAccumulator {
  private readonly last: Float64Array;
  private readonly n: Int32Array;
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly kept: number[] = [];
  private readonly keepIntervals: number;
  /** Intervals seen, kept or not. */
  intervals = 0;

  constructor(size: number, keepIntervals = Number.POSITIVE_INFINITY) {
    this.last = new Float64Array(size).fill(NaN);
    this.n = new Int32Array(size);
    this.sum = new Float64Array(size);
    this.sumSq = new Float64Array(size);
    this.keepIntervals = keepIntervals;
  }

  /** Adds spikes in time order; `timeMs(k)` is the time of spike k of this chunk. */
  add(indices: ArrayLike<number>, timeMs: (k: number) => number): void {
    const { last, n, sum, sumSq } = this;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      const t = timeMs(k);
      if (!Number.isNaN(last[i]!)) {
        const isi = t - last[i]!;
        if (this.kept.length < this.keepIntervals) this.kept.push(isi);
        this.intervals++;
        n[i]!++;
        sum[i]! += isi;
        sumSq[i]! += isi * isi;
      }
      last[i] = t;
    }
  }

  /** The intervals kept, in the order seen. */
  isisMs(): Float64Array {
    return Float64Array.from(this.kept);
  }

  /** Mean over neurons with at least two intervals (and a positive mean) of std/mean of their intervals; NaN if none. */
  meanCv(): number {
    let cvSum = 0;
    let cvN = 0;
    for (let i = 0; i < this.n.length; i++) {
      if (this.n[i]! < 2) continue;
      const m = this.sum[i]! / this.n[i]!;
      const v = Math.max(0, this.sumSq[i]! / this.n[i]! - m * m);
      if (m > 0) {
        cvSum += Math.sqrt(v) / m;
        cvN++;
      }
    }
    return cvN > 0 ? cvSum / cvN : NaN;
  }
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
  const acc = new IsiAccumulator(size);
  acc.add(indices, (k) => timesMs[k]!);
  return { isisMs: acc.isisMs(), meanCv: acc.meanCv() };
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
