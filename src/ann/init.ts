/**
 * Weight and bias initialisers.
 *
 *   glorot-uniform  W ~ U(±√(6/(fan_in + fan_out)))   (Glorot & Bengio 2010; Keras' default)
 *   glorot-normal   W ~ N(0, 2/(fan_in + fan_out))
 *   he-uniform      W ~ U(±√(6/fan_in))               (He et al. 2015)
 *   he-normal       W ~ N(0, 2/fan_in)
 *   pytorch         W ~ U(±1/√fan_in) and b ~ U(±1/√fan_in): what torch.nn.Linear and
 *                   torch.nn.Conv2d do by default (reset_parameters: kaiming_uniform_ with
 *                   a = √5, whose bound √(6/((1 + a²)·fan_in)) is 1/√fan_in, and the bias
 *                   drawn from the same bound); a convolution's fan_in is kernel² × input
 *                   channels. torch.nn.LSTM/GRU/RNN draw every weight and bias from
 *                   U(±1/√hidden): the recurrent cells call these with fan_in = hidden.
 *
 * Every initialiser but "pytorch" starts the biases at zero.
 */
import type { Rng } from "../core/rng.js";

/**
 * Weight (and bias) initialisers: "pytorch" (U(±1/√fan_in) for weights and biases, as torch.nn.Linear,
 * Conv2d and the recurrent cells), Glorot (Glorot & Bengio 2010) or He (He et al. 2015), uniform or normal,
 * the last four with zero biases.
 */
export type InitName = "pytorch" | "glorot-uniform" | "glorot-normal" | "he-uniform" | "he-normal";

/** The initialiser names a scenario may give (`init`), "pytorch" first as the default of most learners. */
export const initNames = [
  "pytorch",
  "glorot-uniform",
  "glorot-normal",
  "he-uniform",
  "he-normal",
] as const satisfies readonly InitName[];

/** Fills `w` (fanIn × fanOut) from the initialiser `init`. */
export function initWeights(w: Float32Array, fanIn: number, fanOut: number, init: InitName, rng: Rng): void {
  switch (init) {
    case "pytorch": {
      const limit = 1 / Math.sqrt(fanIn);
      rng.fillUniform(w, -limit, limit);
      return;
    }
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

/** Biases: U(±1/√fan_in) for "pytorch", zero for the others (draws only for "pytorch"). */
export function initBias(b: Float32Array, fanIn: number, init: InitName, rng: Rng): void {
  if (init !== "pytorch") {
    b.fill(0);
    return;
  }
  const limit = 1 / Math.sqrt(fanIn);
  rng.fillUniform(b, -limit, limit);
}
