/**
 * "Use it or lose it": each synapse keeps a decaying co-activity score c_s of
 * how often its presynaptic and postsynaptic neurons fire together, and
 * pruning removes the synapses with the lowest scores.
 *
 *   pre spike of i at step t:   c_s += y_j(t)   for every synapse s = (i → j)
 *   post spike of j at step t:  c_s += x_i(t)   for every synapse s = (i → j)
 *   x_i, y_j: pre and post spike traces, bumped to 1 at a spike ("set") and
 *             decaying with `windowMs` (the coincidence window)
 *   c_s decays with `tauMs` (the memory of the score)
 *
 * A pre and post spike in the same step count once (score +1), whichever hook
 * is called first. Decays are exact and lazy (traces.ts): a score stores its
 * value at the step it was last changed and is decayed only when it next
 * changes or is read, so a spike costs one pass over its row (pre) or its
 * column (post), and synapses whose partner has no trace are skipped without
 * an exp. Nothing here allocates per spike or per step.
 *
 * Pruning marks the chosen synapses dead in the matrix; call `compact()` on
 * this criterion (not on the matrix directly) so the scores follow the
 * surviving synapses, and the column index is rebuilt.
 *
 * Use need not come from spikes. In a routing network (Navlakha, Barth &
 * Bar-Joseph 2015) an edge is used when a message travels along it, which
 * is its two nodes active one after the other: `use(s, step)` credits such a
 * use directly, and with `tauMs: Infinity` the score is the plain count of
 * uses ("each edge keeps track of how many times it has been used").
 *
 * Built with `ActivityCriterion.watching(synapses, ...)` it is also a Monitor
 * recorded at the end of each step (like the STDP rules, rule.ts), so
 * `network.addMonitor(criterion)` keeps the scores with no change to the
 * schedule; otherwise the caller feeds spikes through `update` or the hooks.
 */
import type { Rng } from "../../core/rng.js";
import type { Monitor } from "../../snn/monitors.js";
import type { SynapseMatrix } from "../../snn/synapses/csr.js";
import { buildColumnIndex, type ColumnIndex } from "../column-index.js";
import type { PlasticPathway, SpikeList } from "../rule.js";
import { LazyTraces } from "../traces.js";
import { liveSynapses, lowestK } from "./select.js";

/** Time constants of the {@link ActivityCriterion}'s spike traces and score. */
export interface ActivityCriterionOptions {
  /** Coincidence window: decay of the pre and post spike traces, ms (default 20). */
  windowMs?: number;
  /** Decay of the co-activity score, ms (default 10,000: the score spans many samples); Infinity: a plain count. */
  tauMs?: number;
  dtMs: number;
}

/**
 * "Use it or lose it": a decaying co-activity score per synapse of how often its two neurons fire together;
 * pruning removes the lowest scores. `ActivityCriterion.watching(synapses, options)` builds one that
 * `network.addMonitor` keeps up to date.
 */
export class ActivityCriterion implements Monitor {
  readonly when = "end" as const;
  readonly matrix: SynapseMatrix;
  /** @internal */
  readonly pre: LazyTraces;
  /** @internal */
  readonly post: LazyTraces;
  /** Score per synapse at `scoreStep`. */
  score: Float64Array;
  scoreStep: Int32Array;
  /** dt / tauMs of the score. */
  private readonly rate: number;
  private columns: ColumnIndex;
  private source: SpikeList | null = null;
  private target: SpikeList | null = null;

  /** A criterion that reads its spikes from a synapse population's source and target at each `record`. */
  static watching(pathway: PlasticPathway, options: ActivityCriterionOptions): ActivityCriterion {
    const c = new ActivityCriterion(pathway.matrix, options);
    c.source = pathway.source;
    c.target = pathway.target;
    return c;
  }

  constructor(matrix: SynapseMatrix, options: ActivityCriterionOptions) {
    const windowMs = options.windowMs ?? 20;
    const tauMs = options.tauMs ?? 10_000;
    if (!(tauMs > 0)) throw new RangeError(`activity score tauMs must be > 0, got ${tauMs}`);
    this.matrix = matrix;
    this.pre = new LazyTraces(matrix.nPre, windowMs, options.dtMs, "set");
    this.post = new LazyTraces(matrix.nPost, windowMs, options.dtMs, "set");
    this.score = new Float64Array(matrix.count);
    this.scoreStep = new Int32Array(matrix.count);
    this.rate = options.dtMs / tauMs;
    this.columns = buildColumnIndex(matrix);
  }

