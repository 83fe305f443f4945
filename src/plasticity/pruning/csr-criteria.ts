/**
 * Stateless pruning criteria for spiking synapses stored as CSR
 * (src/snn/synapses/csr.ts): each marks the chosen live synapses dead, which
 * zeroes their weight at once; `matrix.compact()` then removes them between
 * epochs, keeping every survivor's target, weight and delay.
 *
 *   magnitude  the `count` live synapses with the smallest |w| (Han et al. 2015),
 *              ties broken by synapse index;
 *   random     `count` live synapses drawn uniformly (the control: it must
 *              not prefer small or large weights).
 *
 * The activity criterion ("use it or lose it") keeps per-synapse state and
 * lives in activity-criterion.ts. `pruneSynapseMatrices` applies a
 * PruneRequest (types.ts) to several populations at once, per population or
 * with one ranking over all of them, as MLP pruning does for layers, or per
 * postsynaptic neuron (each target's incoming synapses ranked among
 * themselves, as a neuron's weight normalisation makes them compete).
 */
import type { Rng } from "../../core/rng.js";
import type { SynapseMatrix } from "../../snn/synapses/csr.js";
import type { ActivityCriterion } from "./activity-criterion.js";
import { concatOffsets, liveSynapses, lowestK, randomK, shareCount } from "./select.js";
import { requestedCount, type PruneRequest, type PruneResult } from "./types.js";

function markAll(m: SynapseMatrix, chosen: Int32Array): number {
  for (let k = 0; k < chosen.length; k++) m.markDead(chosen[k]!);
  return chosen.length;
}

/** Marks the `count` live synapses with the smallest |w| dead; returns how many were marked. */
export function pruneSynapsesByMagnitude(m: SynapseMatrix, count: number): number {
  const live = liveSynapses(m);
  const w = m.weight;
  const mag = new Float64Array(m.count);
  for (let k = 0; k < live.length; k++) mag[live[k]!] = Math.abs(w[live[k]!]!);
  return markAll(m, lowestK(live, mag, count));
}

/** Marks `count` live synapses, drawn uniformly without replacement, dead; returns how many were marked. */
export function pruneSynapsesAtRandom(m: SynapseMatrix, count: number, rng: Rng): number {
  return markAll(m, randomK(liveSynapses(m), count, rng));
}

/**
 * Compacts `m` (drops the synapses marked dead) and returns where each
 * survivor was: origin[s] = its index before, for rules and criteria that
 * keep per-synapse state (`PlasticityRule.synapsesChanged`); null when
 * nothing was dead and nothing moved.
 */
export function compactWithOrigin(m: SynapseMatrix): Int32Array | null {
  const live = liveSynapses(m);
  const moved = live.length !== m.count;
  m.compact();
  return moved ? live : null;
}

/** Synapses not marked dead. */
export function liveCount(m: SynapseMatrix): number {
  let n = 0;
  for (let s = 0; s < m.count; s++) if (!m.isDead(s)) n++;
  return n;
}

/** Connection density of a CSR matrix: live synapses / (nPre · nPost). */
export function synapseDensity(m: SynapseMatrix): number {
  const possible = m.nPre * m.nPost;
  return possible === 0 ? 0 : liveCount(m) / possible;
}

export interface SynapsePruneContext {
  /** For the random criterion. */
  rng?: Rng;
  /** For the activity criterion: one per matrix, in the same order (each built on that matrix). */
  activity?: readonly ActivityCriterion[];
  /** For the activity criterion: the step at which scores are read. */
  step?: number;
}

/**
 * Applies a request to synapse populations: marks the chosen synapses dead
 * (compact afterwards). "per-layer": each matrix loses `fraction` of its live
 * synapses (a `count` is shared in proportion to what each has left);
 * "global": one ranking (or one uniform draw) over the live synapses of all.
 */
