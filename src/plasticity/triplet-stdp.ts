/**
 * Triplet STDP (Pfister & Gerstner 2006, J Neurosci 26:9673), all-to-all
 * interaction, trace-driven:
 *
 *   pre spike of i:   w_ij -= o1_j · (A2minus + A3minus · r2_i(before));  r1_i += 1, r2_i += 1
 *   post spike of j:  w_ij += r1_i · (A2plus + A3plus · o2_j(before));    o1_j += 1, o2_j += 1
 *   r1, r2 decay with tauPlus, tauX; o1, o2 with tauMinus, tauY
 *
 * Pairing "all-to-all" (the default) lets every earlier spike count (traces
 * add 1 at a spike); "nearest" keeps only the most recent one (traces are set
 * to 1), Pfister & Gerstner's nearest-spike model. With A2plus = 0,
 * A3minus = 0 and nearest pairing this is Diehl & Cook's (2015) rule:
 * depression etaPre · post1 at an input spike, potentiation
 * etaPost · pre · post2(before) at an output spike.
 *
 * Weights are clipped to [wMin, wMax]. The defaults are the paper's minimal
 * all-to-all model fitted to the visual-cortex data (Sjöström et al. 2001):
 * tauPlus 16.8 ms, tauMinus 33.7 ms, tauY 114 ms, A2plus 0, A3plus 6.5e-3,
 * A2minus 7.1e-3, A3minus 0 (tauX is then unused; 101 ms as in their full model).
 * With these, pairing at low frequency depresses and pairing at high
 * frequency potentiates for either order, unlike the pair rule.
 */
import { z } from "zod";
import { buildColumnIndex, hasCompleteRows, type ColumnIndex } from "./column-index.js";
import type { PlasticPathway, PlasticityRule } from "./rule.js";
import { LazyTraces } from "./traces.js";

export const tripletStdpConfigSchema = z.strictObject({
  rule: z.literal("triplet-stdp"),
  tauPlusMs: z.number().positive().default(16.8),
  tauMinusMs: z.number().positive().default(33.7),
  tauXMs: z.number().positive().default(101),
  tauYMs: z.number().positive().default(114),
  a2Plus: z.number().min(0).default(0),
  a3Plus: z.number().min(0).default(6.5e-3),
  a2Minus: z.number().min(0).default(7.1e-3).describe("pair depression amplitude (subtracted)"),
  a3Minus: z.number().min(0).default(0),
  wMin: z.number().default(0),
  wMax: z.number().default(1),
  pairing: z
    .enum(["all-to-all", "nearest"])
    .default("all-to-all")
    .describe(
      "all-to-all: every earlier spike counts (traces add 1); nearest: only the most recent spike counts (traces are set to 1; Pfister & Gerstner's nearest-spike model, Diehl & Cook's rule)",
    ),
});
/** Triplet STDP's settings after validation (Pfister & Gerstner 2006). */
export type TripletStdpConfig = z.infer<typeof tripletStdpConfigSchema>;
/** Triplet STDP's settings without the rule name (what the constructor takes). */
export type TripletStdpParams = Omit<TripletStdpConfig, "rule">;

/**
 * Triplet STDP (Pfister & Gerstner 2006, minimal all-to-all model) on one synapse population. Usually built with {@link createPlasticity}.
 */
export class TripletStdp implements PlasticityRule {
  readonly rule = "triplet-stdp";
  readonly when = "end" as const;
  readonly params: Readonly<TripletStdpParams>;
  readonly pathway: PlasticPathway;
  /** @internal */
  readonly r1: LazyTraces;
  /** @internal */
  readonly r2: LazyTraces;
  /** @internal */
  readonly o1: LazyTraces;
  /** @internal */
  readonly o2: LazyTraces;
  /** The time step the traces decay by, ms (the network's). */
  readonly dtMs: number;
  updates = 0;
  private columns: ColumnIndex;
  /** All-to-all rows: a presynaptic spike visits only the targets with an o1 trace (see update). */
  private completeRows: boolean;

