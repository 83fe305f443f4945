/**
 * The protocol of a recurrent cell, and the machinery the three cells share.
 *
 * A cell runs over a whole time-major sequence at once (xs[t][b][f]) and keeps
 * every step's activations in buffers sized once for `maxSteps × maxBatch`, so
 * that backpropagation through time needs no allocation:
 *
 *   forward:  A = Xs · W_x + b (+ b_hh)   one matmul for all steps together
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
 * Kernels: every product runs through `GemmArena.gemm` (C = A·B, the dense
 * tiling of the WebAssembly SIMD product of core/simd-gemm.ts where available
 * and the width is a multiple of 16, JavaScript otherwise), so its operands live in the cell's arena: the time-major input,
 * a copy of W refreshed at each forward, the activations, the gradients with
 * respect to the pre-activations, and the transposes the weight gradients need.
 * The input gradient dXs = dA·W_xᵀ (features rarely a multiple of 16) uses
 * core/kernels.ts. The LSTM's and GRU's element-wise forward steps (sigmoid,
 * tanh) also run in SIMD when hidden % 4 = 0; their backward steps, which need
 * no transcendental functions, stay in JavaScript.
 */
import { matmulTransB } from "../../core/kernels.js";
import type { Rng } from "../../core/rng.js";
import type { Param } from "../layer.js";
import { GemmArena, transpose } from "./simd-kernels.js";

/**
 * The recurrent cells: a simple (Elman) RNN with tanh, an LSTM (Hochreiter & Schmidhuber 1997) or a GRU (Cho et al. 2014).
 */
export type CellKind = "rnn" | "lstm" | "gru";

export interface RecurrentCell {
  readonly kind: CellKind;
  readonly features: number;
  readonly hidden: number;
  readonly maxBatch: number;
  readonly maxSteps: number;
  /** Width of the fused pre-activation per sample (gates × hidden). */
  readonly gateSize: number;
  /** Whether the matrix products run in WebAssembly SIMD. */
  readonly simd: boolean;
  /** Whether the element-wise step (gates, state) runs in WebAssembly SIMD. */
  readonly simdStep: boolean;
  params(): readonly Param[];
  /**
   * Where a caller may write the time-major input [maxSteps × maxBatch ×
   * features] before `forward(cell.input, ...)`, saving a copy.
   */
  readonly input: Float32Array;
  /**
   * Runs `steps` steps over the time-major input xs [steps × batch × features]
   * (`input` itself, or any array, which is then copied into `input`).
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

/**
 * How a cell's parameters start:
 *   "pytorch" (torch.nn.LSTM/GRU/RNN): every weight and bias U(±1/√hidden), with
 *             two bias vectors per gate, b_ih and b_hh, as PyTorch keeps them (each
 *             gets the same gradient, so their sum moves twice as far per step);
 *   "keras"   (Keras' LSTM/GRU/SimpleRNN defaults): Glorot-uniform input weights
 *             (fan-in features, fan-out gates × hidden), an orthogonal hidden × hidden
 *             block per gate for the recurrent weights (Saxe et al. 2014), biases
 *             zero except the LSTM's forget gate at 1 (Jozefowicz et al. 2015).
 */
export type RecurrentInit = "pytorch" | "keras";

export interface CellOptions {
  features: number;
  hidden: number;
  maxBatch: number;
  maxSteps: number;
  /** Use the WebAssembly SIMD product where available (default true). */
  simd?: boolean;
  /** Parameter initialisation (default "pytorch"). */
  init?: RecurrentInit;
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
  abstract readonly simdStep: boolean;
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
  /**
   * PyTorch's second bias b_hh [gateSize] for cells that add A^h into A (LSTM,
   * RNN) under init "pytorch": it enters the gates beside `bias`; null otherwise.
   */
  readonly pairedBias: Param | null;
  readonly init: RecurrentInit;

