/**
 * The protocol of a recurrent cell, and the machinery the three cells share.
 *
 * A cell runs over a whole time-major sequence at once (xs[t][b][f]) and keeps
 * every step's activations in buffers sized once for `maxSteps × maxBatch`, so
 * that backpropagation through time needs no allocation:
 *
 *   forward:  A = Xs · W_x + b            one matmul for all steps together
 *             for t = 0..T-1:
 *               A_t += H_{t-1} · W_h (+ b_h)  one matmul per step, all gates fused
 *               h_t = cellStep(A_t, state)    element-wise, cell specific
 *   backward: for t = T-1..0:
 *               dA_t, dh_{t-1} (direct part) = cellStepBackward(dh_t)
 *               dh_{t-1} += dA^h_t · W_hᵀ
 *             dW_x += Xsᵀ · dA,  dW_h += H_{0..T-1}ᵀ · dA^h,  db += Σ dA,
 *             dXs = dA · W_xᵀ                 one matmul each, over all steps
 *
 * The input and recurrent weights live in one fused parameter W of shape
 * [(features + hidden) × gates·hidden]: rows 0..F-1 are W_x, rows F..F+H-1 are
 * W_h (both contiguous sub-arrays), columns are gate blocks of `hidden` each.
 *
 * Kernels: the input-side products go through core/kernels.ts, which skip the
 * zero inputs (blank pixels); the dense recurrent products go through the
 * register-blocked `gemmNT` (A·Bᵀ), for which W_h, H and dA are transposed
 * once per batch into preallocated buffers.
 */
import { addRowVector, matmul, matmulTransA, matmulTransB, sumRows } from "../../core/kernels.js";
import type { Rng } from "../../core/rng.js";
import type { Param } from "../layer.js";
import { gemmNT, transpose } from "./gemm.js";

export type CellKind = "rnn" | "lstm" | "gru";

export interface RecurrentCell {
  readonly kind: CellKind;
  readonly features: number;
  readonly hidden: number;
  readonly maxBatch: number;
  readonly maxSteps: number;
  /** Width of the fused pre-activation per sample (gates × hidden). */
  readonly gateSize: number;
  params(): readonly Param[];
  /**
   * Runs `steps` steps over the time-major input xs [steps × batch × features].
   * Returns the hidden states hs [(steps + 1) × batch × hidden], hs[0] = h_0 = 0.
   */
  forward(xs: Float32Array, steps: number, batch: number): Float32Array;
  /**
   * Backpropagation through time after `forward`. `dhs` is dLoss/dh_t arriving
   * from outside the cell: time-major [steps × batch × hidden] for t = 1..T, or,
   * when `lastOnly`, just [batch × hidden] for h_T. Accumulates parameter
   * gradients; writes dLoss/dxs (time-major) into `dxs` unless it is null.
   */
  backward(dhs: Float32Array, lastOnly: boolean, steps: number, batch: number, dxs: Float32Array | null): void;
}

export interface CellOptions {
  features: number;
  hidden: number;
  maxBatch: number;
  maxSteps: number;
}

/**
 * Fills an n×n block (row stride `stride`, starting at `offset`) of `w` with a
 * random orthogonal matrix (Saxe et al. 2014): Gram-Schmidt on Gaussian rows.
 */
export function orthogonalBlock(w: Float32Array, offset: number, stride: number, n: number, rng: Rng): void {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) q[i] = rng.normal();
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const rk = k * n;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += q[ri + j]! * q[rk + j]!;
      for (let j = 0; j < n; j++) q[ri + j]! -= dot * q[rk + j]!;
    }
    let norm = 0;
    for (let j = 0; j < n; j++) norm += q[ri + j]! * q[ri + j]!;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < n; j++) {
      q[ri + j]! /= norm;
      w[offset + i * stride + j] = q[ri + j]!;
    }
  }
}

/**
 * The shared body of the three cells: fused weights, the buffers for BPTT and
 * the matrix products. A subclass supplies the element-wise step and its
 * derivative, and says whether it needs the recurrent pre-activation apart
 * from the input one (the GRU's candidate gate does).
 */
