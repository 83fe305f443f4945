// Reference values: Student's t quantiles from standard tables (e.g. R's qt()).
import { describe, expect, it } from "vitest";
import {
  confidenceInterval,
  effectSize,
  holmAdjust,
  sampleStd,
  studentTCdf,
  studentTQuantile,
  welchTTest,
} from "../src/metrics/stats.js";

describe("statistics over seeds", () => {
  it("matches tabulated t quantiles", () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706205, 5);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302653, 5);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.776445, 5);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042272, 5);
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 12);
  });

  it("computes mean, sample std and the 95% CI of the mean", () => {
    const xs = [0.9, 0.92, 0.94];
    const ci = confidenceInterval(xs);
    expect(ci.mean).toBeCloseTo(0.92, 12);
    expect(sampleStd(xs)).toBeCloseTo(0.02, 12);
    // t(0.975, 2) · s / √n = 4.302653 · 0.02 / √3
    expect(ci.halfWidth).toBeCloseTo((4.302653 * 0.02) / Math.sqrt(3), 6);
    expect(confidenceInterval([0.5]).halfWidth).toBe(0);
    // The seeds' range, which a report shows where the interval would leave what a quantity allows.
    expect([ci.min, ci.max]).toEqual([0.9, 0.94]);
    expect(confidenceInterval([]).min).toBeNaN();
  });
});

// Holm (1979) step-down adjustment. Reference: R 4.x, p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")
// = 0.03 0.06 0.06 0.02 (the 0.04 is raised to 0.06 to keep the order of the sorted p-values).
describe("Holm's correction for multiple comparisons", () => {
  it("matches R's p.adjust(..., 'holm')", () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((want, i) => expect(adjusted[i]).toBeCloseTo(want, 12));
  });

  it("caps at 1, keeps an undefined test undefined and leaves it out of the count", () => {
    // m = 2 defined tests: 0.3·2 = 0.6, then max(0.6, 0.7·1) = 0.7.
    const adjusted = holmAdjust([0.7, Number.NaN, 0.3]);
    expect(adjusted[0]).toBeCloseTo(0.7, 12);
    expect(adjusted[1]).toBeNaN();
    expect(adjusted[2]).toBeCloseTo(0.6, 12);
    // 0.6·2 = 1.2 capped at 1, then max(1, 0.8·1) = 1.
    expect(holmAdjust([0.6, 0.8])).toEqual([1, 1]);
  });
});

// Reference values computed with SciPy 1.17.1:
//   scipy.stats.ttest_ind(a, b, equal_var=False) -> statistic, pvalue, df
//   d = (mean(a) - mean(b)) / sqrt(((na-1)·var(a, ddof=1) + (nb-1)·var(b, ddof=1)) / (na+nb-2))
//   g = d · gamma(m/2) / (sqrt(m/2) · gamma((m-1)/2)), m = na + nb - 2  (scipy.special.gamma)
describe("comparing two learners over seeds", () => {
  it("matches SciPy's Welch t-test on Wikipedia's Welch example (A1 vs A2)", () => {
    const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const w = welchTTest(a1, a2);
    expect(w.t).toBeCloseTo(-2.455356398286006, 9);
    expect(w.df).toBeCloseTo(24.988529290231416, 9);
    expect(w.p).toBeCloseTo(0.021378001462866992, 9);
    expect(w.reason).toBeUndefined();
    const e = effectSize(a1, a2);
    expect(e.cohenD).toBeCloseTo(-0.8965693907039232, 9);
    expect(e.hedgesG).toBeCloseTo(-0.8723011535920744, 9);
  });

  it("matches SciPy on few seeds with unequal group sizes", () => {
    const a = [0.91, 0.93, 0.95, 0.92];
    const b = [0.85, 0.88, 0.8];
    const w = welchTTest(a, b);
    expect(w.t).toBeCloseTo(3.387431278072966, 9);
    expect(w.df).toBeCloseTo(2.5412005671970994, 9);
    expect(w.p).toBeCloseTo(0.054843252720976975, 9);
    expect(w.meanDiff).toBeCloseTo(0.9275 - 0.8433333333333334, 12);
    const e = effectSize(a, b);
    expect(e.cohenD).toBeCloseTo(2.924405274683542, 9);
    expect(e.hedgesG).toBeCloseTo(2.4586898816683536, 9);
    // Swapping the groups flips the signs, not the p-value.
    const s = welchTTest(b, a);
    expect(s.t).toBeCloseTo(-w.t, 12);
    expect(s.p).toBeCloseTo(w.p, 12);
  });

  it("says why instead of failing when the test is undefined", () => {
    const one = welchTTest([0.9], [0.8, 0.85]);
    expect(one.p).toBeNaN();
    expect(one.reason).toMatch(/at least 2/);
    const flat = welchTTest([0.5, 0.5, 0.5], [0.5, 0.5]);
    expect(flat.p).toBeNaN();
    expect(flat.reason).toMatch(/zero variance/);
    expect(effectSize([1, 1], [2, 2]).reason).toMatch(/zero/);
    expect(effectSize([1, 1], [2, 2]).cohenD).toBeNaN();
    expect(welchTTest([], [1, 2]).p).toBeNaN();
    // One constant group is fine: all the variance comes from the other.
    expect(welchTTest([1, 1, 1], [0, 2, 4]).p).toBeGreaterThan(0);
  });
});
