/**
 * A recurrent layer behind the Layer protocol: each sample's input is a
 * sequence of `steps × features` values, step-major (x[b][t][f]); the layer
 * unrolls a cell (simple RNN, LSTM, GRU) over it and trains by
 * backpropagation through time.
 *
 * Output per sample: the last hidden state h_T (`output: "last"`, many-to-one,
 * outSize = hidden) or every hidden state h_1..h_T (`output: "sequence"`,
 * many-to-many, outSize = steps × hidden, step-major like the input).
 *
 * Internally the batch is transposed once to time-major (xs[t][b][f]) so each
 * step's rows are contiguous for the matrix products.
 */
import type { Rng } from "../core/rng.js";
import type { CellKind, CellOptions, RecurrentCell, RecurrentInit } from "./cells/cell.js";
import { GruCell } from "./cells/gru-cell.js";
import { LstmCell } from "./cells/lstm-cell.js";
import { RnnCell } from "./cells/rnn-cell.js";
import type { Layer, Param } from "./layer.js";

/** Many-to-one (`"last"`: the last hidden state) or many-to-many (`"sequence"`: every hidden state). */
export type RecurrentOutput = "last" | "sequence";

/** Shape and options of a {@link Recurrent} layer. */
export interface RecurrentOptions {
  cell: CellKind;
  steps: number;
  features: number;
  hidden: number;
  maxBatch: number;
  output: RecurrentOutput;
  /**
   * Compute dLoss/dInput in backward (default true). A first layer can skip
   * it; backward then returns a buffer of zeros.
   */
  inputGradient?: boolean;
  /** Run the cell's products in WebAssembly SIMD where available (default true). */
  simd?: boolean;
  /** Parameter initialisation of the cell (default "pytorch"; see RecurrentInit). */
  init?: RecurrentInit;
}

export function createCell(kind: CellKind, o: CellOptions, rng: Rng): RecurrentCell {
  switch (kind) {
    case "rnn":
      return new RnnCell(o, rng);
    case "lstm":
      return new LstmCell(o, rng);
    case "gru":
      return new GruCell(o, rng);
  }
}

/**
 * A recurrent layer (simple RNN, LSTM or GRU) unrolled over each sample's sequence (`steps × features`, step-major)
 * and trained by backpropagation through time.
 *
 * ```ts
 * const lstm = new Recurrent({ cell: "lstm", steps: 28, features: 28, hidden: 64, maxBatch: 32, output: "last" }, rng);
 * ```
 */
export class Recurrent implements Layer {
  readonly kind: string;
  readonly inSize: number;
  readonly outSize: number;
  readonly steps: number;
  readonly features: number;
  readonly hidden: number;
  readonly output: RecurrentOutput;
  /** @internal */
  readonly cell: RecurrentCell;
  private readonly inputGradient: boolean;
  private readonly y: Float32Array;
  /** dLoss/dh time-major [steps × maxBatch × hidden] (many-to-many only). */
  private readonly dhs: Float32Array;
  private readonly dxs: Float32Array;
  private readonly dx: Float32Array;

  constructor(o: RecurrentOptions, rng: Rng) {
    this.kind = o.cell;
    this.steps = o.steps;
    this.features = o.features;
    this.hidden = o.hidden;
    this.output = o.output;
    this.inputGradient = o.inputGradient ?? true;
    this.inSize = o.steps * o.features;
    this.outSize = o.output === "last" ? o.hidden : o.steps * o.hidden;
    this.cell = createCell(
      o.cell,
      {
        features: o.features,
        hidden: o.hidden,
        maxBatch: o.maxBatch,
        maxSteps: o.steps,
        simd: o.simd ?? true,
        init: o.init ?? "pytorch",
      },
      rng,
    );
    this.y = new Float32Array(o.maxBatch * this.outSize);
    this.dhs = new Float32Array(o.output === "sequence" ? o.steps * o.maxBatch * o.hidden : 0);
    this.dxs = new Float32Array(this.inputGradient ? o.steps * o.maxBatch * o.features : 0);
    this.dx = new Float32Array(o.maxBatch * this.inSize);
  }

  /** Runs the cell over every step of `batch` sequences. */
  forward(x: Float32Array, batch: number): Float32Array {
    const T = this.steps;
    const f = this.features;
    const h = this.hidden;
    const xs = this.cell.input; // transposed straight into the cell's buffer
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < T; t++) {
        const src = (b * T + t) * f;
        const dst = (t * batch + b) * f;
        for (let k = 0; k < f; k++) xs[dst + k] = x[src + k]!;
      }
    }
    const hs = this.cell.forward(xs, T, batch);
    const y = this.y;
    if (this.output === "last") {
      const o = T * batch * h;
      for (let i = 0; i < batch * h; i++) y[i] = hs[o + i]!;
    } else {
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < batch; b++) {
          const src = ((t + 1) * batch + b) * h;
          const dst = (b * T + t) * h;
          for (let j = 0; j < h; j++) y[dst + j] = hs[src + j]!;
        }
      }
    }
    return y;
  }

  backward(dy: Float32Array, batch: number): Float32Array {
    const T = this.steps;
    const f = this.features;
    const h = this.hidden;
    const dxs = this.inputGradient ? this.dxs : null;
    if (this.output === "last") {
      this.cell.backward(dy, true, T, batch, dxs);
    } else {
      const dhs = this.dhs;
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < T; t++) {
          const src = (b * T + t) * h;
          const dst = (t * batch + b) * h;
          for (let j = 0; j < h; j++) dhs[dst + j] = dy[src + j]!;
        }
      }
      this.cell.backward(dhs, false, T, batch, dxs);
    }
    const dx = this.dx;
    if (dxs !== null) {
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < T; t++) {
          const src = (t * batch + b) * f;
          const dst = (b * T + t) * f;
          for (let k = 0; k < f; k++) dx[dst + k] = dxs[src + k]!;
        }
      }
    }
    return dx;
  }

  /** The cell's input and recurrent weights and its biases. */
  params(): readonly Param[] {
    return this.cell.params();
  }

  /** Multiply-accumulates per sample over the whole sequence (bias excluded). */
  macsPerSample(): number {
    return this.steps * (this.features + this.hidden) * this.cell.gateSize;
  }
}