  readonly input: Float32Array;
  /** The buffers below are views of this arena, which also runs the products. */
  protected readonly arena: GemmArena;
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
  /** Arena copy of W, refreshed at each forward, its W_h rows; W_hᵀ [gateSize × hidden] for backward. */
  private readonly w: Float32Array;
  private readonly wh: Float32Array;
  private readonly whT: Float32Array;
  /**
   * Xsᵀ with a row of ones below [(features + 1) × steps·batch] (the ones
   * give db = Σ dA in the same product as dW_x), and H_{0..T-1}ᵀ
   * [hidden × steps·batch], for dW.
   */
  private readonly xsT: Float32Array;
  private readonly hsT: Float32Array;
  /** One batch's [dW_x; db; dW_h], (features + 1 + hidden) × gateSize, added to the gradients. */
  private readonly dW: Float32Array;
  /** bias + pairedBias, refreshed at each forward (when paired). */
  private readonly biasSum: Float32Array;
  private ready = false;

  /** `extraFloats`: room in the arena for the subclass's own buffers. */
  protected constructor(o: CellOptions, gates: number, separateHidden: boolean, extraFloats = 0) {
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
    this.init = o.init ?? "pytorch";
    this.pairedBias =
      this.init === "pytorch" && !separateHidden
        ? { name: "b_hh", value: new Float32Array(g), grad: new Float32Array(g), decay: false }
        : null;
    this.biasSum = new Float32Array(this.pairedBias !== null ? g : 0);
    const n = o.maxSteps * o.maxBatch * g;
    const sb = o.maxSteps * o.maxBatch;
    const hsSize = (o.maxSteps + 1) * o.maxBatch * o.hidden;
    const total =
      sb * (2 * o.features + 1) +
      n * (separateHidden ? 4 : 2) +
      hsSize +
      2 * o.maxBatch * o.hidden +
      (2 * rows + 1) * g +
      o.hidden * g +
      sb * o.hidden +
      extraFloats +
      128;
    const arena = new GemmArena(total, o.simd ?? true);
    this.arena = arena;
    this.input = arena.alloc(sb * o.features);
    this.gates = arena.alloc(n);
    this.hiddenGates = arena.alloc(separateHidden ? n : 0);
    this.dGates = arena.alloc(n);
    this.dHiddenGates = separateHidden ? arena.alloc(n) : this.dGates;
    this.hs = arena.alloc(hsSize);
    this.dh = arena.alloc(o.maxBatch * o.hidden);
    this.dhPrev = arena.alloc(o.maxBatch * o.hidden);
    this.w = arena.alloc(rows * g);
    this.wh = this.w.subarray(o.features * g);
    this.whT = arena.alloc(o.hidden * g);
    this.xsT = arena.alloc(sb * (o.features + 1));
    this.hsT = arena.alloc(sb * o.hidden);
    this.dW = arena.alloc((rows + 1) * g);
  }

  /** Initialises every parameter as `init` says (see RecurrentInit); the biases start at zero under "keras". */
  protected initWeights(rng: Rng): void {
    const w = this.weight.value;
    const g = this.gateSize;
    const f = this.features;
    if (this.init === "pytorch") {
      const bound = 1 / Math.sqrt(this.hidden);
      rng.fork("W").fillUniform(w, -bound, bound);
      rng.fork("b").fillUniform(this.bias.value, -bound, bound);
      if (this.hiddenBias !== null) rng.fork("b_h").fillUniform(this.hiddenBias.value, -bound, bound);
      if (this.pairedBias !== null) rng.fork("b_hh").fillUniform(this.pairedBias.value, -bound, bound);
      return;
    }
    const limit = Math.sqrt(6 / (f + g));
    const init = rng.fork("input");
    for (let i = 0; i < f * g; i++) w[i] = init.uniform(-limit, limit);
    const rec = rng.fork("recurrent");
    for (let k = 0; k < g / this.hidden; k++) orthogonalBlock(w, f * g + k * this.hidden, g, this.hidden, rec);
  }

