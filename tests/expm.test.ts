/**
 * The matrix exponential of the "exact" integrator (src/snn/equations/expm.ts).
 * References: closed forms (a diagonal matrix, e^diag(d) = diag(e^d); a
 * rotation generator, e^[[0,-θ],[θ,0]] = [[cos θ, -sin θ],[sin θ, cos θ]];
 * a nilpotent matrix, e^N = I + N + N²/2), and mathjs's own `expm` (the full
 * mathjs build, which the equation parser no longer loads) on random matrices
 * of the sizes equation models produce. Tolerance 1e-13 relative: the Padé
 * approximant's error bound is 3.4e-16 and each of up to a few squarings
 * roughly doubles the rounding error; mathjs uses the same algorithm family.
 */
import { expm as mathjsExpm, matrix } from "mathjs";
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { expm } from "../src/snn/equations/expm.js";

function expectClose(actual: number[][], expected: number[][], rtol = 1e-13): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1, ...expected.flat().map(Math.abs));
  actual.forEach((row, r) =>
    row.forEach((v, c) => expect(Math.abs(v - expected[r]![c]!)).toBeLessThanOrEqual(rtol * scale)),
  );
}

describe("expm", () => {
  it("matches closed forms", () => {
    expectClose(
      expm([
        [-0.005, 0],
        [0, 3],
      ]),
      [
        [Math.exp(-0.005), 0],
        [0, Math.exp(3)],
      ],
    );
    const theta = 2.5; // ‖A‖∞ = 2.5: scaled by 2^-3 and squared three times
    expectClose(
      expm([
        [0, -theta],
        [theta, 0],
      ]),
      [
        [Math.cos(theta), -Math.sin(theta)],
        [Math.sin(theta), Math.cos(theta)],
      ],
    );
    expectClose(
      expm([
        [0, 1, 2],
        [0, 0, 3],
        [0, 0, 0],
      ]),
      [
        [1, 1, 2 + 1.5],
        [0, 1, 3],
        [0, 0, 1],
      ],
    );
    expect(expm([])).toEqual([]);
    expectClose(
      expm([
        [0, 0],
        [0, 0],
      ]),
      [
        [1, 0],
        [0, 1],
      ],
    );
  });

  it("matches mathjs's expm on random matrices of equation-model sizes", () => {
    const rng = Rng.fromSeed(7);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + (trial % 6);
      const spread = trial < 20 ? 0.05 : 4; // dt/tau-sized coefficients, then large ones that need squaring
      const a = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.uniform(-spread, spread)));
      expectClose(expm(a), mathjsExpm(matrix(a)).toArray() as number[][]);
    }
  });

  it("refuses a matrix that is not square", () => {
    expect(() => expm([[1, 2]])).toThrow(/square/);
  });
});
