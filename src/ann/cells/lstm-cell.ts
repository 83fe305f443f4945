/**
 * Long short-term memory cell (Hochreiter & Schmidhuber 1997, with the forget
 * gate of Gers et al. 2000), gates fused in PyTorch's order i, f, g, o:
 *
 *   [a_i a_f a_g a_o] = x_t·W_x + h_{t-1}·W_h + b
 *   i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g        h_t = o ⊙ tanh(c_t)
 *
 * Under init "keras" the forget-gate bias starts at 1 (Jozefowicz et al.
 * 2015) so the cell remembers by default early in training; under "pytorch"
 * (the default) it is drawn like every other bias, as torch.nn.LSTM does.
 */
import type { Rng } from "../../core/rng.js";
import { FusedCell, type CellOptions } from "./cell.js";

export class LstmCell extends FusedCell {
  readonly kind = "lstm";
  /** c_0..c_T: [(maxSteps + 1) × maxBatch × hidden]. */
  private readonly cs: Float32Array;
  /** tanh(c_t) for t = 1..T: [maxSteps × maxBatch × hidden]. */
  private readonly tanhCs: Float32Array;
  /** dLoss/dc carried backwards through time. */
  private readonly dc: Float32Array;

  readonly simdStep: boolean;

  constructor(o: CellOptions, rng: Rng) {
    const cells = (o.maxSteps + 1) * o.maxBatch * o.hidden;
    const tanhs = o.maxSteps * o.maxBatch * o.hidden;
    super(o, 4, false, cells + tanhs);
    this.cs = this.arena.alloc(cells);
    this.tanhCs = this.arena.alloc(tanhs);
    this.simdStep = this.arena.hasLstmStep(o.hidden);
    this.dc = new Float32Array(o.maxBatch * o.hidden);
    this.initWeights(rng);
    if (this.init === "keras") this.bias.value.fill(1, o.hidden, 2 * o.hidden);
  }

  protected stepForward(t: number, batch: number): void {
    const h = this.hidden;
    const g4 = this.gateSize;
    const a = this.gates;
    const cs = this.cs;
    const hs = this.hs;
    const tc = this.tanhCs;
    const stepH = batch * h;
    if (t === 0) cs.fill(0, 0, stepH);
    if (this.simdStep) {
      this.arena.lstmStep(
        a,
        t * batch * g4,
        cs,
        t * stepH,
        (t + 1) * stepH,
        tc,
        t * stepH,
        hs,
        (t + 1) * stepH,
        batch,
        h,
      );
      return;
    }
    for (let b = 0; b < batch; b++) {
      const ga = (t * batch + b) * g4;
      const cPrevO = t * stepH + b * h;
      const cO = cPrevO + stepH;
      const tcO = t * stepH + b * h;
      for (let j = 0; j < h; j++) {
        const ii = 1 / (1 + Math.exp(-a[ga + j]!));
        const ff = 1 / (1 + Math.exp(-a[ga + h + j]!));
        const gg = Math.tanh(a[ga + 2 * h + j]!);
        const oo = 1 / (1 + Math.exp(-a[ga + 3 * h + j]!));
        a[ga + j] = ii;
        a[ga + h + j] = ff;
        a[ga + 2 * h + j] = gg;
        a[ga + 3 * h + j] = oo;
        const c = ff * cs[cPrevO + j]! + ii * gg;
        cs[cO + j] = c;
        const tch = Math.tanh(c);
        tc[tcO + j] = tch;
        hs[cO + j] = oo * tch;
      }
    }
  }

  protected override beginBackward(batch: number): void {
    this.dc.fill(0, 0, batch * this.hidden);
  }

  protected stepBackward(t: number, batch: number, dh: Float32Array, dhPrev: Float32Array): void {
    const h = this.hidden;
    const g4 = this.gateSize;
    const a = this.gates;
    const da = this.dGates;
    const cs = this.cs;
    const tc = this.tanhCs;
    const dc = this.dc;
    const stepH = batch * h;
    for (let b = 0; b < batch; b++) {
      const ga = (t * batch + b) * g4;
      const cPrevO = t * stepH + b * h;
      const bo = b * h;
      for (let j = 0; j < h; j++) {
        const ii = a[ga + j]!;
        const ff = a[ga + h + j]!;
        const gg = a[ga + 2 * h + j]!;
        const oo = a[ga + 3 * h + j]!;
        const tch = tc[cPrevO + j]!;
        const dhj = dh[bo + j]!;
        const dcj = dc[bo + j]! + dhj * oo * (1 - tch * tch);
        da[ga + j] = dcj * gg * ii * (1 - ii);
        da[ga + h + j] = dcj * cs[cPrevO + j]! * ff * (1 - ff);
        da[ga + 2 * h + j] = dcj * ii * (1 - gg * gg);
        da[ga + 3 * h + j] = dhj * tch * oo * (1 - oo);
        dc[bo + j] = dcj * ff;
        dhPrev[bo + j] = 0;
      }
    }
  }
}
