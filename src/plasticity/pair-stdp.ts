/**
 * Pair-based STDP (Song, Miller & Abbott 2000; Bi & Poo 1998), trace-driven:
 *
 *   pre spike of i:   w_ij += F_-(w) · y_j      then x_i bumped
 *   post spike of j:  w_ij += F_+(w) · x_i      then y_j bumped
 *   x_i, y_j decay with tauPlus, tauMinus (exactly, lazily: see traces.ts)
 *
 * which for one pair at Δt = t_post - t_pre gives the window
 *   Δw = aPlus · exp(-Δt / tauPlus)      for Δt ≥ 0 (pre before post),
 *   Δw = aMinus · exp(Δt / tauMinus)     for Δt < 0  (aMinus < 0: depression).
 *
 * Bounds: "additive" F_+ = aPlus, F_- = aMinus and w is clipped to [wMin, wMax]
 * (Song et al.: bimodal weights); "multiplicative" (soft bounds, van Rossum et
 * al. 2000) F_+ = aPlus·(wMax - w)/(wMax - wMin), F_- = aMinus·(w - wMin)/(wMax - wMin),
 * so the amplitudes are those of a weight at the lower (resp. upper) bound and
 * updates shrink near the bound they approach (unimodal weights).
 * Pairing: "all-to-all" traces add 1 at a spike; "nearest" traces are set to 1.
 */
import { z } from "zod";
import { buildColumnIndex, hasCompleteRows, type ColumnIndex } from "./column-index.js";
import type { PlasticPathway, PlasticityRule } from "./rule.js";
import { LazyTraces } from "./traces.js";

export const pairStdpConfigSchema = z.strictObject({
  rule: z.literal("pair-stdp"),
  tauPlusMs: z.number().positive().default(20).describe("decay of the presynaptic trace (potentiation window)"),
  tauMinusMs: z.number().positive().default(20).describe("decay of the postsynaptic trace (depression window)"),
  aPlus: z.number().min(0).default(0.01).describe("potentiation per pair at Δt = 0+, in weight units"),
  aMinus: z.number().max(0).default(-0.0105).describe("depression per pair at Δt = 0-, in weight units (negative)"),
  wMin: z.number().default(0),
  wMax: z.number().default(1),
  bound: z
    .enum(["additive", "multiplicative"])
    .default("additive")
    .describe(
      "additive: Δw independent of w, clipped to [wMin, wMax]; multiplicative: soft bounds, Δw+ ∝ (wMax - w), Δw- ∝ (w - wMin)",
    ),
  pairing: z
    .enum(["all-to-all", "nearest"])
    .default("all-to-all")
    .describe(
      "all-to-all: every earlier spike pairs (traces add 1); nearest: only the most recent spike (traces reset to 1)",
    ),
});
/** Pair STDP's settings after validation: amplitudes, trace time constants, weight bounds, bound type and pairing. */
export type PairStdpConfig = z.infer<typeof pairStdpConfigSchema>;
/** Pair STDP's settings without the rule name (what the constructor takes). */
export type PairStdpParams = Omit<PairStdpConfig, "rule">;

/**
 * Pair-based STDP (Song, Miller & Abbott 2000; as Brian2's examples/synapses/STDP.py) on one synapse population:
 * additive or multiplicative bounds, all-to-all or nearest pairing. Usually built with {@link createPlasticity}.
 */
export class PairStdp implements PlasticityRule {
  readonly rule: string = "pair-stdp";
  readonly when = "end" as const;
  readonly params: Readonly<PairStdpParams>;
  readonly pathway: PlasticPathway;
  /** @internal */
  readonly pre: LazyTraces;
  /** @internal */
  readonly post: LazyTraces;
  /** The time step the traces decay by, ms (the network's). */
  readonly dtMs: number;
  updates = 0;
  protected columns: ColumnIndex;
  /** All-to-all rows: a presynaptic spike visits only the targets with a trace (see update). */
  protected completeRows: boolean;

