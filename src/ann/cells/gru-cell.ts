/**
 * Gated recurrent unit (Cho et al. 2014), PyTorch's variant (torch.nn.GRU):
 * the reset gate multiplies the recurrent candidate term *after* its matrix
 * product, so the recurrent pre-activation A^h is kept apart with its own bias.
 * Gates fused in PyTorch's order r, z, n:
 *
 *   [ax_r ax_z ax_n] = x_t·W_x + b_x      [ah_r ah_z ah_n] = h_{t-1}·W_h + b_h
 *   r = σ(ax_r + ah_r)   z = σ(ax_z + ah_z)   n = tanh(ax_n + r ⊙ ah_n)
 *   h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
 */
import type { Rng } from "../../core/rng.js";
import { FusedCell, type CellOptions } from "./cell.js";

export class GruCell extends FusedCell {
  readonly kind = "gru";

  readonly simdStep: boolean;

  constructor(o: CellOptions, rng: Rng) {
    super(o, 3, true);
    this.simdStep = this.arena.hasGruStep(o.hidden);
    this.initWeights(rng);
  }

  protected stepForward(t: number, batch: number): void {
    const h = this.hidden;
    const g3 = this.gateSize;
    const ax = this.gates;
    const ah = this.hiddenGates;
    const hs = this.hs;
    const stepH = batch * h;
    if (this.simdStep) {
      this.arena.gruStep(ax, ah, t * batch * g3, hs, t * stepH, (t + 1) * stepH, batch, h);
      return;
    }
    for (let b = 0; b < batch; b++) {
      const ga = (t * batch + b) * g3;
      const hPrevO = t * stepH + b * h;
      const hO = hPrevO + stepH;
      for (let j = 0; j < h; j++) {
        const r = 1 / (1 + Math.exp(-(ax[ga + j]! + ah[ga + j]!)));
        const z = 1 / (1 + Math.exp(-(ax[ga + h + j]! + ah[ga + h + j]!)));
        const n = Math.tanh(ax[ga + 2 * h + j]! + r * ah[ga + 2 * h + j]!);
        ax[ga + j] = r;
        ax[ga + h + j] = z;
        ax[ga + 2 * h + j] = n;
        hs[hO + j] = (1 - z) * n + z * hs[hPrevO + j]!;
      }
    }
  }

  protected stepBackward(t: number, batch: number, dh: Float32Array, dhPrev: Float32Array): void {
    const h = this.hidden;
    const g3 = this.gateSize;
    const a = this.gates;
    const ah = this.hiddenGates;
    const dax = this.dGates;
    const dah = this.dHiddenGates;
    const hs = this.hs;
    const stepH = batch * h;
    for (let b = 0; b < batch; b++) {
      const ga = (t * batch + b) * g3;
      const hPrevO = t * stepH + b * h;
      const bo = b * h;
      for (let j = 0; j < h; j++) {
        const r = a[ga + j]!;
        const z = a[ga + h + j]!;
        const n = a[ga + 2 * h + j]!;
        const ahn = ah[ga + 2 * h + j]!;
        const dhj = dh[bo + j]!;
        const dnPre = dhj * (1 - z) * (1 - n * n);
        const dzPre = dhj * (hs[hPrevO + j]! - n) * z * (1 - z);
        const drPre = dnPre * ahn * r * (1 - r);
        dax[ga + j] = drPre;
        dax[ga + h + j] = dzPre;
        dax[ga + 2 * h + j] = dnPre;
        dah[ga + j] = drPre;
        dah[ga + h + j] = dzPre;
        dah[ga + 2 * h + j] = dnPre * r;
        dhPrev[bo + j] = dhj * z;
      }
    }
  }
}
