/** Weight initialisers (Glorot & Bengio 2010; He et al. 2015). */
import type { Rng } from "../core/rng.js";

/** Weight initialisers: Glorot (Glorot & Bengio 2010) or He (He et al. 2015), uniform or normal. */
export type InitName = "glorot-uniform" | "glorot-normal" | "he-uniform" | "he-normal";

export function initWeights(w: Float32Array, fanIn: number, fanOut: number, init: InitName, rng: Rng): void {
  switch (init) {
    case "glorot-uniform": {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      rng.fillUniform(w, -limit, limit);
      return;
    }
    case "glorot-normal":
      rng.fillNormal(w, 0, Math.sqrt(2 / (fanIn + fanOut)));
      return;
    case "he-uniform": {
      const limit = Math.sqrt(6 / fanIn);
      rng.fillUniform(w, -limit, limit);
      return;
    }
    case "he-normal":
      rng.fillNormal(w, 0, Math.sqrt(2 / fanIn));
      return;
  }
}