export function pruneSynapseMatrices(
  matrices: readonly SynapseMatrix[],
  request: PruneRequest,
  ctx: SynapsePruneContext = {},
): PruneResult {
  const live = matrices.map(liveSynapses);
  const total = live.reduce((a, l) => a + l.length, 0);
  const criterion = request.criterion;
  const scores = criterion === "random" ? null : matrices.map((m, k) => synapseScores(m, live[k]!, criterion, ctx, k));
  let removed = 0;
  const scope = request.scope ?? "per-layer";
  if (scope === "per-neuron") {
    removed = prunePerNeuron(matrices, live, scores, request, ctx);
  } else if (scope === "per-layer") {
    const counts =
      request.fraction !== undefined
        ? live.map((l) => requestedCount(request, l.length))
        : shareCount(
            requestedCount(request, total),
            live.map((l) => l.length),
          );
    matrices.forEach((m, k) => {
      const chosen =
        scores === null ? randomK(live[k]!, counts[k]!, needRng(ctx)) : lowestK(live[k]!, scores[k]!, counts[k]!);
      for (let c = 0; c < chosen.length; c++) m.markDead(chosen[c]!);
      removed += chosen.length;
    });
  } else {
    // Candidate c = offset of its matrix + synapse index.
    const { offsets, size } = concatOffsets(matrices.map((m) => m.count));
    const all = new Int32Array(total);
    const allScores = new Float64Array(size);
    let o = 0;
    live.forEach((l, k) => {
      for (let c = 0; c < l.length; c++) {
        all[o++] = offsets[k]! + l[c]!;
        if (scores !== null) allScores[offsets[k]! + l[c]!] = scores[k]![l[c]!]!;
      }
    });
    const n = requestedCount(request, total);
    const chosen = scores === null ? randomK(all, n, needRng(ctx)) : lowestK(all, allScores, n);
    chosen.sort();
    let k = 0;
    for (let c = 0; c < chosen.length; c++) {
      while (k + 1 < matrices.length && chosen[c]! >= offsets[k + 1]!) k++;
      matrices[k]!.markDead(chosen[c]! - offsets[k]!);
    }
    removed = chosen.length;
  }
  return { removed, remaining: total - removed, total: matrices.reduce((a, m) => a + m.count, 0) };
}

/**
 * Per-neuron scope: every target's live incoming synapses of every matrix
 * form one group; a `fraction` is taken of each group, a `count` is shared
 * among the groups in proportion to their sizes.
 */
function prunePerNeuron(
  matrices: readonly SynapseMatrix[],
  live: readonly Int32Array[],
  scores: Float64Array[] | null,
  request: PruneRequest,
  ctx: SynapsePruneContext,
): number {
  const groups: { k: number; synapses: Int32Array }[] = [];
  matrices.forEach((m, k) => {
    const l = live[k]!;
    const t = m.target;
    const ptr = new Int32Array(m.nPost + 1);
    for (let c = 0; c < l.length; c++) ptr[t[l[c]!]! + 1]!++;
    for (let j = 0; j < m.nPost; j++) ptr[j + 1]! += ptr[j]!;
    const fill = ptr.slice(0, m.nPost);
    const bySource = new Int32Array(l.length);
    for (let c = 0; c < l.length; c++) bySource[fill[t[l[c]!]!]!++] = l[c]!;
    for (let j = 0; j < m.nPost; j++) groups.push({ k, synapses: bySource.subarray(ptr[j]!, ptr[j + 1]!) });
  });
  const sizes = groups.map((g) => g.synapses.length);
  const counts =
    request.fraction !== undefined
      ? sizes.map((n) => requestedCount(request, n))
      : shareCount(
          requestedCount(
            request,
            sizes.reduce((a, b) => a + b, 0),
          ),
          sizes,
        );
  let removed = 0;
  groups.forEach((g, n) => {
    const chosen =
      scores === null ? randomK(g.synapses, counts[n]!, needRng(ctx)) : lowestK(g.synapses, scores[g.k]!, counts[n]!);
    for (let c = 0; c < chosen.length; c++) matrices[g.k]!.markDead(chosen[c]!);
    removed += chosen.length;
  });
  return removed;
}

function needRng(ctx: SynapsePruneContext): Rng {
  if (ctx.rng === undefined) throw new RangeError("random pruning needs an rng");
  return ctx.rng;
}

/** Score per synapse index of matrix k (low = pruned first): |w| or the co-activity score. */
function synapseScores(
  m: SynapseMatrix,
  live: Int32Array,
  criterion: "magnitude" | "activity",
  ctx: SynapsePruneContext,
  k: number,
): Float64Array {
  const out = new Float64Array(m.count);
  if (criterion === "magnitude") {
    for (let c = 0; c < live.length; c++) out[live[c]!] = Math.abs(m.weight[live[c]!]!);
    return out;
  }
  const a = ctx.activity?.[k];
  if (a === undefined || a.matrix !== m)
    throw new RangeError(`activity pruning needs an ActivityCriterion built on matrix ${k}`);
  if (ctx.step === undefined) throw new RangeError("activity pruning needs the current step");
  for (let c = 0; c < live.length; c++) out[live[c]!] = a.scoreAt(live[c]!, ctx.step);
  return out;
}
