/**
 * Per-synapse weights and delays: a constant, or draws from a distribution.
 * Weights are in the units of the target variable (mV for "v", "ge", "gi").
 * Delays are whole steps (0 .. 65535).
 */
import type { Rng } from "../../core/rng.js";

/** Synaptic weights: one constant, or drawn from a normal (optionally clipped) or uniform distribution. */
export type WeightSpec =
  | number
  | { dist: "normal"; mean: number; std: number; min?: number; max?: number }
  | { dist: "uniform"; lo: number; hi: number };

/** Synaptic delays in steps: one constant, uniform integers in [min, max], or one per synapse. */
export type DelaySpec = number | { dist: "uniform-int"; min: number; max: number } | ArrayLike<number>;

/** Fills `out` with weights; normal draws are clipped to [min, max] when given. */
export function initWeights(out: Float32Array, spec: WeightSpec, rng?: Rng): Float32Array {
  if (typeof spec === "number") return out.fill(spec);
  if (rng === undefined) throw new Error(`${spec.dist} weights need an rng`);
  if (spec.dist === "uniform") {
    if (!(spec.hi >= spec.lo)) throw new RangeError(`uniform weights need lo <= hi, got [${spec.lo}, ${spec.hi})`);
    return rng.fillUniform(out, spec.lo, spec.hi);
  }
  if (!(spec.std >= 0)) throw new RangeError(`normal weights need std >= 0, got ${spec.std}`);
  const lo = spec.min ?? -Infinity;
  const hi = spec.max ?? Infinity;
  if (lo > hi) throw new RangeError(`normal weight clip range is empty: [${lo}, ${hi}]`);
  rng.fillNormal(out, spec.mean, spec.std);
  if (lo !== -Infinity || hi !== Infinity) {
    for (let s = 0; s < out.length; s++) {
      const w = out[s]!;
      out[s] = w < lo ? lo : w > hi ? hi : w;
    }
  }
  return out;
}

/**
 * Delays for `count` synapses: null with a uniform delay for a constant, or a
 * Uint16Array. An explicit list must have one entry per synapse, in CSR order.
 */
export function initDelays(count: number, spec: DelaySpec, rng?: Rng): { delay: Uint16Array | null; uniform: number } {
  if (typeof spec === "number") {
    checkDelay(spec, "delay");
    return { delay: null, uniform: spec };
  }
  if ("dist" in spec) {
    checkDelay(spec.min, "delay min");
    checkDelay(spec.max, "delay max");
    if (spec.min > spec.max) throw new RangeError(`delay range is empty: [${spec.min}, ${spec.max}]`);
    if (rng === undefined) throw new Error(`uniform-int delays need an rng`);
    const d = new Uint16Array(count);
    const span = spec.max - spec.min + 1;
    for (let s = 0; s < count; s++) d[s] = spec.min + rng.int(span);
    return { delay: d, uniform: 0 };
  }
  if (spec.length !== count) throw new RangeError(`explicit delays need ${count} entries, got ${spec.length}`);
  const d = new Uint16Array(count);
  for (let s = 0; s < count; s++) {
    checkDelay(spec[s]!, `delay[${s}]`);
    d[s] = spec[s]!;
  }
  return { delay: d, uniform: 0 };
}

function checkDelay(d: number, what: string): void {
  if (!Number.isInteger(d) || d < 0 || d > 65535)
    throw new RangeError(`${what} must be an integer number of steps in [0, 65535], got ${d}`);
}
