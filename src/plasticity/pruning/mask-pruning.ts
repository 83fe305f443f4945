/**
 * Pruning of artificial-network weights through masks (Param.mask: 1 keep,
 * 0 pruned). A pruned weight is set to 0 at once, and the optimisers
 * (src/ann/optimizer.ts) re-apply the mask after every update, so it stays
 * exactly 0 through training.
 *
 *   magnitude  remove the remaining weights with the smallest |w| (Han et al.
 *              2015), ties broken by position; "per-layer" ranks each
 *              parameter on its own and removes the same fraction of each,
 *              "global" ranks all together against one threshold;
 *   random     remove remaining weights uniformly (the control), per layer
 *              or over all parameters together.
 *
 * `fraction` is of the weights that remain, so iterative pruning (p% of the
 * remaining each round, retraining in between: iterative.ts) repeats one
 * request. With a `count` and "per-layer", the count is shared among layers
 * in proportion to what each has left (largest remainders).
 */
import type { Param } from "../../ann/layer.js";
import type { Rng } from "../../core/rng.js";
import { concatOffsets, lowestK, randomK, shareCount } from "./select.js";
import { requestedCount, type PruneRequest, type PruneResult } from "./types.js";

/** The parameter's mask, created (all ones) when absent. */
export function ensureMask(p: Param): Uint8Array {
  if (p.mask === undefined) p.mask = new Uint8Array(p.value.length).fill(1);
  return p.mask;
}

/** Unpruned weights of one parameter. */
export function remainingCount(p: Param): number {
  const m = p.mask;
  if (m === undefined) return p.value.length;
  let n = 0;
  for (let i = 0; i < m.length; i++) n += m[i]!;
  return n;
}

/** Unpruned and all weights over parameters. */
export function maskCounts(params: readonly Param[]): { remaining: number; total: number } {
  let remaining = 0;
  let total = 0;
  for (const p of params) {
    remaining += remainingCount(p);
    total += p.value.length;
  }
  return { remaining, total };
}

/** Positions of one parameter still unpruned (a new array). */
function unmasked(p: Param): Int32Array {
  const m = ensureMask(p);
  const out = new Int32Array(remainingCount(p));
  let k = 0;
  for (let i = 0; i < m.length; i++) if (m[i] === 1) out[k++] = i;
  return out;
}

function removeAt(p: Param, positions: Int32Array): void {
  const m = ensureMask(p);
  for (let k = 0; k < positions.length; k++) {
    const i = positions[k]!;
    m[i] = 0;
    p.value[i] = 0;
  }
}

/** Per-parameter amounts a request removes under "per-layer" scope. */
function perLayerCounts(params: readonly Param[], request: PruneRequest): number[] {
  const left = params.map(remainingCount);
  if (request.fraction !== undefined) return left.map((n) => requestedCount(request, n));
  const all = left.reduce((a, b) => a + b, 0);
  return shareCount(requestedCount(request, all), left);
}

/** Magnitude pruning: removes the smallest remaining |w| (per layer or globally). */
export function magnitudePrune(params: readonly Param[], request: Omit<PruneRequest, "criterion">): PruneResult {
  const before = maskCounts(params);
  if ((request.scope ?? "per-layer") === "per-layer") {
    const counts = perLayerCounts(params, { ...request, criterion: "magnitude" });
    params.forEach((p, l) => {
      const live = unmasked(p);
      const mag = new Float64Array(p.value.length);
      for (let k = 0; k < live.length; k++) mag[live[k]!] = Math.abs(p.value[live[k]!]!);
      removeAt(p, lowestK(live, mag, counts[l]!));
    });
  } else {
    // One ranking over all parameters: candidate c = offset of its parameter + position.
    const { offsets, size } = concatOffsets(params.map((p) => p.value.length));
    const live = new Int32Array(before.remaining);
    const mag = new Float64Array(size);
    let k = 0;
    params.forEach((p, l) => {
      const m = ensureMask(p);
      for (let i = 0; i < m.length; i++) {
        if (m[i] === 0) continue;
        live[k++] = offsets[l]! + i;
        mag[offsets[l]! + i] = Math.abs(p.value[i]!);
      }
    });
    removeGlobal(
      params,
      offsets,
      lowestK(live, mag, requestedCount({ ...request, criterion: "magnitude" }, before.remaining)),
    );
  }
  return result(params, before.remaining);
}

/** Random pruning (the control): removes remaining weights uniformly (per layer or over all). */
export function randomPrune(params: readonly Param[], request: Omit<PruneRequest, "criterion">, rng: Rng): PruneResult {
  const before = maskCounts(params);
  if ((request.scope ?? "per-layer") === "per-layer") {
    const counts = perLayerCounts(params, { ...request, criterion: "random" });
    params.forEach((p, l) => removeAt(p, randomK(unmasked(p), counts[l]!, rng)));
  } else {
    const { offsets } = concatOffsets(params.map((p) => p.value.length));
    const live = new Int32Array(before.remaining);
    let k = 0;
    params.forEach((p, l) => {
      const m = ensureMask(p);
      for (let i = 0; i < m.length; i++) if (m[i] === 1) live[k++] = offsets[l]! + i;
    });
    removeGlobal(
      params,
      offsets,
      randomK(live, requestedCount({ ...request, criterion: "random" }, before.remaining), rng),
    );
  }
  return result(params, before.remaining);
}

function removeGlobal(params: readonly Param[], offsets: readonly number[], chosen: Int32Array): void {
  chosen.sort();
  let l = 0;
  for (let k = 0; k < chosen.length; k++) {
    const c = chosen[k]!;
    while (l + 1 < params.length && c >= offsets[l + 1]!) l++;
    const p = params[l]!;
    const i = c - offsets[l]!;
    p.mask![i] = 0;
    p.value[i] = 0;
  }
}

function result(params: readonly Param[], remainingBefore: number): PruneResult {
  const after = maskCounts(params);
  return { removed: remainingBefore - after.remaining, remaining: after.remaining, total: after.total };
}

/**
 * Applies a request with the criterion it names. "activity" needs spike
 * co-activity, which weights alone do not carry: it is refused here.
 */
export function pruneParams(params: readonly Param[], request: PruneRequest, rng: Rng): PruneResult {
  switch (request.criterion) {
    case "magnitude":
      return magnitudePrune(params, request);
    case "random":
      return randomPrune(params, request, rng);
    case "activity":
      throw new RangeError("the activity criterion needs spiking synapses (ActivityCriterion), not weight masks");
  }
}

/** Sets every pruned weight to 0 (after writing weights from elsewhere). */
export function applyMasks(params: readonly Param[]): void {
  for (const p of params) {
    const m = p.mask;
    if (m === undefined) continue;
    for (let i = 0; i < m.length; i++) if (m[i] === 0) p.value[i] = 0;
  }
}
