/**
 * Silencing hidden units (the `silenceUnits` of a Learner): a random share of
 * a layer's units is chosen, and their influence downstream removed by
 * zeroing weights that a `WeightPatch` remembers, so that `undo` writes back
 * exactly the values that were there. Silencing is meant for evaluation
 * (ablation): training while silenced may move the zeroed weights, and
 * `undo` then puts back the values from before silencing.
 */
import { Conv2D } from "../ann/conv2d.js";
import { Dense } from "../ann/dense.js";
import type { Layer } from "../ann/layer.js";
import type { Rng } from "../core/rng.js";

/** round(fraction · n) distinct units of 0..n-1, drawn with `rng` (partial Fisher-Yates). */
export function chooseUnits(n: number, fraction: number, rng: Rng): Int32Array {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`silence fraction must be in [0, 1], got ${fraction}`);
  const k = Math.round(fraction * n);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p.slice(0, k);
}

/** Zeroes entries of typed arrays and remembers them for `undo`. */
export class WeightPatch {
  private readonly arrays: Float32Array[] = [];
  private readonly index: number[][] = [];
  private readonly values: number[][] = [];

  /** Zeroes a[offset + k·stride] for k < count. */
  zero(a: Float32Array, offset: number, count: number, stride = 1): void {
    let slot = this.arrays.indexOf(a);
    if (slot < 0) {
      slot = this.arrays.length;
      this.arrays.push(a);
      this.index.push([]);
      this.values.push([]);
    }
    const idx = this.index[slot]!;
    const val = this.values[slot]!;
    for (let k = 0, i = offset; k < count; k++, i += stride) {
      idx.push(i);
      val.push(a[i]!);
      a[i] = 0;
    }
  }

  /** Writes the remembered values back, last zeroed first (an entry zeroed twice gets its first value). */
  undo(): void {
    for (let s = 0; s < this.arrays.length; s++) {
      const a = this.arrays[s]!;
      const idx = this.index[s]!;
      const val = this.values[s]!;
      for (let k = idx.length - 1; k >= 0; k--) a[idx[k]!] = val[k]!;
    }
  }
}

/**
 * Silences the hidden units of a feed-forward layer stack: for every Dense or
 * Conv2D layer followed by another one, round(fraction · units) of its units
 * (a Dense layer's outputs; a convolution's feature maps, every position of
 * the map) lose their outgoing weights, the rows of the next Dense or Conv2D
 * weight matrix that read them. Returns the undo.
 */
export function silenceLayerStack(layers: readonly Layer[], fraction: number, rng: Rng): () => void {
  const patch = new WeightPatch();
  const weighted = layers.filter((l): l is Dense | Conv2D => l instanceof Dense || l instanceof Conv2D);
  for (let i = 0; i + 1 < weighted.length; i++) {
    const from = weighted[i]!;
    const to = weighted[i + 1]!;
    const units = from instanceof Conv2D ? from.outChannels : from.outSize;
    const cols = to instanceof Conv2D ? to.outChannels : to.outSize;
    const rows = to.weight.value.length / cols;
    const chosen = chooseUnits(units, fraction, rng.fork(`layer${i}`));
    for (const u of chosen) {
      // Channel-last layouts: input row r of the next layer reads unit r mod units.
      for (let r = u; r < rows; r += units) patch.zero(to.weight.value, r * cols, cols);
    }
  }
  return () => patch.undo();
}
