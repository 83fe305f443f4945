// `npm run parity -- --merge`: reports of workloads run apart, or of one
// workload's seeds split over processes, join into the report that one run
// over all the seeds would have given. Reference: the TOST and F-test of the
// joined seeds computed directly (src/metrics/equivalence.ts, itself checked
// against the NIST tables in tests/equivalence.test.ts); exact equality,
// since the merge must judge the same numbers by the same code.
import { describe, expect, it } from "vitest";
import { mergeReports, type ParityReport, type SideRun } from "../src/bench/parity/harness.js";
import { spreadLarger, tost } from "../src/metrics/equivalence.js";

const settings = {
  margin: 2,
  alpha: 0.05,
  spreadAlpha: 0.01,
  trainSize: 8000,
  testSize: 2000,
  epochs: 2,
  sharedInit: false,
};

/** Accuracies for seeds, two epochs, from a fixed formula (no training: the merge is what is tested). */
function side(seeds: number[], offset: number): SideRun {
  return {
    seeds,
    acc: [seeds.map((s) => 88 + offset + ((s * 7) % 5) / 4), seeds.map((s) => 90 + offset + ((s * 3) % 4) / 3)],
  };
}

/** A judged report of `runs` (a merge of one report without rows judges it). */
function report(runs: ParityReport["runs"]): ParityReport {
  return mergeReports([{ ...settings, runs, rows: [] }]);
}

describe("mergeReports", () => {
  it("joins one workload's seeds run apart and judges them together", () => {
    const a = report({ mlp: { ours: side([1, 2, 3, 4, 5], 0), reference: side([1, 2, 3, 4, 5], 0.3) } });
    const b = report({ mlp: { ours: side([6, 7, 8, 9, 10], 0), reference: side([6, 7, 8, 9, 10], 0.3) } });
    const m = mergeReports([a, b]);
    expect(m.rows).toHaveLength(2);
    const all = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    for (const [k, row] of m.rows.entries()) {
      const ours = side(all, 0).acc[k]!;
      const ref = side(all, 0.3).acc[k]!;
      expect(row.workload).toBe("mlp");
      expect(row.epoch).toBe(k + 1);
      expect(row.seeds).toBe(10);
      expect(row.tost).toEqual(tost(ours, ref, 2, 0.05));
      expect(row.spread).toEqual(spreadLarger(ours, ref, 0.01));
      expect(row.pass).toBe(row.tost.equivalent && !(row.spreadPHolm < 0.01));
    }
    expect(m.runs["mlp"]!.ours.seeds).toEqual(all);
  });

  it("keeps workloads run apart and Holm-adjusts over all their rows", () => {
    const a = report({ mlp: { ours: side([1, 2, 3], 0), reference: side([1, 2, 3], 0) } });
    const b = report({ cnn: { ours: side([1, 2, 3], 1), reference: side([1, 2, 3], 0) } });
    const m = mergeReports([a, b]);
    expect(m.rows.map((r) => `${r.workload}${r.epoch}`)).toEqual(["mlp1", "mlp2", "cnn1", "cnn2"]);
    // Holm over 4 rows: the smallest p is multiplied by 4.
    const smallest = Math.min(...m.rows.map((r) => r.spread.p));
    expect(Math.min(...m.rows.map((r) => r.spreadPHolm))).toBeCloseTo(Math.min(1, 4 * smallest), 12);
  });

  it("refuses the same seed twice and reports with other settings", () => {
    const a = report({ mlp: { ours: side([1, 2, 3], 0), reference: side([1, 2, 3], 0) } });
    const b = report({ mlp: { ours: side([3, 4], 0), reference: side([3, 4], 0) } });
    expect(() => mergeReports([a, b])).toThrow(/workload mlp for seed\(s\) 3/);
    expect(() => mergeReports([a, { ...b, epochs: 3 }])).toThrow(/differ in epochs/);
  });
});
