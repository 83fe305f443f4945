// Reference values: Student's t quantiles from standard tables (e.g. R's qt()).
import { describe, expect, it } from "vitest";
import { confidenceInterval, sampleStd, studentTCdf, studentTQuantile } from "../src/metrics/stats.js";

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
  });
});
