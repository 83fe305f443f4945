/**
 * A layer of leaky integrate-and-fire neurons unrolled over T time steps and
 * trained by backpropagation through time with a surrogate spike derivative
 * (Neftci, Mostafa & Zenke 2019; the discrete model of snnTorch's `Leaky` and
 * norse's LIF box). Per step t = 0..T-1, per neuron, with U[-1] = s[-1] = 0:
 *
 *   I[t] = W·x[t] + b  (+ V·s[t-1] when recurrent)
 *   U[t] = β·U[t-1] + I[t] − θ·s[t-1]        reset "subtract" (default)
 *   U[t] = β·(1 − s[t-1])·U[t-1] + I[t]       reset "zero"
 *   s[t] = H(U[t] − θ)                         (H(0) = 0: a spike needs U > θ)
 *
 * The reset uses the previous step's spike, as snnTorch does, so s[t] is the
 * output of step t and U[t] the membrane that produced it. The time step is
 * dimensionless here; the learner reads one step as dtMs for firing rates.
 *
 * Backward. With g(x) the surrogate of surrogate.ts, gS[t] and gU[t] the
 * gradients arriving from outside (next layer, loss) and dU[T] = 0:
 *
 *   dS[t] = gS[t] (+ (dI[t+1]·Vᵀ) when recurrent)
 *           (− θ·dU[t+1]            subtract, only when the reset is not detached)
 *           (− β·U[t]·dU[t+1]       zero,     only when the reset is not detached)
 *   dU[t] = gU[t] + g(U[t] − θ)·dS[t] + β·dU[t+1]       (·(1 − s[t]) for reset "zero")
 *   dI[t] = dU[t];   dW += Σ_t x[t]ᵀ·dI[t],  db += Σ_t dI[t],  dV += Σ_t s[t-1]ᵀ·dI[t]
 *   dx[t] = dI[t]·Wᵀ
 *
 * `detachReset` (default true) drops the reset's dependence on the spike from
 * the gradient, as snnTorch does (its `SpikingNeuron.mem_reset` returns a
 * detached reset signal; Zenke & Vogels 2021 found this trains better): the
 * reset is treated as a constant input.
 *
 * Input modes. "sequence": x is time-major [T × batch × in] (Poisson spikes,
 * or the spikes of the layer below). "constant": x is [batch × in] and the
 * same every step (direct encoding of pixel intensities as input current):
 * W·x + b is then computed once per batch instead of T times, and the weight
 * gradient is xᵀ·Σ_t dI[t], again one product (exact, by linearity).
 *
 * Layout. All per-step buffers are time-major and compact for the batch at
 * hand: row t·batch + b, so one product covers every step at once (the
 * feed-forward input projection, the weight gradient, the input gradient);
 * only the recurrent product needs a call per step. The products run through
 * a SimdArena (core/kernels.ts: WebAssembly SIMD, zero entries of the left
 * operand skipped; spikes are mostly zeros) where the width allows: a narrow
 * layer (10 output neurons) multiplies by a copy of W padded to a multiple of
 * 4 columns; its weight gradient is a row-wise scatter over the non-zero
 * inputs (spike-kernels.ts). Every buffer is sized once for steps × maxBatch.
 * A constant-input, feed-forward layer sums dI over the steps inside the BPTT
 * loop instead of storing it.
 */
import { SimdArena, simdAvailable } from "../../core/kernels.js";
import type { Rng } from "../../core/rng.js";
import { initBias, initWeights, type InitName } from "../init.js";
import type { Param } from "../layer.js";
import { scatterOuterProduct, transposeInto } from "./spike-kernels.js";
import { surrogatePrimitive, type SurrogateName } from "./surrogate.js";

/** After a spike the membrane loses the threshold (`"subtract"`, snnTorch's default) or is set to zero (`"zero"`). */
export type ResetMode = "subtract" | "zero";
/**
 * The input is a different vector each step (`"sequence"`, time-major) or the same every step (`"constant"`, direct encoding).
 */
