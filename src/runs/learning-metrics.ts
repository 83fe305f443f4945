/**
 * Learning and cost figures derived from what a run recorded.
 *
 * Learning (one value per learner and seed, written at the final epoch):
 *   finalTestAccuracy   test accuracy after the last epoch;
 *   bestTestAccuracy    the highest test accuracy after any epoch;
 *   aulc                area under the learning curve: test accuracy against
 *                       training samples seen, from chance (1/classes) at 0
 *                       samples through each epoch's figure, by the trapezoid
 *                       rule, divided by the samples seen; rewards learning
 *                       early. Because the curve starts at chance it stays
 *                       below 1 (a learner perfect after the first of E
 *                       epochs scores 1 − (1 − 1/classes)/(2E)), so compare
 *                       AULCs only between runs with the same epochs;
 *   samplesToCriterion  training samples seen at the end of the first epoch
 *                       whose test accuracy reaches the scenario's criterion
 *                       (epoch resolution; NaN when never reached);
 *   trainingTimeMs      wall time of training, summed over epochs
 *                       (evaluation and cost measurement excluded).
 *
 * Energy (per sample; M. Horowitz, "Computing's energy problem", ISSCC 2014,
 * 45 nm, 32-bit float):
 *   energyPj            = 4.6 pJ · effectiveMacs + 0.9 pJ · effectiveAcs
 *   energyWithMemoryPj  = energyPj + 640 pJ · memoryAccesses (32-bit DRAM
 *                         accesses), an upper bound that assumes no cache
 *                         reuse; memory traffic dominates both kinds of model.
 */
import type { InferenceCosts } from "../learners/learner.js";

/** Energy of a 32-bit float multiply-accumulate at 45 nm, pJ (Horowitz, ISSCC 2014: multiply 3.7 + add 0.9). */
export const MAC_PJ = 4.6;
/** Energy of a 32-bit float accumulate (add) at 45 nm, pJ (Horowitz, ISSCC 2014). */
export const AC_PJ = 0.9;
/** Energy of a 32-bit DRAM access, pJ (Horowitz, ISSCC 2014: about 640). */
export const DRAM_ACCESS_PJ = 640;

/** One point of a learning curve: training samples seen, test accuracy then, and training wall time so far. */
export interface CurvePoint {
  samplesSeen: number;
  testAccuracy: number;
  wallMs: number;
}

/**
 * Learning-speed figures from a learning curve: area under it, samples to reach the criterion accuracy, and the like.
 */
export function learningMetrics(
  curve: readonly CurvePoint[],
  classes: number,
  criterion: number | undefined,
): Record<string, number> {
  if (curve.length === 0) return {};
  let best = -Infinity;
  let area = 0;
  let prevS = 0;
  let prevA = 1 / classes;
  let toCriterion = NaN;
  let trainingTimeMs = 0;
  for (const p of curve) {
    best = Math.max(best, p.testAccuracy);
    area += ((p.testAccuracy + prevA) / 2) * (p.samplesSeen - prevS);
    prevS = p.samplesSeen;
    prevA = p.testAccuracy;
    trainingTimeMs += p.wallMs;
    if (criterion !== undefined && Number.isNaN(toCriterion) && p.testAccuracy >= criterion)
      toCriterion = p.samplesSeen;
  }
  const out: Record<string, number> = {
    finalTestAccuracy: curve[curve.length - 1]!.testAccuracy,
    bestTestAccuracy: best,
    aulc: prevS > 0 ? area / prevS : NaN,
    trainingTimeMs,
  };
  if (criterion !== undefined) out.samplesToCriterion = toCriterion;
  return out;
}

/**
 * The cost metrics of metrics.csv from a learner's measured inference costs
 * and its weights; `possible` (sparse storage) counts the synapses the
 * connectivity could hold, so the absent ones count as zero weights.
 */
export function costMetrics(
  costs: InferenceCosts,
  weights: readonly Float32Array[],
  possible?: number,
): Record<string, number> {
  let zeros = 0;
  let all = 0;
  for (const w of weights) {
    all += w.length;
    for (let i = 0; i < w.length; i++) if (w[i] === 0) zeros++;
  }
  if (possible !== undefined && possible > all) {
    zeros += possible - all;
    all = possible;
  }
  const energyPj = MAC_PJ * costs.effectiveMacs + AC_PJ * costs.effectiveAcs;
  return {
    denseOps: costs.denseOps,
    effectiveMacs: costs.effectiveMacs,
    effectiveAcs: costs.effectiveAcs,
    activationSparsity: costs.activationSparsity,
    connectionSparsity: all === 0 ? 0 : zeros / all,
    membraneUpdates: costs.membraneUpdates,
    footprintBytes: costs.footprintBytes,
    memoryAccesses: costs.memoryAccesses,
    energyPj,
    energyWithMemoryPj: energyPj + DRAM_ACCESS_PJ * costs.memoryAccesses,
  };
}

/**
 * Forgetting per earlier phase: its test accuracy at the end of its own
 * training minus at the end of the whole sequence (positive = forgotten);
 * `forgetting` is the mean over all phases but the last.
 */
export function forgettingMetrics(
  phaseNames: readonly string[],
  justAfter: readonly number[],
  atEnd: readonly number[],
): Record<string, number> {
  const out: Record<string, number> = {};
  let sum = 0;
  for (let k = 0; k < phaseNames.length - 1; k++) {
    const f = justAfter[k]! - atEnd[k]!;
    out[`forgetting[${phaseNames[k]}]`] = f;
    sum += f;
  }
  out.forgetting = phaseNames.length > 1 ? sum / (phaseNames.length - 1) : NaN;
  return out;
}
