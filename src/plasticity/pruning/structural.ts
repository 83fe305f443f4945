/**
 * What a learner exposes so that its synapses can be pruned and grown while
 * it learns (src/runs/pruning-hooks.ts drives it): live and possible
 * synapse counts, pruning by a request, growth at free positions, and its
 * connectivity as layers for the graph measures. A learner offers it through
 * the optional `Learner.structure()`.
 *
 * `maskStructure` implements it for learners whose weights are Param arrays
 * pruned through masks (mlp, cnn, surrogate): a grown synapse is a masked
 * position set back to 1 with a given weight; the optimisers keep every
 * masked weight at exactly 0.
 */
import type { Param } from "../../ann/layer.js";
import type { Rng } from "../../core/rng.js";
import type { CsrConnectivity } from "../../snn/synapses/csr.js";
import { ensureMask, maskCounts, pruneParams, remainingCount } from "./mask-pruning.js";
import { concatOffsets, randomK } from "./select.js";
import type { PruneCriterion, PruneRequest, PruneResult, PruneScope } from "./types.js";

/**
 * A learner's synapses as something that can be pruned and grown while it learns (what {@link Learner}'s `structure()` returns).
 */
export interface StructuralPlasticity {
  /** The criteria this learner can rank synapses by. */
  readonly criteria: readonly PruneCriterion[];
  /** The scopes `prune` understands. */
  readonly scopes: readonly PruneScope[];
  /** Weight of a grown synapse when the scenario gives none. */
  readonly defaultGrowthWeight: number;
  /** Live synapses and all possible ones (densities are live / possible). */
  counts(): { remaining: number; possible: number };
  /** Removes synapses as the request says (`count` or `fraction` of the live ones). */
  prune(request: PruneRequest): PruneResult;
  /** Live and possible synapses per prunable layer, inputs first (learners whose layers can be pruned one by one). */
  layers?(): { remaining: number; possible: number }[];
  /** Removes synapses of one prunable layer only, as the request says. */
  pruneLayer?(layer: number, request: PruneRequest): PruneResult;
  /** Adds up to `count` synapses at free positions drawn uniformly, each with `weight`; returns how many were added. */
  grow(count: number, weight: number, rng: Rng): number;
  /** Turns on the co-activity trace the activity criterion ranks by (learners that list "activity"). */
  trackActivity?(tauMs: number): void;
  /** The connectivity as consecutive layers, inputs first (for graph measures); null when it has no such form. */
  connectivity(): CsrConnectivity[] | null;
  /**
   * The connectivity as a graph of neuron populations, recurrent synapses
   * included (for the graph measures of a learner that is no chain of
   * layers); null when it has no input or output population.
   */
  populations?(): PopulationConnectivity | null;
  /** The parameters a lottery ticket rewinds (weights and biases), or null when rewinding makes no sense. */
  rewindable(): readonly Param[] | null;
  /** Called after the parameters were rewound: the learner forgets optimiser state and weight averages, as if new. */
  rewound?(): void;
}

/**
 * A network of neuron populations joined by synapse populations, any of them
 * recurrent: the routes of a graph measure run from every neuron of the
 * `inputs` population to every neuron of the `outputs` population. The
 * matrices may be the live ones (views): read it before the synapses change.
 */
export interface PopulationConnectivity {
  /** Neurons per population; node ids run population by population in this order. */
  readonly sizes: readonly number[];
  /** Every synapse population: the indices of its source and target populations, and its synapses. */
  readonly projections: readonly {
    readonly source: number;
    readonly target: number;
    readonly matrix: CsrConnectivity;
  }[];
  /** Index of the population whose neurons are the routes' sources. */
  readonly inputs: number;
  /** Index of the population whose neurons are the routes' targets. */
  readonly outputs: number;
  /** Synapses possible (the denominator of density). */
  readonly possible: number;
}

