/**
 * Encoders from a static input (an image, a feature vector) to spikes.
 *
 * Rate coding: value x (scaled by `maxValue` to [0, 1]) → Poisson rate
 * x·maxRateHz. Diehl & Cook use pixel/4 Hz, i.e. maxValue 255, maxRateHz 63.75.
 *
 * Latency (time-to-first-spike) coding: one spike per input, stronger input
 * earlier; inputs at or below `threshold` (after scaling) do not spike.
 *   "linear": t = tMaxMs · (1 - x), so x = 1 fires at 0 and x → 0 at tMaxMs.
 *   "log":    t = tauMs · ln(x / (x - threshold)), the time an RC membrane
 *             driven by x takes to charge to `threshold` (snnTorch's latency
 *             code); times above tMaxMs are dropped. Needs threshold > 0.
 */

export interface RateCodeOptions {
  maxRateHz: number;
  /** Value that maps to maxRateHz (255 for 8-bit pixels); default 1. */
  maxValue?: number;
}

/** Rates in Hz, written into `out` (allocated when absent). */
export function rateCode(x: ArrayLike<number>, opts: RateCodeOptions, out?: Float32Array): Float32Array {
  const o = out ?? new Float32Array(x.length);
  if (o.length !== x.length) throw new RangeError(`rateCode: out has ${o.length} entries, input ${x.length}`);
  const scale = opts.maxRateHz / (opts.maxValue ?? 1);
  for (let i = 0; i < x.length; i++) {
    const r = x[i]! * scale;
    o[i] = r > 0 ? r : 0;
  }
  return o;
}

/**
 * How a value maps to a first-spike time: linearly (`t = tMax·(1 − x)`) or as an RC circuit's charging time (`"log"`).
 */
export type LatencyForm = "linear" | "log";

/**
 * Options of {@link latencyCode}: the latest spike time, the form, the value that maps to time 0, and the threshold.
 */
export interface LatencyCodeOptions {
  tMaxMs: number;
  form?: LatencyForm;
  /** Value that maps to 1; default 1. */
  maxValue?: number;
  /** Inputs at or below it do not spike; default 0 (linear), required > 0 for "log". */
  threshold?: number;
  /** RC time constant of the "log" form; default tMaxMs / 5. */
  tauMs?: number;
}

/** Spikes as two parallel arrays: the neuron index and the time (ms) of each spike. */
export interface SpikeList {
  indices: Int32Array;
  timesMs: Float64Array;
}

/** One spike per input above threshold, sorted by time (ties by index). */
export function latencyCode(x: ArrayLike<number>, opts: LatencyCodeOptions): SpikeList {
  const form = opts.form ?? "linear";
  const maxValue = opts.maxValue ?? 1;
  const threshold = opts.threshold ?? (form === "log" ? 0.2 : 0);
  const tau = opts.tauMs ?? opts.tMaxMs / 5;
  if (!(opts.tMaxMs > 0)) throw new RangeError(`tMaxMs must be positive, got ${opts.tMaxMs}`);
  if (form === "log" && !(threshold > 0 && threshold < 1))
    throw new RangeError(`log latency coding needs 0 < threshold < 1, got ${threshold}`);
  const idx: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const v = Math.min(x[i]! / maxValue, 1);
    if (!(v > threshold)) continue;
    const time = form === "linear" ? opts.tMaxMs * (1 - v) : tau * Math.log(v / (v - threshold));
    if (time > opts.tMaxMs) continue;
    idx.push(i);
    t.push(time);
  }
  const order = idx.map((_, k) => k).sort((a, b) => t[a]! - t[b]! || idx[a]! - idx[b]!);
  return {
    indices: Int32Array.from(order, (k) => idx[k]!),
    timesMs: Float64Array.from(order, (k) => t[k]!),
  };
}

/**
 * Population coding (Gaussian tuning curves): each feature, scaled from
 * [min, max] to u in [0, 1] (clipped), drives `perFeature` channels whose
 * preferred values are spread evenly over [0, 1]; channel k of a feature
 * fires at maxRateHz · exp(-(u - c_k)² / (2 w²)), w the spacing of the
 * centres. With one channel per feature it is a rate code, maxRateHz · u.
 */
export class PopulationCode {
  readonly features: number;
  readonly perFeature: number;
  readonly maxRateHz: number;
  /** Preferred value of each channel (float32, as the liquid-state learner has always kept them). */
  readonly centre: Float32Array;
  readonly width: number;
  private readonly featureMin: number;
  private readonly featureSpan: number;

  constructor(features: number, perFeature: number, maxRateHz: number, range: { min: number; max: number }) {
    this.features = features;
    this.perFeature = perFeature;
    this.maxRateHz = maxRateHz;
    this.featureMin = range.min;
    this.featureSpan = Math.max(1e-9, range.max - range.min);
    this.centre = new Float32Array(features * perFeature);
    for (let f = 0; f < features; f++) {
      for (let k = 0; k < perFeature; k++)
        this.centre[f * perFeature + k] = perFeature === 1 ? 1 : k / (perFeature - 1);
    }
    this.width = perFeature > 1 ? 1 / (perFeature - 1) : 1;
  }

  /** Channels (features × perFeature). */
  get channels(): number {
    return this.centre.length;
  }

  /** Writes each channel's rate (Hz) for the sample x[offset ..] into `out`, at `maxRateHz` plus `extraHz`. */
  encode(x: ArrayLike<number>, offset: number, out: Float32Array, extraHz = 0): void {
    const perFeature = this.perFeature;
    const maxRate = this.maxRateHz + extraHz;
    const w2 = 2 * this.width * this.width;
    for (let f = 0; f < this.features; f++) {
      let u = (x[offset + f]! - this.featureMin) / this.featureSpan;
      u = u < 0 ? 0 : u > 1 ? 1 : u;
      for (let k = 0; k < perFeature; k++) {
        const ch = f * perFeature + k;
        if (perFeature === 1) out[ch] = maxRate * u;
        else {
          const d = u - this.centre[ch]!;
          out[ch] = maxRate * Math.exp(-(d * d) / w2);
        }
      }
    }
  }
}