export abstract class FusedCell implements RecurrentCell {
  abstract readonly kind: CellKind;
  readonly features: number;
  readonly hidden: number;
  readonly maxBatch: number;
  readonly maxSteps: number;
  readonly gateSize: number;
  /** Fused [W_x; W_h], shape [(features + hidden) × gateSize]. */
  readonly weight: Param;
  /** Input-side bias, [gateSize]. */
  readonly bias: Param;
  /** Recurrent-side bias [gateSize], only for cells that keep A^h apart (GRU). */
  readonly hiddenBias: Param | null;

  /** Gate pre-activations, then (in place) activations: [maxSteps × maxBatch × gateSize]. */
  protected readonly gates: Float32Array;
  /** Recurrent pre-activations H_{t-1}·W_h + b_h, when kept apart; else empty. */
  protected readonly hiddenGates: Float32Array;
  /** dLoss/dA (input side): [maxSteps × maxBatch × gateSize]. */
  protected readonly dGates: Float32Array;
  /** dLoss/dA^h (recurrent side) when it differs from dGates; else the same buffer. */
  protected readonly dHiddenGates: Float32Array;
  /** h_0..h_T: [(maxSteps + 1) × maxBatch × hidden]. */
  protected readonly hs: Float32Array;
  /** dLoss/dh_t for the step being processed, and the one being built for t-1. */
  private dh: Float32Array;
  private dhPrev: Float32Array;
  private xs: Float32Array | null = null;
  /** W_hᵀ [gateSize × hidden], refreshed at each forward. */
  private readonly whT: Float32Array;
  /** H_{0..T-1}ᵀ [hidden × steps·batch] and dA^hᵀ [gateSize × steps·batch] for dW_h. */
  private readonly hsT: Float32Array;
  private readonly dAhT: Float32Array;

  protected constructor(o: CellOptions, gates: number, separateHidden: boolean) {
    this.features = o.features;
    this.hidden = o.hidden;
    this.maxBatch = o.maxBatch;
    this.maxSteps = o.maxSteps;
    const g = gates * o.hidden;
    this.gateSize = g;
    const rows = o.features + o.hidden;
    this.weight = { name: "W", value: new Float32Array(rows * g), grad: new Float32Array(rows * g), decay: true };
    this.bias = { name: "b", value: new Float32Array(g), grad: new Float32Array(g), decay: false };
    this.hiddenBias = separateHidden
      ? { name: "b_h", value: new Float32Array(g), grad: new Float32Array(g), decay: false }
      : null;
    const n = o.maxSteps * o.maxBatch * g;
    this.gates = new Float32Array(n);
    this.hiddenGates = new Float32Array(separateHidden ? n : 0);
    this.dGates = new Float32Array(n);
    this.dHiddenGates = separateHidden ? new Float32Array(n) : this.dGates;
    this.hs = new Float32Array((o.maxSteps + 1) * o.maxBatch * o.hidden);
    this.dh = new Float32Array(o.maxBatch * o.hidden);
    this.dhPrev = new Float32Array(o.maxBatch * o.hidden);
    this.whT = new Float32Array(o.hidden * g);
    this.hsT = new Float32Array(o.hidden * o.maxSteps * o.maxBatch);
    this.dAhT = new Float32Array(n);
  }

  /**
   * Glorot-uniform input weights (fan-in F, fan-out gateSize, as Keras) and an
   * orthogonal H×H block per gate for the recurrent weights.
   */
  protected initWeights(rng: Rng): void {
    const w = this.weight.value;
    const g = this.gateSize;
    const f = this.features;
    const limit = Math.sqrt(6 / (f + g));
    const init = rng.fork("input");
    for (let i = 0; i < f * g; i++) w[i] = init.uniform(-limit, limit);
    const rec = rng.fork("recurrent");
    for (let k = 0; k < g / this.hidden; k++) orthogonalBlock(w, f * g + k * this.hidden, g, this.hidden, rec);
  }

  params(): readonly Param[] {
    return this.hiddenBias === null ? [this.weight, this.bias] : [this.weight, this.bias, this.hiddenBias];
  }

