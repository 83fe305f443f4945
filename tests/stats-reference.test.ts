// The t distribution, the incomplete beta function and the small-sample edges
// of the statistics over seeds (src/metrics/stats.ts), against SciPy 1.10
// (Debian's python3-scipy): scipy.stats.t.cdf / t.ppf and
// scipy.special.betainc, printed with repr (17 significant digits). Our
// continued fraction converges to ~1e-15 relative (tolerance 1e-11 on the
// CDF and the incomplete beta); a quantile inherits the CDF's error divided
// by the density, which is 0.003 at t(0.995, 2.5): tolerance 1e-8.
import { describe, expect, it } from "vitest";
import {
  confidenceInterval,
  effectSize,
  incompleteBeta,
  mean,
  sampleStd,
  studentTCdf,
  studentTQuantile,
  welchTTest,
} from "../src/metrics/stats.js";

describe("Student's t and the incomplete beta against SciPy", () => {
  it("t CDF on both sides of 0 and both branches of the continued fraction", () => {
    const cases: [number, number, number][] = [
      [0.5, 4, 0.6783350184090684],
      [-0.5, 4, 0.32166498159093165],
      [-1.0, 5, 0.18160873382456127],
      [1.0, 5, 0.8183912661754387],
      [-3.2, 2.5, 0.03170551411819074],
      [0.1, 30, 0.5394951941048645],
      [-0.1, 30, 0.46050480589513554],
      [2.0, 1.0, 0.8524163823495667],
    ];
    for (const [t, df, p] of cases) expect(Math.abs(studentTCdf(t, df) - p), `t ${t}, df ${df}`).toBeLessThan(1e-11);
  });

  it("regularised incomplete beta, including a, b < 1/2 (the reflection of log Γ) and large a, b", () => {
    const cases: [number, number, number, number][] = [
      [0.25, 0.3, 0.4, 0.5073100691734566],
      [0.2, 0.5, 0.9, 0.8962620324046983],
      [0.3, 0.25, 0.01, 0.12497643971125984],
      [200, 300, 0.45, 0.9881463456202636],
      [300, 200, 0.55, 0.011853654379736036],
      [2000, 0.5, 0.9995, 0.15727325174823345],
      [1500, 1500, 0.52, 0.9857952472753982],
      [1500, 1500, 0.48, 0.014204752724601777],
      [5, 0.5, 0.99, 0.7571581091015623],
    ];
    for (const [a, b, x, v] of cases) {
      expect(Math.abs(incompleteBeta(x, a, b) - v), `I_${x}(${a}, ${b})`).toBeLessThan(1e-11);
    }
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
  });

  it("t quantiles in both tails and near the middle", () => {
    expect(Math.abs(studentTQuantile(0.025, 3) - -3.1824463052842638)).toBeLessThan(1e-8);
    expect(Math.abs(studentTQuantile(0.6, 7) - 0.2631668613520166)).toBeLessThan(1e-8);
    expect(Math.abs(studentTQuantile(0.995, 2.5) - 7.16372813402124)).toBeLessThan(1e-8);
  });

  it("refuses quantiles outside (0, 1), naming the value", () => {
    for (const p of [0, 1, -0.1, 1.5])
      expect(() => studentTQuantile(p, 3)).toThrow(`quantile p must be in (0, 1), got ${p}`);
  });
});

describe("small samples (hand-computed)", () => {
  it("mean and sample standard deviation of none, one and two values", () => {
    expect(mean([])).toBeNaN();
    expect(mean([4])).toBe(4);
    expect(sampleStd([])).toBe(0);
    expect(sampleStd([5])).toBe(0);
    // Two values 1 and 3: mean 2, s² = (1 + 1) / 1.
    expect(sampleStd([1, 3])).toBeCloseTo(Math.SQRT2, 14);
  });

  it("the 95% CI of two values: t(0.975, 1) · s / √2 either side of the mean", () => {
    // t(0.975, 1) = tan(0.475π) = 12.706204736174698 (the Cauchy quantile).
    const ci = confidenceInterval([1, 3]);
    const half = Math.tan(0.475 * Math.PI) * (Math.SQRT2 / Math.SQRT2);
    expect(ci.halfWidth).toBeCloseTo(half, 9);
    expect(ci.lo).toBeCloseTo(2 - half, 9);
    expect(ci.hi).toBeCloseTo(2 + half, 9);
    // The seeds' own range, which a report shows where the interval would leave what the quantity allows.
    expect([ci.min, ci.max]).toEqual([1, 3]);
    expect(confidenceInterval([7])).toEqual({ n: 1, mean: 7, std: 0, halfWidth: 0, lo: 7, hi: 7, min: 7, max: 7 });
  });

  it("Welch's test runs with two values a group and says why with one in either group", () => {
    // SciPy: ttest_ind([1, 3], [4, 8], equal_var=False) -> t -1.7888543819998317, p 0.25853213370782724; df (Welch) 1.4705882352941178
    const w = welchTTest([1, 3], [4, 8]);
    expect(w.t).toBeCloseTo(-1.7888543819998317, 12);
    expect(w.df).toBeCloseTo(1.4705882352941178, 12);
    expect(w.p).toBeCloseTo(0.25853213370782724, 10);
    expect(welchTTest([1, 3], [4]).reason).toBe("needs at least 2 values per group, found 2 and 1");
    expect(welchTTest([1], [4, 8]).reason).toBe("needs at least 2 values per group, found 1 and 2");
  });

  it("effect sizes: 3 values in all give Cohen's d without Hedges' g; fewer give neither", () => {
    // a = {1, 2}, b = {4}: pooled s² = (1·0.5 + 0) / 1 = 0.5; d = (1.5 - 4) / √0.5.
    const e = effectSize([1, 2], [4]);
    expect(e.cohenD).toBeCloseTo(-2.5 / Math.sqrt(0.5), 12);
    expect(e.hedgesG).toBeNaN();
    expect(e.reason).toBe("Hedges' correction needs at least 4 values in all");
    // One value in a group is enough when there are 3 in all: a = {1}, b = {2, 4}: s² = (0 + 1·2) / 1.
    expect(effectSize([1], [2, 4]).cohenD).toBeCloseTo(-2 / Math.SQRT2, 12);
    for (const [a, b] of [
      [[], [1, 2, 3]],
      [[1, 2, 3], []],
      [[1], [2]],
    ] as const) {
      const r = effectSize(a, b);
      expect(r.cohenD).toBeNaN();
      expect(r.hedgesG).toBeNaN();
      expect(r.reason).toBe(`needs a value in each group and 3 in all, found ${a.length} and ${b.length}`);
    }
    // 4 values: J(2) = Γ(1) / (√1 · Γ(1/2)) = 1/√π.
    const four = effectSize([1, 2], [4, 6]);
    const d = (1.5 - 5) / Math.sqrt((0.5 + 2) / 2);
    expect(four.cohenD).toBeCloseTo(d, 12);
    expect(four.hedgesG).toBeCloseTo(d / Math.sqrt(Math.PI), 12);
    expect(four.reason).toBeUndefined();
  });
});