export type LifInputMode = "sequence" | "constant";

/** Shape, neuron and surrogate options of a {@link LifLayer}. */
export interface LifLayerOptions {
  inSize: number;
  outSize: number;
  steps: number;
  maxBatch: number;
  input: LifInputMode;
  /** Membrane decay per step, 0 ≤ β ≤ 1. */
  beta: number;
  threshold: number;
  reset: ResetMode;
  /** Treat the reset as a constant in the backward pass (default true, as snnTorch). */
  detachReset?: boolean;
  surrogate: SurrogateName;
  slope: number;
  /** Add recurrent synapses V·s[t-1] from the layer's own spikes (default false). */
  recurrent?: boolean;
  /** Weight and bias initialiser (default "pytorch": W, b U(±1/√in), V U(±1/√out), as torch.nn.Linear). */
  init?: InitName;
  /** Compute dLoss/dInput in backward (default true; false for a first layer). */
  inputGrad?: boolean;
  /** Run the products in WebAssembly SIMD where possible (default true). */
  simd?: boolean;
  /**
   * Test only: spike with the surrogate's smooth primitive P(U − θ) instead of
   * H(U − θ), so the surrogate is the exact derivative and finite differences
   * can check the BPTT code. Never used for training.
   */
  smoothSpikes?: boolean;
}

/** Views of the spike and current buffers for one batch size (recurrent mode only). */
interface StepViews {
  /** Step t's spikes and currents (dI after backward). */
  spk: Float32Array[];
  cur: Float32Array[];
  /** Spikes of steps 0..T-2 and currents of steps 1..T-1, for dV. */
  spkHead: Float32Array;
  curTail: Float32Array;
}

/**
 * A layer of leaky integrate-and-fire neurons unrolled over T steps and trained through time with a surrogate spike
 * derivative (Neftci, Mostafa & Zenke 2019; the discrete model of snnTorch's `Leaky`):
 * U[t] = β·U[t-1] + W·x[t] + b − θ·s[t-1], s[t] = H(U[t] − θ).
 */
export class LifLayer {
  readonly kind = "lif";
  readonly inSize: number;
  readonly outSize: number;
  readonly steps: number;
  readonly maxBatch: number;
  readonly inputMode: LifInputMode;
  readonly beta: number;
  readonly threshold: number;
  readonly reset: ResetMode;
  readonly detachReset: boolean;
  readonly surrogate: SurrogateName;
  readonly slope: number;
  readonly inputGrad: boolean;
  readonly smoothSpikes: boolean;
  readonly weight: Param;
  readonly bias: Param;
  readonly recurrentWeight: Param | null;
  /** Where a caller may write the input before `forward(layer.input, …)`, saving a copy. */
  readonly input: Float32Array;
  /** Spikes s[t] and membranes U[t], time-major [steps × batch × out]. */
  readonly spikes: Float32Array;
  readonly membrane: Float32Array;
  /** Spikes emitted by the last forward pass (all steps, all samples). */
  spikeCount = 0;
  /** Each neuron's spikes in the last forward pass, filled by `countSpikesPerNeuron` [out]. */
  readonly neuronSpikes: Float32Array;