  constructor(pathway: PlasticPathway, params: PairStdpParams, dtMs: number) {
    if (!(params.wMax > params.wMin)) throw new RangeError(`wMax (${params.wMax}) must exceed wMin (${params.wMin})`);
    this.params = { ...params };
    this.pathway = pathway;
    this.dtMs = dtMs;
    const mode = params.pairing === "nearest" ? "set" : "add";
    this.pre = new LazyTraces(pathway.matrix.nPre, params.tauPlusMs, dtMs, mode);
    this.post = new LazyTraces(pathway.matrix.nPost, params.tauMinusMs, dtMs, mode);
    this.columns = buildColumnIndex(pathway.matrix);
    this.completeRows = hasCompleteRows(pathway.matrix);
  }

  /** Rebuilds the column index (after the matrix was compacted). */
  rebuildIndex(): void {
    this.columns = buildColumnIndex(this.pathway.matrix);
    this.completeRows = hasCompleteRows(this.pathway.matrix);
  }

  /** Synapses were removed or added: the column index is rebuilt (pair STDP keeps no per-synapse state). */
  synapsesChanged(_origin: Int32Array): void {
    this.rebuildIndex();
  }

  reserve(_steps: number): void {}

  record(step: number): void {
    this.update(step);
  }

  update(step: number): void {
    const m = this.pathway.matrix;
    const { rowPtr, target, weight } = m;
    const { aPlus, aMinus, wMin, wMax } = this.params;
    const soft = this.params.bound === "multiplicative";
    const span = wMax - wMin;
    const pre = this.pathway.source;
    const post = this.pathway.target;
    let updates = 0;
    // Only targets with a trace change; in an all-to-all population with few of them, visit just those
    // (synapse (i, j) is rowPtr[i] + j): the same updates, each synapse's independent of the others'.
    const postTrace = this.post;
    const fewActive = this.completeRows && 4 * postTrace.activeCount < m.nPost;
    for (let k = 0; k < pre.spikeCount; k++) {
      const i = pre.spiked[k]!;
      if (fewActive) {
        const row = rowPtr[i]!;
        const active = postTrace.active;
        for (let a = 0; a < postTrace.activeCount; a++) {
          const s = row + active[a]!;
          const y = postTrace.read(active[a]!, step);
          if (y === 0) continue;
          const w = weight[s]!;
          const dw = soft ? (aMinus * y * (w - wMin)) / span : aMinus * y;
          this.apply(s, w, dw, step);
          updates++;
        }
      } else {
        const end = rowPtr[i + 1]!;
        for (let s = rowPtr[i]!; s < end; s++) {
          const y = postTrace.read(target[s]!, step);
          if (y === 0) continue;
          const w = weight[s]!;
          const dw = soft ? (aMinus * y * (w - wMin)) / span : aMinus * y;
          this.apply(s, w, dw, step);
          updates++;
        }
      }
      this.pre.bump(i, step);
    }
    const { colPtr, colSyn, colPre } = this.columns;
    for (let k = 0; k < post.spikeCount; k++) {
      const j = post.spiked[k]!;
      const end = colPtr[j + 1]!;
      for (let c = colPtr[j]!; c < end; c++) {
        const x = this.pre.read(colPre[c]!, step);
        if (x === 0) continue;
        const s = colSyn[c]!;
        const w = weight[s]!;
        const dw = soft ? (aPlus * x * (wMax - w)) / span : aPlus * x;
        this.apply(s, w, dw, step);
        updates++;
      }
      this.post.bump(j, step);
    }
    this.updates += updates;
  }

  /** Applies one STDP increment to synapse s (subclasses redirect it, e.g. into an eligibility trace). */
  protected apply(s: number, w: number, dw: number, _step: number): void {
    const nw = w + dw;
    const { wMin, wMax } = this.params;
    this.pathway.matrix.weight[s] = nw < wMin ? wMin : nw > wMax ? wMax : nw;
  }

  resetTraces(): void {
    this.pre.reset();
    this.post.reset();
  }
}
