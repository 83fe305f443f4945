// The equivalence statistics of the parity harness (src/metrics/equivalence.ts)
// against published tables and exact closed forms:
// - NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2 (critical
//   values of Student's t) and §1.3.6.7.3 (upper critical values of the F
//   distribution), printed to 3 decimals: tolerance half a unit in the last place;
// - closed forms: F(2, d₂) has P(F ≥ f) = (1 + 2f/d₂)^(−d₂/2); F(d₁, 2) has
//   P(F ≤ f) = (d₁f/(d₁f + 2))^(d₁/2); Student's t with 2 degrees of freedom has
//   P(T ≤ t) = 1/2 + t/(2√(2 + t²)); these hold to rounding (1e-9);
// - Holm's adjustment worked by hand.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import {
  fCdf,
  fQuantile,
  fSurvival,
  holmAdjust,
  spreadLarger,
  tost,
  tostSeedsNeeded,
} from "../src/metrics/equivalence.js";
import { studentTQuantile } from "../src/metrics/stats.js";

const t2Cdf = (t: number) => 0.5 + t / (2 * Math.sqrt(2 + t * t));

describe("F distribution", () => {
  it("matches the NIST upper critical values", () => {
    // α = 0.01: F(9,9) 5.351, F(2,2) 99.000, F(4,4) 15.977, F(2,4) 18.000; α = 0.05: F(9,9) 3.179, F(2,2) 19.000.
    expect(Math.abs(fQuantile(0.99, 9, 9) - 5.351)).toBeLessThan(5e-4);
    expect(Math.abs(fQuantile(0.99, 2, 2) - 99.0)).toBeLessThan(5e-4);
    expect(Math.abs(fQuantile(0.99, 4, 4) - 15.977)).toBeLessThan(5e-4);
    expect(Math.abs(fQuantile(0.99, 2, 4) - 18.0)).toBeLessThan(5e-4);
    expect(Math.abs(fQuantile(0.95, 9, 9) - 3.179)).toBeLessThan(5e-4);
    expect(Math.abs(fQuantile(0.95, 2, 2) - 19.0)).toBeLessThan(5e-4);
  });

  it("matches the closed forms for two degrees of freedom", () => {
    for (const f of [0.1, 0.5, 1, 3.2, 17, 250]) {
      for (const d2 of [2, 5, 9, 30]) expect(fSurvival(f, 2, d2)).toBeCloseTo((1 + (2 * f) / d2) ** (-d2 / 2), 9);
      for (const d1 of [1, 4, 9]) expect(fCdf(f, d1, 2)).toBeCloseTo(((d1 * f) / (d1 * f + 2)) ** (d1 / 2), 9);
    }
    // The two tails add up to 1.
    expect(fCdf(2.5, 9, 9) + fSurvival(2.5, 9, 9)).toBeCloseTo(1, 12);
  });

  it("flags a larger spread only when the F-test says so", () => {
    // Variances 4 and 1 over 10 values a side: F = 4 < 5.351 (not at 1%); 9 and 1: F = 9 > 5.351.
    const base = [-1.5, -1, -0.5, 0, 0, 0, 0, 0.5, 1, 1.5];
    const sd = Math.sqrt(base.reduce((s, x) => s + x * x, 0) / 9);
    const unit = base.map((x) => x / sd);
    const two = unit.map((x) => 2 * x);
    const three = unit.map((x) => 3 * x);
    const r4 = spreadLarger(two, unit);
    expect(r4.f).toBeCloseTo(4, 9);
    expect(r4.p).toBeCloseTo(fSurvival(4, 9, 9), 12);
    expect(r4.larger).toBe(false);
    expect(spreadLarger(three, unit).larger).toBe(true);
    // One-sided: a smaller spread is never "larger".
    expect(spreadLarger(unit, three).larger).toBe(false);
    expect(spreadLarger([1], unit).reason).toMatch(/at least 2/);
  });
});

