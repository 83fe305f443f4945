/**
 * Synaptic normalisation (homeostasis): each postsynaptic neuron's input
 * weights are rescaled multiplicatively so that they sum to a fixed total
 * (Diehl & Cook 2015: 78 over 784 inputs, applied before every image).
 *
 *   w_ij ← w_ij · S / Σ_i w_ij
 *
 * With an upper bound wMax the plain rescale can push a weight above wMax when
 * most of a column is near zero. Then the bounded weights are held at wMax and
 * the rest are rescaled again to make up the difference (water filling), so
 * the result is both bounded and exactly on target whenever S ≤ nPre·wMax.
 * A column whose weights are all zero is left alone (there is nothing to scale).
 *
 * Two layouts: a dense row-major matrix w[pre·nPost + post] (all-to-all
 * layers) and a CSR SynapseMatrix (sums per target). On a CSR matrix,
 * `CsrColumnNormalizer` does what the dense one does, in the same order of
 * operations (each column summed in presynaptic order in float64, the scale
 * kept in float32, water filling of every column once any weight crossed
 * wMax), so an all-to-all CSR matrix comes out bit for bit as the dense one;
 * `normalizeCsrIncoming` clips instead of water filling.
 */
import type { SynapseMatrix } from "../snn/synapses/csr.js";
import { buildColumnIndex, type ColumnIndex } from "./column-index.js";

export interface NormalizationParams {
  /** The sum each postsynaptic neuron's input weights are rescaled to. */
  targetSum: number;
  /** Upper weight bound kept after rescaling (Infinity: none). */
  wMax?: number;
}

/** Normalises the columns (postsynaptic neurons) of a dense row-major matrix; buffers allocated once. */
export class DenseColumnNormalizer {
  readonly nPre: number;
  readonly nPost: number;
  readonly targetSum: number;
  readonly wMax: number;
  private readonly sums: Float64Array;
  private readonly scale: Float32Array;

  constructor(nPre: number, nPost: number, params: NormalizationParams) {
    if (!(params.targetSum > 0)) throw new RangeError(`targetSum must be > 0, got ${params.targetSum}`);
    this.nPre = nPre;
    this.nPost = nPost;
    this.targetSum = params.targetSum;
    this.wMax = params.wMax ?? Infinity;
    this.sums = new Float64Array(nPost);
    this.scale = new Float32Array(nPost);
  }

  private columns: Int32Array | null = null;

  /** Rescales every column of `w` in place to sum to targetSum (see the file comment). */
  apply(w: Float32Array): void {
    const { nPre, nPost, sums, scale, targetSum, wMax } = this;
    sums.fill(0);
    for (let i = 0; i < nPre; i++) {
      const row = i * nPost;
      for (let j = 0; j < nPost; j++) sums[j]! += w[row + j]!;
    }
    for (let j = 0; j < nPost; j++) scale[j] = sums[j]! > 0 ? targetSum / sums[j]! : 1;
    let over = false;
    for (let i = 0; i < nPre; i++) {
      const row = i * nPost;
      for (let j = 0; j < nPost; j++) {
        const v = w[row + j]! * scale[j]!;
        w[row + j] = v;
        if (v > wMax) over = true;
      }
    }
    if (!over) return;
    // Column j's positions j, j + nPost, ... as an index list (built once, only if ever needed).
    if (this.columns === null) {
      this.columns = new Int32Array(nPre * nPost);
      for (let j = 0; j < nPost; j++) for (let i = 0; i < nPre; i++) this.columns[j * nPre + i] = i * nPost + j;
    }
    for (let j = 0; j < nPost; j++) waterFill(w, this.columns, j * nPre, (j + 1) * nPre, targetSum, wMax);
  }

  /** Sum of column j (for checks). */
  columnSum(w: Float32Array, j: number): number {
    let s = 0;
    for (let i = 0; i < this.nPre; i++) s += w[i * this.nPost + j]!;
    return s;
  }
}

/**
 * Rescales the weights w[idx[k]], k in [start, end), so they sum to `target`
 * with none above wMax: saturated ones are pinned at wMax and the free ones
 * rescaled to carry the remainder, until none crosses (at most end − start
 * rounds). When the target exceeds what the weights can hold (all at wMax, as
 * in a column pruned to fewer than target / wMax synapses), all are held at wMax. The index list serves a dense column (positions j, j + nPost, ...)
 * and a Diehl & Cook neuron's live synapses alike.
 */