  /** Presynaptic neuron i spiked at `step`: its row gains the post traces. */
  onPreSpike(i: number, step: number): void {
    const m = this.matrix;
    const end = m.rowPtr[i + 1]!;
    const target = m.target;
    const post = this.post;
    for (let s = m.rowPtr[i]!; s < end; s++) {
      const y = post.read(target[s]!, step);
      if (y !== 0) this.add(s, y, step);
    }
    this.pre.bump(i, step);
  }

  /** Postsynaptic neuron j spiked at `step`: its column gains the pre traces. */
  onPostSpike(j: number, step: number): void {
    const { colPtr, colSyn, colPre } = this.columns;
    const end = colPtr[j + 1]!;
    const pre = this.pre;
    for (let k = colPtr[j]!; k < end; k++) {
      const x = pre.read(colPre[k]!, step);
      if (x !== 0) this.add(colSyn[k]!, x, step);
    }
    this.post.bump(j, step);
  }

  /** One simulation step: the spiking rows, then the spiking columns (call after thresholding). */
  update(step: number, preSpiked: Int32Array, preCount: number, postSpiked: Int32Array, postCount: number): void {
    for (let k = 0; k < preCount; k++) this.onPreSpike(preSpiked[k]!, step);
    for (let k = 0; k < postCount; k++) this.onPostSpike(postSpiked[k]!, step);
  }

  /** Monitor hook (end of step): this step's spikes of the watched source and target. */
  record(step: number): void {
    const src = this.source;
    const tgt = this.target;
    if (src === null || tgt === null)
      throw new Error("ActivityCriterion.record needs a criterion built with ActivityCriterion.watching");
    this.update(step, src.spiked, src.spikeCount, tgt.spiked, tgt.spikeCount);
  }

  reserve(_steps: number): void {}

  /**
   * Synapse s carried a signal at `step` (a routed message, say): its score
   * gains `amount` (default 1), as a coincident pre and post spike would.
   */
  use(s: number, step: number, amount = 1): void {
    this.add(s, amount, step);
  }

  private add(s: number, amount: number, step: number): void {
    const c = this.score[s]!;
    const age = step - this.scoreStep[s]!;
    this.score[s] = (c === 0 || age === 0 ? c : c * Math.exp(-age * this.rate)) + amount;
    this.scoreStep[s] = step;
  }

  /** Score of synapse s at `step`. */
  scoreAt(s: number, step: number): number {
    const c = this.score[s]!;
    if (c === 0) return 0;
    return c * Math.exp(-(step - this.scoreStep[s]!) * this.rate);
  }

  /**
   * Marks the `count` live synapses with the lowest score at `step` dead
   * (ties by synapse index, or drawn uniformly with `tieRng`); returns how many were marked.
   */
  prune(count: number, step: number, tieRng?: Rng): number {
    const m = this.matrix;
    const live = liveSynapses(m);
    const at = new Float64Array(m.count);
    for (let k = 0; k < live.length; k++) at[live[k]!] = this.scoreAt(live[k]!, step);
    const chosen = lowestK(live, at, count, tieRng);
    for (let k = 0; k < chosen.length; k++) m.markDead(chosen[k]!);
    return chosen.length;
  }

  /** Compacts the matrix and this criterion's per-synapse state together; returns the number removed. */
  compact(): number {
    const m = this.matrix;
    const n = m.count;
    let keep = 0;
    for (let s = 0; s < n; s++) if (!m.isDead(s)) keep++;
    if (keep === n) return m.compact();
    const score = new Float64Array(keep);
    const scoreStep = new Int32Array(keep);
    let k = 0;
    for (let s = 0; s < n; s++) {
      if (m.isDead(s)) continue;
      score[k] = this.score[s]!;
      scoreStep[k] = this.scoreStep[s]!;
      k++;
    }
    const removed = m.compact();
    this.score = score;
    this.scoreStep = scoreStep;
    this.columns = buildColumnIndex(m);
    return removed;
  }

  /**
   * The matrix's synapses changed between steps (compaction or regrowth done
   * by the caller): origin[s] is synapse s's index before, -1 for a new
   * synapse (score 0). The column index is rebuilt.
   */
  synapsesChanged(origin: Int32Array): void {
    const score = new Float64Array(origin.length);
    const scoreStep = new Int32Array(origin.length);
    for (let s = 0; s < origin.length; s++) {
      const o = origin[s]!;
      if (o < 0) continue;
      score[s] = this.score[o]!;
      scoreStep[s] = this.scoreStep[o]!;
    }
    this.score = score;
    this.scoreStep = scoreStep;
    this.columns = buildColumnIndex(this.matrix);
  }

  /** Forgets all scores and traces. */
  reset(): void {
    this.score.fill(0);
    this.scoreStep.fill(0);
    this.pre.reset();
    this.post.reset();
  }
}
