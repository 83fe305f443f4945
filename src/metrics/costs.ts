/**
 * Counting inference costs (the NeuroBench definitions: Yik et al.,
 * "NeuroBench: a framework for benchmarking neuromorphic computing algorithms
 * and systems", arXiv:2304.04640) while a learner's `measureCosts` runs inference on real samples:
 * activation-dependent counts are what happened on those samples, not a
 * formula. A learner feeds a `CostCounter` as it runs, then `finish` divides
 * by the sample count. Conventions, per sample:
 *
 * - denseOps: every possible synaptic operation, zero inputs and zero weights
 *   included, bias excluded. Dense [in × out]: in·out; convolution: output
 *   positions × kernel volume × filters (padding included); recurrent and
 *   spiking models: summed over every time step simulated. A sparse (CSR)
 *   synapse population counts its stored synapses: the connectivity is part of
 *   the architecture, a zero weight stored there still counts.
 * - effectiveMacs: multiply-accumulates whose input is real-valued and
 *   non-zero and whose weight is non-zero (ANN layers, read-outs of spike
 *   rates, a spiking layer fed real values such as direct encoding).
 * - effectiveAcs: accumulates triggered by a spike through a non-zero weight
 *   (spiking layers: spikes × non-zero fan-out). A spike counts where the
 *   implementation delivers it (a spike of the last step still counts for a
 *   delayed synapse it was queued on, not for a recurrent product that is
 *   never computed).
 * - activationSparsity: zero activations / all activations. Activations are
 *   the outputs of the nonlinear neurons (as NeuroBench hooks activation
 *   modules): activation layers, convolutions with a fused ReLU, a recurrent
 *   layer's hidden state h_t at every step, and for spiking models every
 *   neuron at every step (1 = spike). Linear outputs (logits), pooling and
 *   the encoded input (pixels, Poisson input spikes) are not activations.
 *   0 when a model has no activations.
 * - membraneUpdates: neuron state updates (clock-driven spiking: neurons ×
 *   steps; event-driven neurons: the updates actually done); 0 for ANNs.
 * - footprintBytes: bytes of the parameters (weights, biases, thresholds,
 *   constant drives, connectivity indices of sparse synapses) plus the state
 *   one sample's inference carries from step to step (membrane, synaptic
 *   currents, refractory counters, delay rings, recurrent h and c), at the
 *   element width the implementation stores (4 bytes per float32 or int32,
 *   8 per float64, 1 per uint8). Scratch and batch buffers, gradients,
 *   optimiser state and pruning masks are not counted.
 * - memoryAccesses: 32-bit accesses: one weight read per effective op (MAC or
 *   AC), a read and a write of each state variable per membrane update
 *   (2 × variables), and one write per activation produced (ANN: every
 *   activation value, zeros included, is written; SNN: one per spike, since
 *   the implementations write spike lists and silent neurons write nothing).
 *   Input reads and accumulator traffic are left out, as in the energy
 *   model this feeds (Horowitz, ISSCC 2014: 45 nm, a 32-bit float MAC
 *   4.6 pJ, an add 0.9 pJ, a 32-bit DRAM access about 640 pJ).
 */
import { Activation } from "../ann/activation.js";
import { Conv2D } from "../ann/conv2d.js";
import { Dense } from "../ann/dense.js";
import type { Layer, Param } from "../ann/layer.js";
import type { SynapseMatrix } from "../snn/synapses/csr.js";

/** Totals over one measurement; `finish` turns them into per-sample costs. */
/**
 * Inference costs per sample, as NeuroBench defines them (docs in README,
 * "Cost metrics"): measured by running inference on real samples, so
 * activation-dependent counts reflect what happened, not a formula.
 */