  /** A^x_t (+ A^h_t unless kept apart) → activations in place, and hs[t+1]. */
  protected abstract stepForward(t: number, batch: number): void;
  /**
   * From dh (dLoss/dh_{t+1} in hs numbering, i.e. the output of step t), writes
   * dGates[t] (and dHiddenGates[t] when apart) and sets dhPrev to the part of
   * dLoss/dh_t that does not pass through W_h (zero for LSTM and RNN).
   */
  protected abstract stepBackward(t: number, batch: number, dh: Float32Array, dhPrev: Float32Array): void;
  /** Resets cell-specific carried gradients (the LSTM's dc) before BPTT. */
  protected beginBackward(_batch: number): void {}

  forward(xs: Float32Array, steps: number, batch: number): Float32Array {
    this.xs = xs;
    const f = this.features;
    const h = this.hidden;
    const g = this.gateSize;
    const w = this.weight.value;
    const wh = w.subarray(f * g);
    const gates = this.gates;
    // Input projection for every step at once: [steps·batch × F]·[F × G].
    matmul(xs, w, gates, steps * batch, f, g);
    addRowVector(gates, this.bias.value, steps * batch, g);
    this.hs.fill(0, 0, batch * h);
    const stepG = batch * g;
    const stepH = batch * h;
    const apart = this.hiddenBias !== null;
    const whT = this.whT;
    transpose(wh, whT, h, g);
    for (let t = 0; t < steps; t++) {
      const hPrev = this.hs.subarray(t * stepH, (t + 1) * stepH);
      if (apart) {
        const ah = this.hiddenGates.subarray(t * stepG, (t + 1) * stepG);
        gemmNT(hPrev, whT, ah, batch, h, g);
        addRowVector(ah, this.hiddenBias!.value, batch, g);
      } else {
        gemmNT(hPrev, whT, gates.subarray(t * stepG, (t + 1) * stepG), batch, h, g, true);
      }
      this.stepForward(t, batch);
    }
    return this.hs;
  }

  backward(dhs: Float32Array, lastOnly: boolean, steps: number, batch: number, dxs: Float32Array | null): void {
    const xs = this.xs;
    if (xs === null) throw new Error(`${this.kind} cell: backward called before forward`);
    const f = this.features;
    const h = this.hidden;
    const g = this.gateSize;
    const w = this.weight.value;
    const wh = w.subarray(f * g);
    const stepG = batch * g;
    const stepH = batch * h;
    const n = stepH;
    this.beginBackward(batch);
    let dh = this.dh;
    let dhPrev = this.dhPrev;
    if (lastOnly) dh.set(dhs.subarray(0, n));
    else dh.set(dhs.subarray((steps - 1) * n, steps * n));
    for (let t = steps - 1; t >= 0; t--) {
      this.stepBackward(t, batch, dh, dhPrev);
      if (t > 0) {
        // dh_{t-1} += dA^h_t · W_hᵀ, plus the outside gradient at h_{t-1}.
        gemmNT(this.dHiddenGates.subarray(t * stepG, (t + 1) * stepG), wh, dhPrev, batch, g, h, true);
        if (!lastOnly) {
          const o = (t - 1) * n;
          for (let i = 0; i < n; i++) dhPrev[i]! += dhs[o + i]!;
        }
      }
      const tmp = dh;
      dh = dhPrev;
      dhPrev = tmp;
    }
    this.dh = dh;
    this.dhPrev = dhPrev;
    const rows = steps * batch;
    const dA = this.dGates;
    const dAh = this.dHiddenGates;
    const gw = this.weight.grad;
    // dW_x += Xsᵀ·dA over all steps; dW_h += H_{0..T-1}ᵀ·dA^h.
    matmulTransA(xs, dA, gw, f, rows, g, true);
    transpose(this.hs, this.hsT, rows, h);
    transpose(dAh, this.dAhT, rows, g);
    gemmNT(this.hsT, this.dAhT, gw.subarray(f * g), h, rows, g, true);
    sumRows(dA, this.bias.grad, rows, g, true);
    if (this.hiddenBias !== null) sumRows(dAh, this.hiddenBias.grad, rows, g, true);
    if (dxs !== null) matmulTransB(dA, w, dxs, rows, g, f);
  }
}