  private readonly arena: SimdArena;
  /** Input currents I[t] in forward; dLoss/dI[t] after backward. [steps × batch × out] */
  private readonly cur: Float32Array;
  /** Constant mode: W·x + b [batch × out], and Σ_t dI[t]. */
  private readonly curConst: Float32Array;
  private readonly dCurSum: Float32Array;
  /** x transposed, for the SIMD weight gradient. */
  private readonly inputT: Float32Array;
  private readonly weightT: Float32Array;
  private readonly dx: Float32Array;
  /** The carried dU[t+1] and the recurrent part of dS[t], one step each. */
  private readonly dMem: Float32Array;
  private readonly dSpikeRec: Float32Array;
  private readonly recurrentT: Float32Array;
  private readonly spikesT: Float32Array;
  private readonly simdGrad: boolean;
  /** A column of ones [steps × maxBatch], for the per-neuron spike counts 1ᵀ·S. */
  private readonly ones: Float32Array;
  /** Narrow layers: padded width (a multiple of 4, 0 when unused), W and x·W padded to it. */
  private readonly padWidth: number;
  private readonly wPad: Float32Array;
  private readonly projPad: Float32Array;
  /** Recurrent mode: per-step views, made once per distinct batch size. */
  private readonly views = new Map<number, StepViews>();
  private lastBatch = -1;

  constructor(o: LifLayerOptions, rng: Rng) {
    this.inSize = o.inSize;
    this.outSize = o.outSize;
    this.steps = o.steps;
    this.maxBatch = o.maxBatch;
    this.inputMode = o.input;
    this.beta = o.beta;
    this.threshold = o.threshold;
    this.reset = o.reset;
    this.detachReset = o.detachReset ?? true;
    this.surrogate = o.surrogate;
    this.slope = o.slope;
    this.inputGrad = o.inputGrad ?? true;
    this.smoothSpikes = o.smoothSpikes ?? false;
    const recurrent = o.recurrent ?? false;
    const n = o.outSize;
    const m = o.inSize;
    const seqRows = o.steps * o.maxBatch;
    const inRows = o.input === "constant" ? o.maxBatch : seqRows;
    // Narrow layers (10 output neurons) run their products on a copy padded to a multiple of 4 columns.
    const simdWanted = (o.simd ?? true) && simdAvailable();
    const pw = simdWanted && n % 4 !== 0 ? Math.ceil(n / 4) * 4 : 0;
    const sizes = {
      wPad: m * pw,
      projPad: inRows * pw,
      w: m * n,
      wGrad: m * n,
      wT: this.inputGrad ? m * n : 0,
      input: inRows * m,
      inputT: inRows * m,
      dx: this.inputGrad ? inRows * m : 0,
      cur: seqRows * n,
      mem: seqRows * n,
      spk: seqRows * n,
      curConst: o.input === "constant" ? o.maxBatch * n : 0,
      dCurSum: o.input === "constant" ? o.maxBatch * n : 0,
      dMem: o.maxBatch * n,
      dSpikeRec: recurrent ? o.maxBatch * n : 0,
      v: recurrent ? n * n : 0,
      vGrad: recurrent ? n * n : 0,
      vT: recurrent ? n * n : 0,
      spkT: recurrent ? seqRows * n : 0,
      ones: seqRows,
      neuronSpikes: n,
    };
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    const arena = new SimdArena(total, o.simd ?? true);
    this.arena = arena;
    const alloc = (k: number) => arena.alloc(k);
    // Default: PyTorch's nn.Linear (snnTorch's layers), W and b uniform in ±1/√fan-in.
    const init = o.init ?? "pytorch";
    const w = alloc(sizes.w);
    initWeights(w, m, n, init, rng.fork("W"));
    this.weight = { name: "W", value: w, grad: alloc(sizes.wGrad), decay: true };
    const b = new Float32Array(n);
    initBias(b, m, init, rng.fork("b"));
    this.bias = { name: "b", value: b, grad: new Float32Array(n), decay: false };
    if (recurrent) {
      const v = alloc(sizes.v);
      initWeights(v, n, n, init, rng.fork("V"));
      this.recurrentWeight = { name: "V", value: v, grad: alloc(sizes.vGrad), decay: true };
    } else {
      this.recurrentWeight = null;
    }
    this.padWidth = pw;
    this.wPad = alloc(sizes.wPad);
    this.projPad = alloc(sizes.projPad);
    this.weightT = alloc(sizes.wT);
    this.input = alloc(sizes.input);
    this.inputT = alloc(sizes.inputT);
    this.dx = alloc(sizes.dx);
    this.cur = alloc(sizes.cur);
    this.membrane = alloc(sizes.mem);
    this.spikes = alloc(sizes.spk);
    this.curConst = alloc(sizes.curConst);
    this.dCurSum = alloc(sizes.dCurSum);
    this.dMem = alloc(sizes.dMem);
    this.dSpikeRec = alloc(sizes.dSpikeRec);
    this.recurrentT = alloc(sizes.vT);
    this.spikesT = alloc(sizes.spkT);
    this.ones = alloc(sizes.ones).fill(1);
    this.neuronSpikes = alloc(sizes.neuronSpikes);
    // Weight gradients: transpose + SIMD product for wide layers, else a row-wise scatter.
    this.simdGrad = arena.simd && n % 4 === 0;
  }

