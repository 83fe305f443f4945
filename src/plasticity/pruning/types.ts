/**
 * What a caller asks a learner to prune and what it gets back. A request is
 * plain data (a scenario can write it); `fraction` is taken of the weights
 * that still remain, so iterative pruning (Han et al. 2015; Frankle & Carbin
 * 2019) is the same request repeated: p% of the remaining each round.
 */
import { z } from "zod";

/** How synapses are chosen: smallest |w|, least co-activity ("use it or lose it"), or at random (the control). */
export type PruneCriterion = "magnitude" | "activity" | "random";
/**
 * Rank each layer (parameter) on its own, all of them together against one
 * threshold, or each postsynaptic neuron's input synapses on their own
 * ("per-neuron": only learners that list it in `StructuralPlasticity.scopes`).
 */
export type PruneScope = "per-layer" | "global" | "per-neuron";

export const pruneRequestSchema = z
  .strictObject({
    criterion: z
      .enum(["magnitude", "activity", "random"])
      .describe("magnitude: smallest |w| first; activity: least co-active first; random: uniform control"),
    fraction: z.number().min(0).max(1).optional().describe("fraction of the remaining weights to remove"),
    count: z.int().min(0).optional().describe("number of remaining weights to remove (instead of fraction)"),
    scope: z
      .enum(["per-layer", "global"])
      .default("per-layer")
      .describe("per-layer: every layer loses the same fraction; global: one threshold over all layers"),
  })
  .refine((r) => (r.fraction === undefined) !== (r.count === undefined), {
    message: "give exactly one of fraction and count",
  });

/** What to prune: a criterion, a fraction or a count of the remaining weights, and a scope. */
export interface PruneRequest {
  criterion: PruneCriterion;
  /** Fraction of the remaining (unpruned) weights to remove, in [0, 1]. */
  fraction?: number | undefined;
  /** Number of remaining weights to remove; used when `fraction` is absent. */
  count?: number | undefined;
  /** Default "per-layer". */
  scope?: PruneScope | undefined;
}

/** What a pruning request did: weights removed, remaining and prunable in all. */
export interface PruneResult {
  /** Weights removed by this request. */
  removed: number;
  /** Weights left unpruned afterwards. */
  remaining: number;
  /** All prunable weights, pruned or not. */
  total: number;
}

/** The number a request removes from `remaining` weights (fraction rounded to nearest, count capped). */
export function requestedCount(request: PruneRequest, remaining: number): number {
  if (request.fraction !== undefined) {
    const f = request.fraction;
    if (!(f >= 0 && f <= 1)) throw new RangeError(`prune fraction must be in [0, 1], got ${f}`);
    return Math.min(remaining, Math.round(f * remaining));
  }
  const c = request.count;
  if (c === undefined) throw new RangeError("a prune request needs a fraction or a count");
  if (!Number.isInteger(c) || c < 0) throw new RangeError(`prune count must be a non-negative integer, got ${c}`);
  return Math.min(remaining, c);
}
