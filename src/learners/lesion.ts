/**
 * Lesioning synapses (robustness studies): a random share of the live
 * (non-zero) synapses is set to zero, chosen uniformly over every array
 * together, and remembered so `undo` writes back exactly what was there.
 * `mirrors[a]`, when given and non-empty, is a second copy of array a that the
 * learner evaluates with (Polyak averages): it is zeroed at the same places.
 */
import type { Rng } from "../core/rng.js";

/**
 * Sets a random `fraction` of the live (non-zero) weights across `weights` to zero (robustness studies); returns an
 * `undo` that writes back exactly what was there. `mirrors[a]`, when given, is zeroed at the same places.
 */
export function lesionSynapses(
  weights: readonly Float32Array[],
  fraction: number,
  rng: Rng,
  mirrors?: readonly Float32Array[],
): () => void {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`lesion fraction must be in [0, 1], got ${fraction}`);
  let live = 0;
  for (const w of weights) for (let i = 0; i < w.length; i++) if (w[i] !== 0) live++;
  const k = Math.round(fraction * live);
  const where = new Int32Array(live);
  const which = new Int32Array(live);
  let n = 0;
  weights.forEach((w, a) => {
    for (let i = 0; i < w.length; i++) {
      if (w[i] !== 0) {
        where[n] = i;
        which[n] = a;
        n++;
      }
    }
  });
  // Partial Fisher-Yates over the live positions picks k distinct synapses uniformly.
  const saved = new Float32Array(k);
  const savedMirror = new Float32Array(mirrors === undefined ? 0 : k);
  for (let j = 0; j < k; j++) {
    const r = j + rng.int(live - j);
    const ti = where[j]!;
    where[j] = where[r]!;
    where[r] = ti;
    const ta = which[j]!;
    which[j] = which[r]!;
    which[r] = ta;
    const a = which[j]!;
    const i = where[j]!;
    saved[j] = weights[a]![i]!;
    weights[a]![i] = 0;
    const m = mirrors?.[a];
    if (m !== undefined && m.length > 0) {
      savedMirror[j] = m[i]!;
      m[i] = 0;
    }
  }
  return () => {
    for (let j = 0; j < k; j++) {
      const a = which[j]!;
      const i = where[j]!;
      weights[a]![i] = saved[j]!;
      const m = mirrors?.[a];
      if (m !== undefined && m.length > 0) m[i] = savedMirror[j]!;
    }
  };
}