export interface InferenceCosts {
  /** Synaptic operations per sample counting every possible one (zero inputs too); bias excluded. */
  denseOps: number;
  /** Multiply-accumulates per sample with a real-valued, non-zero input and a non-zero weight. */
  effectiveMacs: number;
  /** Accumulates per sample driven by a spike through a non-zero weight. */
  effectiveAcs: number;
  /** Zero activations / all activations (every layer and time step). */
  activationSparsity: number;
  /** Neuron state updates per sample (spiking learners; 0 for artificial ones). */
  membraneUpdates: number;
  /** Bytes of parameters and state buffers the model needs for inference. */
  footprintBytes: number;
  /** 32-bit memory accesses per sample (weights read per effective op, state read and written per update, activations written). */
  memoryAccesses: number;
}

export class CostCounter {
  denseOps = 0;
  effectiveMacs = 0;
  effectiveAcs = 0;
  activations = 0;
  zeroActivations = 0;
  /** Activation writes (ANN: every value; SNN: every spike). */
  activationWrites = 0;
  membraneUpdates = 0;
  /** Reads and writes of state variables by the membrane updates. */
  stateAccesses = 0;

  /** Real-valued activations x[0..n): all are written, the zeros counted. */
  addActivations(x: Float32Array, n: number): void {
    this.activations += n;
    this.zeroActivations += countZeros(x, n);
    this.activationWrites += n;
  }

  /** Spiking activations: `neuronSteps` neuron-steps of which `spikes` spiked (one write per spike). */
  addSpikes(neuronSteps: number, spikes: number): void {
    this.activations += neuronSteps;
    this.zeroActivations += neuronSteps - spikes;
    this.activationWrites += spikes;
  }

  /** `updates` neuron state updates, each reading and writing `stateVariables` variables. */
  addMembraneUpdates(updates: number, stateVariables: number): void {
    this.membraneUpdates += updates;
    this.stateAccesses += 2 * stateVariables * updates;
  }

  /** Costs per sample over `samples` samples. */
  finish(samples: number, footprintBytes: number): InferenceCosts {
    const n = Math.max(1, samples);
    return {
      denseOps: this.denseOps / n,
      effectiveMacs: this.effectiveMacs / n,
      effectiveAcs: this.effectiveAcs / n,
      activationSparsity: this.activations === 0 ? 0 : this.zeroActivations / this.activations,
      membraneUpdates: this.membraneUpdates / n,
      footprintBytes,
      memoryAccesses: (this.effectiveMacs + this.effectiveAcs + this.stateAccesses + this.activationWrites) / n,
    };
  }
}

/** Number of exact zeros in x[0..n). */
export function countZeros(x: ArrayLike<number>, n: number): number {
  let z = 0;
  for (let i = 0; i < n; i++) if (x[i] === 0) z++;
  return z;
}

/** Non-zero entries of each row of a row-major [rows × cols] matrix starting at `offset`. */
export function nonZeroPerRow(w: Float32Array, rows: number, cols: number, offset = 0): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = offset + r * cols;
    let c = 0;
    for (let j = 0; j < cols; j++) if (w[o + j] !== 0) c++;
    out[r] = c;
  }
  return out;
}

/** Non-zero outgoing weights of each presynaptic neuron of a CSR matrix. */
export function nonZeroFanOut(m: SynapseMatrix): Int32Array {
  const out = new Int32Array(m.nPre);
  const w = m.weight;
  for (let i = 0; i < m.nPre; i++) {
    let c = 0;
    for (let s = m.rowPtr[i]!, end = m.rowPtr[i + 1]!; s < end; s++) if (w[s] !== 0) c++;
    out[i] = c;
  }
  return out;
}

/**
 * Effective operations of `rows` input vectors x[r·inSize + i] through a
 * matrix whose row i has rowNnz[i] non-zero weights: Σ over non-zero inputs
 * of their non-zero fan-out. Spike inputs (0/1) give ACs, real ones MACs.
 */
export function effectiveRowOps(x: Float32Array, rows: number, inSize: number, rowNnz: Int32Array, offset = 0): number {
  let ops = 0;
  for (let r = 0; r < rows; r++) {
    const o = offset + r * inSize;
    for (let i = 0; i < inSize; i++) if (x[o + i] !== 0) ops += rowNnz[i]!;
  }
  return ops;
}

