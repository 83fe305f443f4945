/**
 * One-shot and iterative pruning (Han et al. 2015: prune, then retrain;
 * Frankle & Carbin 2019: iterative magnitude pruning with rewinding). One-shot
 * removes the whole amount at once; iterative removes p% of the remaining
 * weights in each of R rounds, so the density after R rounds is (1 - p)^R.
 * Retraining between rounds is the caller's loop (`retrain(round)`).
 */
import type { Param } from "../../ann/layer.js";
import type { Rng } from "../../core/rng.js";
import { rewindWeights, type WeightSnapshot } from "./lottery-ticket.js";
import { pruneParams } from "./mask-pruning.js";
import type { PruneCriterion, PruneResult, PruneScope } from "./types.js";

/** The per-round fraction p with (1 - p)^rounds = finalDensity. */
export function perRoundFraction(finalDensity: number, rounds: number): number {
  if (!(finalDensity > 0 && finalDensity <= 1))
    throw new RangeError(`finalDensity must be in (0, 1], got ${finalDensity}`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds must be a positive integer, got ${rounds}`);
  return 1 - finalDensity ** (1 / rounds);
}

/**
 * Rounds of {@link pruneIteratively}: criterion, scope, how many rounds and how much per round, and an optional lottery-ticket snapshot.
 */
export interface IterativePruneOptions {
  criterion: Exclude<PruneCriterion, "activity">;
  scope?: PruneScope;
  rounds: number;
  /** Fraction of the remaining weights removed in each round. */
  fractionPerRound: number;
  /** With a snapshot, survivors are rewound to it after each round (lottery ticket). */
  rewindTo?: WeightSnapshot;
  /** Needed for the random criterion. */
  rng: Rng;
}

/**
 * Runs the rounds: prune `fractionPerRound` of the remaining, rewind when
 * asked, then `retrain(round)`. Returns each round's result.
 */
export function pruneIteratively(
  params: readonly Param[],
  options: IterativePruneOptions,
  retrain: (round: number) => void,
): PruneResult[] {
  const results: PruneResult[] = [];
  for (let r = 0; r < options.rounds; r++) {
    results.push(
      pruneParams(
        params,
        { criterion: options.criterion, fraction: options.fractionPerRound, scope: options.scope },
        options.rng.fork(`round:${r}`),
      ),
    );
    if (options.rewindTo !== undefined) rewindWeights(params, options.rewindTo);
    retrain(r);
  }
  return results;
}