/** Live positions of a masked [nPre × nPost] row-major weight as CSR (a new structure). */
export function maskConnectivity(p: Param, nPre: number, nPost: number): CsrConnectivity {
  if (p.value.length !== nPre * nPost)
    throw new RangeError(`parameter ${p.name} holds ${p.value.length} weights, not ${nPre}×${nPost}`);
  const m = p.mask;
  const rowPtr = new Int32Array(nPre + 1);
  let live = 0;
  for (let i = 0; i < nPre; i++) {
    if (m === undefined) live += nPost;
    else for (let j = 0; j < nPost; j++) live += m[i * nPost + j]!;
    rowPtr[i + 1] = live;
  }
  const target = new Int32Array(live);
  let e = 0;
  for (let i = 0; i < nPre; i++) {
    for (let j = 0; j < nPost; j++) if (m === undefined || m[i * nPost + j] === 1) target[e++] = j;
  }
  return { nPre, nPost, rowPtr, target };
}

/**
 * Unmasks up to `count` pruned positions, drawn uniformly over all the
 * parameters' pruned positions, and gives each the weight `weight`; returns
 * how many were grown. Parameters without a mask have no free position.
 */
export function growParams(
  params: readonly Param[],
  count: number,
  weight: number,
  rng: Rng,
  onGrown?: (param: number, index: number) => void,
): number {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`growth count must be a non-negative integer, got ${count}`);
  if (count === 0) return 0;
  const { offsets } = concatOffsets(params.map((p) => p.value.length));
  let free = 0;
  for (const p of params) if (p.mask !== undefined) for (let i = 0; i < p.mask.length; i++) free += 1 - p.mask[i]!;
  const candidates = new Int32Array(free);
  let k = 0;
  params.forEach((p, l) => {
    const m = p.mask;
    if (m !== undefined) for (let i = 0; i < m.length; i++) if (m[i] === 0) candidates[k++] = offsets[l]! + i;
  });
  const chosen = randomK(candidates, count, rng).sort();
  let l = 0;
  for (let c = 0; c < chosen.length; c++) {
    while (l + 1 < params.length && chosen[c]! >= offsets[l + 1]!) l++;
    const p = params[l]!;
    const i = chosen[c]! - offsets[l]!;
    p.mask![i] = 1;
    p.value[i] = weight;
    onGrown?.(l, i);
  }
  return chosen.length;
}

export interface MaskStructureOptions {
  /** The prunable weights (biases excluded). */
  weights: readonly Param[];
  /** Every parameter (for lottery-ticket rewinding). */
  all: readonly Param[];
  /** Shape [nPre, nPost] of each weight when the network is a chain of dense layers (graph measures); null otherwise. */
  shapes: readonly (readonly [number, number])[] | null;
  /** Draws of the random criterion. */
  rng: Rng;
  /** Called after a lottery-ticket rewind (reset the optimiser, weight averages). */
  onRewind?: () => void;
  /** Called for each grown synapse: weights[param].value[index] (a learner keeping copies of its weights updates them). */
  onGrown?: (param: number, index: number) => void;
}

/** StructuralPlasticity over masked Param weights: magnitude and random pruning, growth by unmasking. */
export function maskStructure(o: MaskStructureOptions): StructuralPlasticity {
  return {
    criteria: ["magnitude", "random"],
    scopes: ["per-layer", "global"],
    defaultGrowthWeight: 0,
    counts() {
      const c = maskCounts(o.weights);
      return { remaining: c.remaining, possible: c.total };
    },
    prune(request) {
      for (const p of o.weights) ensureMask(p);
      return pruneParams(o.weights, request, o.rng);
    },
    layers() {
      return o.weights.map((p) => ({ remaining: remainingCount(p), possible: p.value.length }));
    },
    pruneLayer(layer, request) {
      const p = o.weights[layer];
      if (p === undefined) throw new RangeError(`layer ${layer} is not one of the ${o.weights.length} prunable layers`);
      ensureMask(p);
      return pruneParams([p], request, o.rng);
    },
    grow(count, weight, rng) {
      return growParams(o.weights, count, weight, rng, o.onGrown);
    },
    connectivity() {
      const shapes = o.shapes;
      if (shapes === null) return null;
      return o.weights.map((p, k) => maskConnectivity(p, shapes[k]![0], shapes[k]![1]));
    },
    rewindable() {
      return o.all;
    },
    rewound() {
      o.onRewind?.();
    },
  };
}