  params(): readonly Param[] {
    const out = [this.weight, this.bias];
    if (this.hiddenBias !== null) out.push(this.hiddenBias);
    if (this.pairedBias !== null) out.push(this.pairedBias);
    return out;
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

  /** Whether the products run in WebAssembly SIMD. */
  get simd(): boolean {
    return this.arena.simd;
  }

  forward(xs: Float32Array, steps: number, batch: number): Float32Array {
    const f = this.features;
    const h = this.hidden;
    const g = this.gateSize;
    const rows = steps * batch;
    const x = this.input;
    if (xs !== x) x.set(xs.subarray(0, rows * f));
    const w = this.w;
    w.set(this.weight.value);
    const gates = this.gates;
    const arena = this.arena;
    // Input projection for every step at once, onto the bias: b + [steps·batch × F]·[F × G].
    let bias = this.bias.value;
    if (this.pairedBias !== null) {
      const sum = this.biasSum;
      const bhh = this.pairedBias.value;
      for (let j = 0; j < g; j++) sum[j] = bias[j]! + bhh[j]!;
      bias = sum;
    }
    fillRows(gates, 0, bias, rows, g);
    arena.gemm(x, 0, w, 0, gates, 0, rows, f, g, true);
    const hs = this.hs;
    hs.fill(0, 0, batch * h);
    const stepG = batch * g;
    const stepH = batch * h;
    const bh = this.hiddenBias === null ? null : this.hiddenBias.value;
    const ah = this.hiddenGates;
    const whOff = f * g;
    for (let t = 0; t < steps; t++) {
      if (bh !== null) {
        fillRows(ah, t * stepG, bh, batch, g);
        arena.gemm(hs, t * stepH, w, whOff, ah, t * stepG, batch, h, g, true);
      } else {
        arena.gemm(hs, t * stepH, w, whOff, gates, t * stepG, batch, h, g, true);
      }
      this.stepForward(t, batch);
    }
    this.ready = true;
    return this.hs;
  }

  backward(dhs: Float32Array, lastOnly: boolean, steps: number, batch: number, dxs: Float32Array | null): void {
    if (!this.ready) throw new Error(`${this.kind} cell: backward called before forward`);
    const f = this.features;
    const h = this.hidden;
    const g = this.gateSize;
    const arena = this.arena;
    const whT = this.whT;
    transpose(this.wh, whT, h, g);
    const stepG = batch * g;
    const n = batch * h;
    this.beginBackward(batch);
    let dh = this.dh;
    let dhPrev = this.dhPrev;
    const dhsOff = lastOnly ? 0 : (steps - 1) * n;
    for (let i = 0; i < n; i++) dh[i] = dhs[dhsOff + i]!;
    for (let t = steps - 1; t >= 0; t--) {
      this.stepBackward(t, batch, dh, dhPrev);
      if (t > 0) {
        // dh_{t-1} += dA^h_t · W_hᵀ, plus the outside gradient at h_{t-1}.
        arena.gemm(this.dHiddenGates, t * stepG, whT, 0, dhPrev, 0, batch, g, h, true);
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
    // [dW_x; db] = [Xs 1]ᵀ·dA and dW_h = H_{0..T-1}ᵀ·dA^h over all steps, into dW,
    // then into the gradients.
    const dW = this.dW;
    const xsT = this.xsT;
    transpose(this.input, xsT, rows, f);
    xsT.fill(1, f * rows, (f + 1) * rows);
    transpose(this.hs, this.hsT, rows, h);
    arena.gemm(xsT, 0, dA, 0, dW, 0, f + 1, rows, g, false);
    arena.gemm(this.hsT, 0, dAh, 0, dW, (f + 1) * g, h, rows, g, false);
    const gw = this.weight.grad;
    const fg = f * g;
    for (let i = 0; i < fg; i++) gw[i]! += dW[i]!;
    const gb = this.bias.grad;
    for (let j = 0; j < g; j++) gb[j]! += dW[fg + j]!;
    if (this.pairedBias !== null) {
      const gbhh = this.pairedBias.grad;
      for (let j = 0; j < g; j++) gbhh[j]! += dW[fg + j]!;
    }
    for (let i = fg, end = gw.length; i < end; i++) gw[i]! += dW[i + g]!;
    if (this.hiddenBias !== null) {
      const gbh = this.hiddenBias.grad;
      for (let r = 0, end = rows * g; r < end; r += g) {
        for (let j = 0; j < g; j++) gbh[j]! += dAh[r + j]!;
      }
    }
    if (dxs !== null) matmulTransB(dA, this.w, dxs, rows, g, f);
  }
}

/** buf[off + r·n .. +n) = row (of length n) for r < rows, by doubling copies (no allocation). */
function fillRows(buf: Float32Array, off: number, row: Float32Array, rows: number, n: number): void {
  buf.set(row, off);
  const total = rows * n;
  let filled = n;
  while (filled < total) {
    const len = Math.min(filled, total - filled);
    buf.copyWithin(off + filled, off, off + len);
    filled += len;
  }
}