describe("TOST", () => {
  it("matches the closed form at 2 degrees of freedom (2 values a side, equal spread)", () => {
    // a = {x ± 1}, b = {y ± 1}: each variance 2, se = √(2/2 + 2/2) = √2, Welch df = 2.
    const a = [91, 93];
    const b = [90.5, 92.5]; // d = 0.5
    const r = tost(a, b, 2);
    expect(r.diff).toBeCloseTo(0.5, 12);
    expect(r.se).toBeCloseTo(Math.SQRT2, 12);
    expect(r.df).toBeCloseTo(2, 12);
    const pLower = 1 - t2Cdf((0.5 + 2) / Math.SQRT2);
    const pUpper = t2Cdf((0.5 - 2) / Math.SQRT2);
    expect(r.p).toBeCloseTo(Math.max(pLower, pUpper), 10);
    // t_{0.95, 2} = 2.920 (NIST §1.3.6.7.2): the 90% interval 0.5 ± 2.920·√2 reaches past ±2.
    expect(r.hi).toBeCloseTo(0.5 + studentTQuantile(0.95, 2) * Math.SQRT2, 10);
    expect(Math.abs(studentTQuantile(0.95, 2) - 2.92)).toBeLessThan(5e-4);
    expect(r.equivalent).toBe(false);
  });

  it("is the 90% interval inside the margin", () => {
    const a = [90.1, 90.3, 89.8, 90.0, 90.2, 89.9, 90.4, 89.7, 90.0, 90.1];
    const b = a.map((x) => x - 0.4);
    const r = tost(a, b, 2);
    expect(r.diff).toBeCloseTo(0.4, 9);
    expect(r.equivalent).toBe(true);
    expect(r.lo > -2 && r.hi < 2).toBe(true);
    // Shifted by 1.9: the interval crosses +2, so not shown equivalent (p above 0.05).
    const far = tost(
      a,
      a.map((x) => x - 1.9),
      2,
    );
    expect(far.hi).toBeGreaterThan(2);
    expect(far.equivalent).toBe(false);
    expect(far.p).toBeGreaterThan(0.05);
    // Identical constant samples: the difference is known exactly.
    expect(tost([1, 1], [1, 1], 2).equivalent).toBe(true);
    expect(tost([5, 5], [1, 1], 2).equivalent).toBe(false);
  });

  it("tostSeedsNeeded gives the power it promises (simulated, same distribution on both sides)", () => {
    // With sd 1.5 and margin 2 the formula asks for n seeds; 2,000 simulated pairs of
    // n-seed samples from one normal distribution should pass TOST at least ~80% of
    // the time (binomial sd of the rate at 0.8: 0.9%; the t approximation is
    // slightly conservative, so allow 3 sd below).
    const n = tostSeedsNeeded(1.5, 2);
    expect(n).toBeGreaterThan(2);
    const rng = Rng.fromSeed(7);
    let pass = 0;
    const trials = 2000;
    for (let k = 0; k < trials; k++) {
      const a = Array.from({ length: n }, () => 1.5 * rng.normal());
      const b = Array.from({ length: n }, () => 1.5 * rng.normal());
      if (tost(a, b, 2).equivalent) pass++;
    }
    expect(pass / trials).toBeGreaterThan(0.8 - 3 * 0.009);
    // One seed fewer falls short of the formula's bound.
    const df = 2 * (n - 1) - 2;
    const t = studentTQuantile(0.95, df) + studentTQuantile(0.9, df);
    expect(n - 1).toBeLessThan((2 * 1.5 * 1.5 * t * t) / 4);
  });
});

describe("Holm's adjustment", () => {
  it("matches the step-down worked by hand", () => {
    // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, max(0.06, 0.04·1) = 0.06.
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    expect(adj[0]).toBeCloseTo(0.03, 12);
    expect(adj[1]).toBeCloseTo(0.06, 12);
    expect(adj[2]).toBeCloseTo(0.06, 12);
    expect(adj[3]).toBeCloseTo(0.02, 12);
    expect(holmAdjust([0.5, Number.NaN, 0.9])).toEqual([1, Number.NaN, 1]);
  });
});