  /** The input weights and biases, and the recurrent weights when the layer is recurrent. */
  params(): readonly Param[] {
    return this.recurrentWeight === null ? [this.weight, this.bias] : [this.weight, this.bias, this.recurrentWeight];
  }

  /** Rows of the input for a batch: batch (constant) or steps·batch (sequence). */
  inputRows(batch: number): number {
    return this.inputMode === "constant" ? batch : this.steps * batch;
  }

  /**
   * Runs all steps for `batch` samples. x: [batch × in] (constant input) or
   * time-major [steps × batch × in]. Returns the spikes [steps × batch × out].
   */
  forward(x: Float32Array, batch: number): Float32Array {
    const T = this.steps;
    const n = this.outSize;
    const m = this.inSize;
    const rows = this.inputRows(batch);
    const input = this.input;
    if (x !== input) for (let i = 0, len = rows * m; i < len; i++) input[i] = x[i]!;
    const bias = this.bias.value;
    const constant = this.inputMode === "constant";
    // Input currents for every step at once: rows of b, then += x·W (zeros of x skipped).
    const proj = constant ? this.curConst : this.cur;
    const pw = this.padWidth;
    if (pw > 0) {
      // SIMD on a padded copy of W (the padding columns stay zero), then bias + the n real columns.
      const w = this.weight.value;
      const wPad = this.wPad;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) wPad[i * pw + j] = w[i * n + j]!;
      const pp = this.projPad;
      this.arena.spmm(input, wPad, pp, rows, m, pw, false);
      for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) proj[r * n + j] = pp[r * pw + j]! + bias[j]!;
    } else {
      for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) proj[r * n + j] = bias[j]!;
      this.arena.spmm(input, this.weight.value, proj, rows, m, n, true);
    }

    const stepN = batch * n;
    const beta = this.beta;
    const th = this.threshold;
    const subtract = this.reset === "subtract";
    const smooth = this.smoothSpikes;
    const mem = this.membrane;
    const spk = this.spikes;
    const cur = this.cur;
    const rec = this.recurrentWeight;
    const views = rec !== null ? this.stepViews(batch) : null;
    let count = 0;
    for (let t = 0; t < T; t++) {
      const o = t * stepN;
      let src = cur;
      let srcOff = o;
      if (constant) {
        src = this.curConst;
        srcOff = 0;
      }
      if (views !== null && rec !== null) {
        if (constant) for (let i = 0; i < stepN; i++) cur[o + i] = this.curConst[i]!;
        if (t > 0) this.arena.spmm(views.spk[t - 1]!, rec.value, views.cur[t]!, batch, n, n, true);
        src = cur;
        srcOff = o;
      }
      // One fused pass per step: integrate, then spike (branch-free count).
      if (smooth) {
        count += this.smoothStep(t, stepN, src, srcOff);
      } else if (t === 0) {
        for (let i = 0; i < stepN; i++) {
          const u = src[srcOff + i]!;
          mem[o + i] = u;
          const s = u > th ? 1 : 0;
          spk[o + i] = s;
          count += s;
        }
      } else if (subtract) {
        const p = o - stepN;
        for (let i = 0; i < stepN; i++) {
          const u = beta * mem[p + i]! + src[srcOff + i]! - th * spk[p + i]!;
          mem[o + i] = u;
          const s = u > th ? 1 : 0;
          spk[o + i] = s;
          count += s;
        }
      } else {
        const p = o - stepN;
        for (let i = 0; i < stepN; i++) {
          const u = beta * mem[p + i]! * (1 - spk[p + i]!) + src[srcOff + i]!;
          mem[o + i] = u;
          const s = u > th ? 1 : 0;
          spk[o + i] = s;
          count += s;
        }
      }
    }
    this.spikeCount = count;
    this.lastBatch = batch;
    return spk;
  }

  /**
   * Each neuron's spikes in the last forward pass (`batch` samples), summed
   * over steps and samples, into `neuronSpikes`: one product 1ᵀ·S (SIMD where
   * the width allows), exact in float32 (at most steps × maxBatch per neuron).
   */
  countSpikesPerNeuron(batch: number): Float32Array {
    this.arena.spmm(this.ones, this.spikes, this.neuronSpikes, 1, this.steps * batch, this.outSize, false);
    return this.neuronSpikes;
  }

  /** The test-only smooth step: spikes are P(U − θ), real-valued; returns the count of U > θ. */
  private smoothStep(t: number, stepN: number, src: Float32Array, srcOff: number): number {
    const mem = this.membrane;
    const spk = this.spikes;
    const o = t * stepN;
    const p = o - stepN;
    const th = this.threshold;
    let count = 0;
    for (let i = 0; i < stepN; i++) {
      let u = src[srcOff + i]!;
      if (t > 0) {
        u +=
          this.reset === "subtract"
            ? this.beta * mem[p + i]! - th * spk[p + i]!
            : this.beta * mem[p + i]! * (1 - spk[p + i]!);
      }
      mem[o + i] = u;
      spk[o + i] = surrogatePrimitive(this.surrogate, this.slope, u - th);
      if (u > th) count++;
    }
    return count;
  }

  /**
   * BPTT after `forward` with the same batch. dSpikes: dLoss/ds[t] and
   * dMembrane: dLoss/dU[t], both time-major [steps × batch × out] or null
   * (no gradient of that kind). Accumulates parameter gradients; returns
   * dLoss/dx in the input's layout, or null when `inputGrad` is false.
   */
  backward(dSpikes: Float32Array | null, dMembrane: Float32Array | null, batch: number): Float32Array | null {
    if (batch !== this.lastBatch) throw new Error("LifLayer.backward: call forward with the same batch first");
    const T = this.steps;
    const n = this.outSize;
    const m = this.inSize;
    const stepN = batch * n;
    const beta = this.beta;
    const th = this.threshold;
    const subtract = this.reset === "subtract";
    const detach = this.detachReset;
    const mem = this.membrane;
    const spk = this.spikes;
    const dI = this.cur; // the currents are not needed any more: reuse for dI
    const dU = this.dMem;
    const rec = this.recurrentWeight;
    const dSr = this.dSpikeRec;
    const views = rec !== null ? this.stepViews(batch) : null;
    if (rec !== null) transposeInto(rec.value, this.recurrentT, n, n);
    dU.fill(0, 0, stepN);
    // Surrogate g(U − θ) computed inline: fast sigmoid 1/(1 + k|x|)², or arctan h/(1 + (c·x)²).
    const fast = this.surrogate === "fast-sigmoid";
    const k = this.slope;
    const c = (Math.PI * k) / 2;
    const h = k / 2;
    const zeroReset = !subtract;
    const constant = this.inputMode === "constant";
    // A constant-input, feed-forward layer needs only Σ_t dI[t]: sum in the loop, skip storing dI[t].
    const sumOnly = constant && views === null;
    const dSum = this.dCurSum;
    if (sumOnly) dSum.fill(0, 0, stepN);
    for (let t = T - 1; t >= 0; t--) {
      const o = t * stepN;
      const hasRec = views !== null && t < T - 1;
      // dS[t] gets dI[t+1]·Vᵀ from the recurrent synapses.
      if (hasRec) this.arena.spmm(views.cur[t + 1]!, this.recurrentT, dSr, batch, n, n, false);
      for (let i = 0; i < stepN; i++) {
        const dNext = dU[i]!;
        const u = mem[o + i]!;
        let dS = dSpikes !== null ? dSpikes[o + i]! : 0;
        if (hasRec) dS += dSr[i]!;
        let carry = beta * dNext;
        if (zeroReset) {
          if (!detach) dS -= beta * u * dNext;
          carry *= 1 - spk[o + i]!;
        } else if (!detach) {
          dS -= th * dNext;
        }
        const x = u - th;
        let g: number;
        if (fast) {
          const q = 1 + k * (x < 0 ? -x : x);
          g = 1 / (q * q);
        } else {
          const z = c * x;
          g = h / (1 + z * z);
        }
        let d = g * dS + carry;
        if (dMembrane !== null) d += dMembrane[o + i]!;
        dU[i] = d;
        if (sumOnly) dSum[i]! += d;
        else dI[o + i] = d;
      }
    }
    // Parameter gradients.
    let dProj = dI;
    if (sumOnly) {
      dProj = dSum;
    } else if (constant) {
      dProj = dSum;
      for (let i = 0; i < stepN; i++) dProj[i] = dI[i]!;
      for (let t = 1; t < T; t++) {
        const o = t * stepN;
        for (let i = 0; i < stepN; i++) dProj[i]! += dI[o + i]!;
      }
    }
    const rows = this.inputRows(batch);
    this.weightGradient(this.input, dProj, this.weight.grad, rows, m, n, this.inputT);
    const gb = this.bias.grad;
    for (let r = 0; r < rows; r++) {
      const o = r * n;
      for (let j = 0; j < n; j++) gb[j]! += dProj[o + j]!;
    }
    if (views !== null && rec !== null && T > 1) {
      // dV += s[0..T-2]ᵀ · dI[1..T-1]: both contiguous, one product.
      this.weightGradient(views.spkHead, views.curTail, rec.grad, (T - 1) * batch, n, n, this.spikesT);
    }
    if (!this.inputGrad) return null;
    transposeInto(this.weight.value, this.weightT, m, n);
    this.arena.spmm(dProj, this.weightT, this.dx, rows, n, m, false);
    return this.dx;
  }

  /** G[k×n] += Xᵀ·D over `rows` rows: SIMD product over a transpose when wide, else a row scatter. */
  private weightGradient(
    x: Float32Array,
    d: Float32Array,
    g: Float32Array,
    rows: number,
    k: number,
    n: number,
    scratchT: Float32Array,
  ): void {
    if (this.simdGrad && this.arena.owns(x) && this.arena.owns(d)) {
      transposeInto(x, scratchT, rows, k);
      this.arena.spmm(scratchT, d, g, k, rows, n, true);
    } else {
      scatterOuterProduct(x, d, g, rows, k, n);
    }
  }

  private stepViews(batch: number): StepViews {
    let v = this.views.get(batch);
    if (v === undefined) {
      const stepN = batch * this.outSize;
      const T = this.steps;
      v = {
        spk: [],
        cur: [],
        spkHead: this.spikes.subarray(0, (T - 1) * stepN),
        curTail: this.cur.subarray(stepN, T * stepN),
      };
      for (let t = 0; t < this.steps; t++) {
        v.spk.push(this.spikes.subarray(t * stepN, (t + 1) * stepN));
        v.cur.push(this.cur.subarray(t * stepN, (t + 1) * stepN));
      }
      this.views.set(batch, v);
    }
    return v;
  }
}
