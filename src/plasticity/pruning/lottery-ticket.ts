/**
 * Lottery-ticket rewinding (Frankle & Carbin 2019): keep a copy of the
 * weights at initialisation (or at an early iteration, "late rewinding"),
 * train, prune, then reset the surviving weights to their saved values while
 * pruned weights stay 0; the sparse subnetwork is then trained again.
 * Optimiser state (momentum, Adam moments) is the caller's to reset.
 */
import type { Param } from "../../ann/layer.js";

/** Saved values of a list of parameters, in the same order. */
export interface WeightSnapshot {
  readonly values: readonly Float32Array[];
}

/** Copies the current values of `params`. */
export function snapshotWeights(params: readonly Param[]): WeightSnapshot {
  return { values: params.map((p) => p.value.slice()) };
}

/** Resets every unpruned weight to its saved value and every pruned one to 0. */
export function rewindWeights(params: readonly Param[], snapshot: WeightSnapshot): void {
  if (snapshot.values.length !== params.length) {
    throw new RangeError(`snapshot holds ${snapshot.values.length} parameters, got ${params.length}`);
  }
  params.forEach((p, l) => {
    const saved = snapshot.values[l]!;
    if (saved.length !== p.value.length)
      throw new RangeError(`parameter ${p.name}: snapshot has ${saved.length} values, parameter ${p.value.length}`);
    const m = p.mask;
    if (m === undefined) {
      p.value.set(saved);
      return;
    }
    for (let i = 0; i < m.length; i++) p.value[i] = m[i] === 1 ? saved[i]! : 0;
  });
}