/** Σ over neurons of spikes × non-zero fan-out (spike counts per presynaptic neuron). */
export function spikeOps(counts: ArrayLike<number>, fanOut: Int32Array): number {
  let ops = 0;
  for (let i = 0; i < fanOut.length; i++) ops += counts[i]! * fanOut[i]!;
  return ops;
}

/**
 * Effective MACs of a convolution on `batch` channel-last images: for every
 * output position, every kernel tap inside the image whose input is non-zero
 * adds the non-zero weights of that tap's row of W [K × F] (padding taps
 * read zeros and add nothing).
 */
export function convEffectiveMacs(conv: Conv2D, x: Float32Array, batch: number, rowNnz: Int32Array): number {
  const {
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    kernel: k,
    stride: s,
    padding: p,
  } = conv;
  let ops = 0;
  for (let b = 0; b < batch; b++) {
    const xb = b * H * W * C;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let ky = 0; ky < k; ky++) {
          const iy = oy * s - p + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < k; kx++) {
            const ix = ox * s - p + kx;
            if (ix < 0 || ix >= W) continue;
            const src = xb + (iy * W + ix) * C;
            const tap = (ky * k + kx) * C;
            for (let c = 0; c < C; c++) if (x[src + c] !== 0) ops += rowNnz[tap + c]!;
          }
        }
      }
    }
  }
  return ops;
}

/** Bytes of the parameter values (float32: 4 per entry); gradients and masks are not counted. */
export function paramBytes(params: readonly Param[]): number {
  let bytes = 0;
  for (const p of params) bytes += p.value.byteLength;
  return bytes;
}

/** Bytes of typed arrays (their own element width). */
export function typedBytes(...arrays: readonly ArrayBufferView[]): number {
  let bytes = 0;
  for (const a of arrays) bytes += a.byteLength;
  return bytes;
}

/** Bytes of a CSR synapse population: row pointers, targets, weights and per-synapse delays. */
export function csrBytes(m: SynapseMatrix): number {
  return typedBytes(m.rowPtr, m.target, m.weight) + (m.delay !== null ? m.delay.byteLength : 0);
}

/**
 * Runs `count` samples through a feed-forward layer stack (no learning), in
 * chunks of `maxBatch`, counting into `counter`: dense and effective MACs of
 * every Dense and Conv2D layer from its actual input, and the activations of
 * every nonlinearity (Activation layers and convolutions with a fused ReLU).
 */
export function measureLayers(
  layers: readonly Layer[],
  x: Float32Array,
  count: number,
  maxBatch: number,
  counter: CostCounter,
): void {
  const inSize = layers[0]!.inSize;
  // Non-zero weights per input row, once per call (weights do not change while measuring).
  const nnz = layers.map((l) =>
    l instanceof Dense
      ? nonZeroPerRow(l.weight.value, l.inSize, l.outSize)
      : l instanceof Conv2D
        ? nonZeroPerRow(l.weight.value, l.weight.value.length / l.outChannels, l.outChannels)
        : null,
  );
  let dense = 0;
  for (const l of layers) {
    if (l instanceof Dense) dense += l.inSize * l.outSize;
    else if (l instanceof Conv2D) dense += l.macsPerSample();
  }
  counter.denseOps += dense * count;
  for (let start = 0; start < count; start += maxBatch) {
    const n = Math.min(maxBatch, count - start);
    let h = x.subarray(start * inSize, (start + n) * inSize);
    for (let li = 0; li < layers.length; li++) {
      const l = layers[li]!;
      const rowNnz = nnz[li];
      if (l instanceof Dense) counter.effectiveMacs += effectiveRowOps(h, n, l.inSize, rowNnz!);
      else if (l instanceof Conv2D) counter.effectiveMacs += convEffectiveMacs(l, h, n, rowNnz!);
      h = l.forward(h, n, false);
      if (l instanceof Activation || (l instanceof Conv2D && l.relu)) counter.addActivations(h, n * l.outSize);
    }
  }
}
