/**
 * Synapses stored as compressed sparse rows by presynaptic neuron: the
 * synapses of source neuron i are s = rowPtr[i] .. rowPtr[i+1]-1, each with a
 * target index, a weight and (optionally) an integer delay in steps. A spike
 * of neuron i walks exactly one row.
 *
 * Pruning never splices inside a step: it marks synapses dead (`markDead`, or
 * a NaN weight) and calls `compact()` between epochs, which drops them and
 * keeps every survivor's order, target, weight and delay.
 */

/** The CSR part of a SynapseMatrix (which satisfies it). */
export interface CsrConnectivity {
  readonly nPre: number;
  readonly nPost: number;
  readonly rowPtr: Int32Array;
  readonly target: Int32Array;
  /** Whether synapse s is marked dead (pruned but not yet compacted away). */
  isDead?(s: number): boolean;
}

/**
 * Synapses stored by presynaptic neuron (CSR): row pointers, targets, weights and delays; pruning marks synapses dead, `compact()` removes them.
 */
export class SynapseMatrix {
  readonly nPre: number;
  readonly nPost: number;
  /** Length nPre + 1; row i is [rowPtr[i], rowPtr[i+1]). */
  rowPtr: Int32Array;
  /** Postsynaptic index per synapse. */
  target: Int32Array;
  /** Weight per synapse, in the units of the target variable (mV for v, ge, gi). */
  weight: Float32Array;
  /** Per-synapse delay in steps, or null when every synapse has `uniformDelaySteps`. */
  delay: Uint16Array | null;
  /** The delay of every synapse when `delay` is null. */
  uniformDelaySteps: number;
  /** Dead flags set by `markDead`; allocated on first use. */
  private dead: Uint8Array | null = null;

  constructor(
    nPre: number,
    nPost: number,
    rowPtr: Int32Array,
    target: Int32Array,
    weight: Float32Array,
    delay: Uint16Array | null = null,
    uniformDelaySteps = 0,
  ) {
    if (rowPtr.length !== nPre + 1)
      throw new RangeError(`rowPtr must have nPre + 1 = ${nPre + 1} entries, got ${rowPtr.length}`);
    const n = rowPtr[nPre]!;
    if (target.length !== n || weight.length !== n) {
      throw new RangeError(`target and weight must have ${n} entries, got ${target.length} and ${weight.length}`);
    }
    if (delay !== null && delay.length !== n) throw new RangeError(`delay must have ${n} entries, got ${delay.length}`);
    if (!Number.isInteger(uniformDelaySteps) || uniformDelaySteps < 0 || uniformDelaySteps > 65535) {
      throw new RangeError(`uniformDelaySteps must be an integer in [0, 65535], got ${uniformDelaySteps}`);
    }
    this.nPre = nPre;
    this.nPost = nPost;
    this.rowPtr = rowPtr;
    this.target = target;
    this.weight = weight;
    this.delay = delay;
    this.uniformDelaySteps = uniformDelaySteps;
  }

  /** Number of stored synapses (dead ones included until `compact`). */
  get count(): number {
    return this.rowPtr[this.nPre]!;
  }

  /** The largest delay in steps (fixed at build; the ring buffer is sized by it). */
  maxDelaySteps(): number {
    if (this.delay === null) return this.uniformDelaySteps;
    let m = 0;
    const d = this.delay;
    for (let s = 0; s < d.length; s++) if (d[s]! > m) m = d[s]!;
    return m;
  }

  /** Out-degree of source neuron i. */
  outDegree(i: number): number {
    return this.rowPtr[i + 1]! - this.rowPtr[i]!;
  }

  /** In-degree of every target neuron (a new array). */
  inDegrees(): Int32Array {
    const deg = new Int32Array(this.nPost);
    const t = this.target;
    for (let s = 0; s < t.length; s++) deg[t[s]!]!++;
    return deg;
  }

  /** Source index per synapse (a new array; the CSR stores it implicitly). */
  sources(): Int32Array {
    const src = new Int32Array(this.count);
    for (let i = 0; i < this.nPre; i++) src.fill(i, this.rowPtr[i]!, this.rowPtr[i + 1]!);
    return src;
  }

  /** Marks synapse s for removal at the next `compact()`; its weight becomes 0 so it is inert until then. */
  markDead(s: number): void {
    if (this.dead === null) this.dead = new Uint8Array(this.count);
    this.dead[s] = 1;
    this.weight[s] = 0;
  }

  /** Whether synapse s is marked dead (flag or NaN weight). */
  isDead(s: number): boolean {
    return (this.dead !== null && this.dead[s] === 1) || Number.isNaN(this.weight[s]!);
  }

  /**
   * Drops synapses that are marked dead or whose weight is NaN; survivors keep
   * their order within each row, their target, weight and delay. Allocates the
   * trimmed arrays (call between epochs, never inside a step). Returns the
   * number of synapses removed.
   */
  compact(): number {
    const n = this.count;
    const dead = this.dead;
    const w = this.weight;
    let removed = 0;
    for (let s = 0; s < n; s++) if ((dead !== null && dead[s] === 1) || Number.isNaN(w[s])) removed++;
    if (removed === 0) {
      this.dead = null;
      return 0;
    }
    const m = n - removed;
    const rowPtr = new Int32Array(this.nPre + 1);
    const target = new Int32Array(m);
    const weight = new Float32Array(m);
    const delay = this.delay === null ? null : new Uint16Array(m);
    const oldT = this.target;
    const oldD = this.delay;
    let k = 0;
    for (let i = 0; i < this.nPre; i++) {
      const end = this.rowPtr[i + 1]!;
      for (let s = this.rowPtr[i]!; s < end; s++) {
        const ws = w[s]!;
        if ((dead !== null && dead[s] === 1) || Number.isNaN(ws)) continue;
        target[k] = oldT[s]!;
        weight[k] = ws;
        if (delay !== null) delay[k] = oldD![s]!;
        k++;
      }
      rowPtr[i + 1] = k;
    }
    this.rowPtr = rowPtr;
    this.target = target;
    this.weight = weight;
    this.delay = delay;
    this.dead = null;
    return removed;
  }

  /** Bytes held by the arrays (footprint metric). */
  bytes(): number {
    return (
      this.rowPtr.byteLength +
      this.target.byteLength +
      this.weight.byteLength +
      (this.delay === null ? 0 : this.delay.byteLength) +
      (this.dead === null ? 0 : this.dead.byteLength)
    );
  }
}