export function waterFill(
  w: Float32Array,
  idx: Int32Array,
  start: number,
  end: number,
  target: number,
  wMax: number,
): void {
  for (let round = start; round < end; round++) {
    let pinned = 0;
    let free = 0;
    for (let k = start; k < end; k++) {
      const v = w[idx[k]!]!;
      if (v >= wMax) pinned += wMax;
      else free += v;
    }
    if (free <= 0) {
      // Nothing is free to carry the rest: the range is all zeros (nothing to scale), or every weight is
      // at or above wMax (the target is out of reach) and each is held at wMax.
      for (let k = start; k < end; k++) if (w[idx[k]!]! > wMax) w[idx[k]!] = wMax;
      return;
    }
    const f = (target - pinned) / free;
    let crossed = false;
    for (let k = start; k < end; k++) {
      const s = idx[k]!;
      const v = w[s]!;
      if (v >= wMax) {
        w[s] = wMax;
        continue;
      }
      const nv = v * f;
      if (nv >= wMax) {
        w[s] = wMax;
        crossed = true;
      } else {
        w[s] = nv;
      }
    }
    if (!crossed) return;
  }
}

/**
 * Normalises each target's incoming weights of a CSR matrix to targetSum,
 * bounded by wMax with water filling (see the file comment); buffers and the
 * column index are built once, and again by `rebuild()` after the matrix's
 * synapses changed (pruning, regrowth).
 */
export class CsrColumnNormalizer {
  readonly matrix: SynapseMatrix;
  readonly targetSum: number;
  readonly wMax: number;
  private columns: ColumnIndex;
  private readonly scale: Float32Array;
  private readonly sums: Float64Array;

  constructor(matrix: SynapseMatrix, params: NormalizationParams) {
    if (!(params.targetSum > 0)) throw new RangeError(`targetSum must be > 0, got ${params.targetSum}`);
    this.matrix = matrix;
    this.targetSum = params.targetSum;
    this.wMax = params.wMax ?? Infinity;
    this.columns = buildColumnIndex(matrix);
    this.scale = new Float32Array(matrix.nPost);
    this.sums = new Float64Array(matrix.nPost);
  }

  /** Rebuilds the column index after synapses were removed or added. */
  rebuild(): void {
    this.columns = buildColumnIndex(this.matrix);
  }

  /**
   * Rescales every target's incoming weights in place to sum to targetSum.
   * The passes run in CSR order (sequential memory); each target's sum still
   * adds its synapses in presynaptic order, as the column index lists them.
   */
  apply(): void {
    const m = this.matrix;
    const { rowPtr, target } = m;
    const w = m.weight;
    const n = rowPtr[m.nPre]!;
    const { scale, sums, targetSum, wMax } = this;
    sums.fill(0);
    for (let s = 0; s < n; s++) sums[target[s]!]! += w[s]!;
    for (let j = 0; j < m.nPost; j++) scale[j] = sums[j]! > 0 ? targetSum / sums[j]! : 1;
    let over = false;
    for (let s = 0; s < n; s++) {
      const v = w[s]! * scale[target[s]!]!;
      w[s] = v;
      if (v > wMax) over = true;
    }
    if (!over) return;
    const { colPtr, colSyn } = this.columns;
    for (let j = 0; j < m.nPost; j++) waterFill(w, colSyn, colPtr[j]!, colPtr[j + 1]!, targetSum, wMax);
  }

  /** Sum of target j's incoming weights (for checks). */
  columnSum(j: number): number {
    const { colPtr, colSyn } = this.columns;
    let s = 0;
    for (let k = colPtr[j]!; k < colPtr[j + 1]!; k++) s += this.matrix.weight[colSyn[k]!]!;
    return s;
  }
}

/**
 * Normalises the incoming weights of every target of a CSR matrix to `targetSum`.
 * A weight the rescale pushes above wMax is clipped (that column's sum then falls short).
 */
export function normalizeCsrIncoming(m: SynapseMatrix, params: NormalizationParams, sumsBuffer?: Float64Array): void {
  const sums = sumsBuffer ?? new Float64Array(m.nPost);
  sums.fill(0);
  const t = m.target;
  const w = m.weight;
  const n = m.count;
  for (let s = 0; s < n; s++) sums[t[s]!]! += w[s]!;
  const wMax = params.wMax ?? Infinity;
  for (let j = 0; j < m.nPost; j++) sums[j] = sums[j]! > 0 ? params.targetSum / sums[j]! : 1;
  for (let s = 0; s < n; s++) {
    const v = w[s]! * sums[t[s]!]!;
    w[s] = v > wMax ? wMax : v;
  }
}
