/**
 * Simple recurrent (Elman 1990) cell: h_t = tanh(x_t·W_x + h_{t-1}·W_h + b).
 */
import type { Rng } from "../../core/rng.js";
import { FusedCell, type CellOptions } from "./cell.js";

export class RnnCell extends FusedCell {
  readonly kind = "rnn";
  /** tanh stays in JavaScript: one Math.tanh per unit is a small share of the step. */
  readonly simdStep = false;

  constructor(o: CellOptions, rng: Rng) {
    super(o, 1, false);
    this.initWeights(rng);
  }

  protected stepForward(t: number, batch: number): void {
    const n = batch * this.hidden;
    const a = this.gates;
    const hs = this.hs;
    const ao = t * n;
    const ho = (t + 1) * n;
    for (let i = 0; i < n; i++) {
      const v = Math.tanh(a[ao + i]!);
      a[ao + i] = v;
      hs[ho + i] = v;
    }
  }

  protected stepBackward(t: number, batch: number, dh: Float32Array, dhPrev: Float32Array): void {
    const n = batch * this.hidden;
    const a = this.gates;
    const da = this.dGates;
    const ao = t * n;
    for (let i = 0; i < n; i++) {
      const v = a[ao + i]!;
      da[ao + i] = dh[i]! * (1 - v * v);
      dhPrev[i] = 0;
    }
  }
}