  constructor(pathway: PlasticPathway, params: TripletStdpParams, dtMs: number) {
    if (!(params.wMax > params.wMin)) throw new RangeError(`wMax (${params.wMax}) must exceed wMin (${params.wMin})`);
    this.params = { ...params };
    this.pathway = pathway;
    this.dtMs = dtMs;
    const nPre = pathway.matrix.nPre;
    const nPost = pathway.matrix.nPost;
    const mode = params.pairing === "nearest" ? "set" : "add";
    this.r1 = new LazyTraces(nPre, params.tauPlusMs, dtMs, mode);
    this.r2 = new LazyTraces(nPre, params.tauXMs, dtMs, mode);
    this.o1 = new LazyTraces(nPost, params.tauMinusMs, dtMs, mode);
    this.o2 = new LazyTraces(nPost, params.tauYMs, dtMs, mode);
    this.columns = buildColumnIndex(pathway.matrix);
    this.completeRows = hasCompleteRows(pathway.matrix);
  }

  /** Rebuilds the column index after the matrix was compacted (pruned) or regrown. */
  rebuildIndex(): void {
    this.columns = buildColumnIndex(this.pathway.matrix);
    this.completeRows = hasCompleteRows(this.pathway.matrix);
  }

  /** Synapses were removed or added: the column index is rebuilt (no per-synapse state). */
  synapsesChanged(_origin: Int32Array): void {
    this.rebuildIndex();
  }

  reserve(_steps: number): void {}

  record(step: number): void {
    this.update(step);
  }

  update(step: number): void {
    const { rowPtr, target, weight } = this.pathway.matrix;
    const { a2Plus, a3Plus, a2Minus, a3Minus, wMin, wMax } = this.params;
    const pre = this.pathway.source;
    const post = this.pathway.target;
    let updates = 0;
    // Only targets with an o1 trace change; in an all-to-all population with few of them, visit just those
    // (synapse (i, j) is rowPtr[i] + j): the same updates, each synapse's independent of the others'.
    const o1Trace = this.o1;
    const fewActive = this.completeRows && 4 * o1Trace.activeCount < this.pathway.matrix.nPost;
    for (let k = 0; k < pre.spikeCount; k++) {
      const i = pre.spiked[k]!;
      const dep = a2Minus + a3Minus * this.r2.read(i, step);
      if (fewActive) {
        const row = rowPtr[i]!;
        const active = o1Trace.active;
        for (let a = 0; a < o1Trace.activeCount; a++) {
          const s = row + active[a]!;
          const o1 = o1Trace.read(active[a]!, step);
          if (o1 === 0) continue;
          const nw = weight[s]! - o1 * dep;
          weight[s] = nw < wMin ? wMin : nw > wMax ? wMax : nw;
          updates++;
        }
      } else {
        const end = rowPtr[i + 1]!;
        for (let s = rowPtr[i]!; s < end; s++) {
          const o1 = o1Trace.read(target[s]!, step);
          if (o1 === 0) continue;
          const nw = weight[s]! - o1 * dep;
          weight[s] = nw < wMin ? wMin : nw > wMax ? wMax : nw;
          updates++;
        }
      }
      this.r1.bump(i, step);
      this.r2.bump(i, step);
    }
    const { colPtr, colSyn, colPre } = this.columns;
    for (let k = 0; k < post.spikeCount; k++) {
      const j = post.spiked[k]!;
      const pot = a2Plus + a3Plus * this.o2.read(j, step);
      const end = colPtr[j + 1]!;
      for (let c = colPtr[j]!; c < end; c++) {
        const r1 = this.r1.read(colPre[c]!, step);
        if (r1 === 0) continue;
        const s = colSyn[c]!;
        const nw = weight[s]! + r1 * pot;
        weight[s] = nw < wMin ? wMin : nw > wMax ? wMax : nw;
        updates++;
      }
      this.o1.bump(j, step);
      this.o2.bump(j, step);
    }
    this.updates += updates;
  }

  resetTraces(): void {
    this.r1.reset();
    this.r2.reset();
    this.o1.reset();
    this.o2.reset();
  }
}
