/**
 * Pruning and growth of the Diehl & Cook network's input synapses (the
 * 784 × N plastic weights; the fixed excitatory ↔ inhibitory wiring is not
 * pruned). The weights stay a dense array with a mask, so STDP and
 * normalisation keep their layout; each input's list of live targets is
 * rebuilt after every change, so a spike walks only live synapses.
 *
 *   magnitude  the live synapses with the smallest w
 *   activity   the live synapses with the least pre×post co-activity
 *              (the network's decaying trace, on once `trackActivity` is called)
 *   random     live synapses drawn uniformly (the control)
 *
 * Scope "per-layer" and "global" rank all input synapses together (one
 * layer); "per-neuron" ranks each excitatory neuron's input synapses among
 * themselves and removes the same share from each (competition between a
 * neuron's synapses, as its weight normalisation already makes them compete),
 * so a neuron that fires less does not lose its inputs wholesale.
 * Ties go to the lower index (select.ts). Growth sets free positions, drawn
 * uniformly, live with a given weight and a zero co-activity score.
 */
import type { Rng } from "../../core/rng.js";
import type { CsrConnectivity } from "../../snn/synapses/csr.js";
import { lowestK, randomK, shareCount } from "../../plasticity/pruning/select.js";
import type { StructuralPlasticity } from "../../plasticity/pruning/structural.js";
import { requestedCount, type PruneRequest, type PruneResult } from "../../plasticity/pruning/types.js";
import type { DiehlCookNetwork } from "./network.js";

function positions(mask: Uint8Array | null, size: number, live: boolean): Int32Array {
  if (mask === null) {
    if (!live) return new Int32Array(0);
    const all = new Int32Array(size);
    for (let k = 0; k < size; k++) all[k] = k;
    return all;
  }
  let n = 0;
  for (let k = 0; k < size; k++) if ((mask[k] === 1) === live) n++;
  const out = new Int32Array(n);
  let o = 0;
  for (let k = 0; k < size; k++) if ((mask[k] === 1) === live) out[o++] = k;
  return out;
}

export function diehlCookStructure(net: DiehlCookNetwork, pruneRng: Rng, initWeightMax: number): StructuralPlasticity {
  const size = net.weights.length;
  return {
    criteria: ["magnitude", "activity", "random"],
    scopes: ["per-layer", "global", "per-neuron"],
    defaultGrowthWeight: 0.1 * initWeightMax,
    counts() {
      return { remaining: net.liveCount(), possible: size };
    },
    prune(request: PruneRequest): PruneResult {
      const live = positions(net.mask, size, true);
      const count = requestedCount(request, live.length);
      let score: ArrayLike<number> | null = null;
      if (request.criterion === "magnitude") score = net.weights;
      else if (request.criterion === "activity") {
        score = net.coactivity;
        if (score === null)
          throw new Error("activity pruning of the stdp learner needs its co-activity trace (trackActivity)");
      }
      const pick = (candidates: Int32Array, k: number) =>
        score === null ? randomK(candidates, k, pruneRng) : lowestK(candidates, score, k);
      const mask = net.ensureMask();
      let removed = 0;
      if (request.scope === "per-neuron") {
        // Each neuron's live inputs ranked among themselves; the count shared in proportion to what each has.
        const N = net.n;
        const columns: Int32Array[] = [];
        for (let j = 0; j < N; j++) {
          const col: number[] = [];
          for (let k = j; k < size; k += N) if (mask[k] === 1) col.push(k);
          columns.push(Int32Array.from(col));
        }
        const shares =
          request.fraction !== undefined
            ? columns.map((c) => requestedCount(request, c.length))
            : shareCount(
                count,
                columns.map((c) => c.length),
              );
        columns.forEach((c, j) => {
          const chosen = pick(c, shares[j]!);
          for (let k = 0; k < chosen.length; k++) mask[chosen[k]!] = 0;
          removed += chosen.length;
        });
      } else {
        const chosen = pick(live, count);
        for (let k = 0; k < chosen.length; k++) mask[chosen[k]!] = 0;
        removed = chosen.length;
      }
      net.rebuildLiveIndex();
      return { removed, remaining: live.length - removed, total: size };
    },
    grow(count: number, weight: number, rng: Rng): number {
      const free = positions(net.mask, size, false);
      const chosen = randomK(free, count, rng);
      if (chosen.length === 0) return 0;
      const mask = net.ensureMask();
      const co = net.coactivity;
      for (let k = 0; k < chosen.length; k++) {
        const s = chosen[k]!;
        mask[s] = 1;
        net.weights[s] = weight;
        if (co !== null) co[s] = 0;
      }
      net.rebuildLiveIndex();
      return chosen.length;
    },
    trackActivity(tauMs: number): void {
      if (net.coactivity === null) net.trackCoactivity(tauMs);
    },
    connectivity(): CsrConnectivity[] {
      const N = net.n;
      if (net.liveRowPtr !== null && net.liveTargets !== null) {
        return [{ nPre: net.nIn, nPost: N, rowPtr: net.liveRowPtr.slice(), target: net.liveTargets.slice() }];
      }
      const rowPtr = new Int32Array(net.nIn + 1);
      const target = new Int32Array(size);
      for (let i = 0; i < net.nIn; i++) {
        for (let j = 0; j < N; j++) target[i * N + j] = j;
        rowPtr[i + 1] = (i + 1) * N;
      }
      return [{ nPre: net.nIn, nPost: N, rowPtr, target }];
    },
    rewindable() {
      return null;
    },
  };
}
