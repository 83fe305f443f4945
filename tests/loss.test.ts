// Losses (src/ann/loss.ts) against PyTorch 2 in float64:
//   F.cross_entropy(z, y) (mean over the batch) and its gradient z.grad;
//   0.5 · ((z - one_hot(y))²).sum() / batch and its gradient,
// on the batch z below (labels 2, 0, 3). Our logits are float32 and the sums
// run in float64, so agreement is to float32 rounding: 1e-6.
import { describe, expect, it } from "vitest";
import { computeLoss, meanSquaredError, softmaxCrossEntropy } from "../src/ann/loss.js";

const z = Float32Array.of(1.0, -0.5, 2.0, 0.25, 0.0, 3.0, -1.0, 0.5, -2.0, -2.0, 1.5, 4.0);
// Two labels before the batch's own: read from labelOffset 2.
const labels = Int32Array.of(1, 1, 2, 0, 3);

const ceGrad = [
  0.07552108249443207, 0.016851031231565408, -0.1280457471231621, 0.03567363339716467, -0.31890465410897123,
  0.28980776931375607, 0.005308014449900333, 0.02378887034531484, 0.0007600905422671953, 0.0007600905422671953,
  0.02517074183670568, -0.026690922921240052,
];
const mseGrad = [1 / 3, -1 / 6, 1 / 3, 1 / 12, -1 / 3, 1, -1 / 3, 1 / 6, -2 / 3, -2 / 3, 0.5, 1];

function expectClose(actual: Float32Array, expected: number[]): void {
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!), `[${i}]`).toBeLessThan(1e-6);
}

describe("losses match PyTorch", () => {
  it("softmax cross-entropy: mean loss, gradient and correct argmax predictions", () => {
    const grad = new Float32Array(12);
    const r = softmaxCrossEntropy(z, labels, 2, 3, 4, grad);
    expect(Math.abs(r.loss - 1.2360389982707367)).toBeLessThan(1e-6);
    expectClose(grad, ceGrad);
    // argmax rows: 2 (label 2), 1 (label 0), 3 (label 3).
    expect(r.correct).toBe(2);
    expect(computeLoss("softmax-cross-entropy", z, labels, 2, 3, 4, null)).toEqual(r);
  });

  it("MSE against one-hot targets: mean loss, gradient and correct argmax predictions", () => {
    const grad = new Float32Array(12);
    const r = meanSquaredError(z, labels, 2, 3, 4, grad);
    expect(Math.abs(r.loss - 5.46875)).toBeLessThan(1e-6);
    expectClose(grad, mseGrad);
    expect(r.correct).toBe(2);
    expect(computeLoss("mse", z, labels, 2, 3, 4, null)).toEqual(r);
  });

  it("cross-entropy stays finite for logits far beyond exp's range (max subtracted)", () => {
    const big = Float32Array.of(1000, 0, -1000);
    const grad = new Float32Array(3);
    const r = softmaxCrossEntropy(big, Int32Array.of(1), 0, 1, 3, grad);
    expect(r.loss).toBeCloseTo(1000, 6);
    expect(Array.from(grad)).toEqual([1, -1, 0]);
  });

  it("counts ties as the first maximal class, as torch.argmax does", () => {
    // Two samples, each with its first two classes tied: labelled 0 both count, labelled 1 neither.
    const tie = Float32Array.of(1, 1, 0.5, 0.5);
    for (const fn of [softmaxCrossEntropy, meanSquaredError]) {
      expect(fn(tie, Int32Array.of(0, 0), 0, 2, 2, null).correct).toBe(2);
      expect(fn(tie, Int32Array.of(1, 1), 0, 2, 2, null).correct).toBe(0);
    }
    // The first class alone maximal is found too.
    expect(meanSquaredError(Float32Array.of(2, 1, 0), Int32Array.of(0), 0, 1, 3, null).correct).toBe(1);
    expect(softmaxCrossEntropy(Float32Array.of(2, 1, 0), Int32Array.of(0), 0, 1, 3, null).correct).toBe(1);
  });
});
