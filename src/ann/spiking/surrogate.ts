/**
 * Surrogate derivatives for the spike nonlinearity (Neftci, Mostafa & Zenke
 * 2019). The forward pass spikes with the Heaviside step S = H(x), x = U − θ,
 * whose derivative is zero almost everywhere; the backward pass uses instead a
 * smooth pseudo-derivative dS/dx ≈ g(x), peaked at the threshold. The two
 * shapes below are those of snnTorch's `surrogate.fast_sigmoid` and
 * `surrogate.atan`, written out here from their published formulas:
 *
 *   fast-sigmoid (SuperSpike, Zenke & Ganguli 2018), slope k (default 25):
 *     g(x) = 1 / (1 + k·|x|)²                        g(0) = 1
 *     the derivative of the primitive P(x) = x / (1 + k·|x|); its area is 2/k,
 *     not 1 (snnTorch's shape is not normalised either: the peak is 1)
 *
 *   arctan (Fang et al. 2021), slope α (default 2):
 *     g(x) = (α/2) / (1 + (π·α·x/2)²)                g(0) = α/2
 *     the derivative of the primitive P(x) = 1/2 + arctan(π·α·x/2)/π, a smooth
 *     unit step (area 1)
 *
 * LifLayer.backward evaluates the same two formulas inline in its loop; the
 * tests hold both to these definitions.
 *
 * The primitives are smooth stand-ins for H: a forward pass that uses P in
 * place of H has g as its exact derivative, which is how the finite-difference
 * test checks the BPTT code (LifLayerOptions.smoothSpikes). Training never
 * uses them.
 */

export type SurrogateName = "fast-sigmoid" | "arctan";

/** The slope each surrogate uses when a scenario gives none (snnTorch's defaults). */
export const defaultSlope: Readonly<Record<SurrogateName, number>> = { "fast-sigmoid": 25, arctan: 2 };

/** g(x): the surrogate dS/dU at x = U − θ. */
export function surrogateDerivative(name: SurrogateName, slope: number, x: number): number {
  if (name === "fast-sigmoid") {
    const d = 1 + slope * Math.abs(x);
    return 1 / (d * d);
  }
  const z = (Math.PI * slope * x) / 2;
  return slope / 2 / (1 + z * z);
}

/** P(x): a smooth function whose derivative is exactly g (test-only forward pass). */
export function surrogatePrimitive(name: SurrogateName, slope: number, x: number): number {
  if (name === "fast-sigmoid") return x / (1 + slope * Math.abs(x));
  return 0.5 + Math.atan((Math.PI * slope * x) / 2) / Math.PI;
}
