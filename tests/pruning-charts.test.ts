// Reference: Navlakha, Barth & Bar-Joseph 2015 report decreasing > constant >
// increasing pruning rates for efficiency and robustness; the verdict must
// say "holds" only when both steps are separated by non-overlapping 95%
// intervals, and say so plainly otherwise.
import { describe, expect, it } from "vitest";
import { navlakhaVerdict } from "../src/report/navlakha-order.js";
import { accuracyAtDensityPoints, pruningCharts } from "../src/report/pruning-charts.js";

const item = (learner: string, mean: number, half: number) => ({ learner, mean, lo: mean - half, hi: mean + half });

describe("Navlakha verdict", () => {
  it("holds only with separated intervals in the published order", () => {
    expect(
      navlakhaVerdict([item("constant", 0.5, 0.01), item("increasing", 0.4, 0.01), item("decreasing", 0.6, 0.01)]),
    ).toMatch(/^holds/);
  });
  it("is not resolved when intervals overlap, and says whether the means fall in order", () => {
    expect(
      navlakhaVerdict([item("constant", 0.5, 0.1), item("increasing", 0.45, 0.1), item("decreasing", 0.55, 0.1)]),
    ).toMatch(/not resolved.*do fall/);
    expect(
      navlakhaVerdict([item("constant", 0.5, 0.1), item("increasing", 0.55, 0.1), item("decreasing", 0.45, 0.1)]),
    ).toMatch(/not resolved.*not in/);
  });
  it("is reversed when a later schedule is separated above an earlier one", () => {
    expect(
      navlakhaVerdict([item("constant", 0.5, 0.01), item("increasing", 0.7, 0.01), item("decreasing", 0.6, 0.01)]),
    ).toMatch(/reversed/);
  });
  it("gives no verdict without the three schedules", () => {
    expect(navlakhaVerdict([item("a", 0.5, 0.01), item("b", 0.7, 0.01)])).toBeNull();
  });
});

describe("Navlakha verdict with one seed", () => {
  it("is not resolved: a single seed has no interval", () => {
    const one = (learner: string, mean: number) => ({ learner, mean, lo: mean, hi: mean, seeds: 1 });
    expect(navlakhaVerdict([one("constant", 0.5), one("increasing", 0.499), one("decreasing", 0.501)])).toMatch(
      /not resolved: one seed/,
    );
  });
});

describe("pruning chart legends", () => {
  it("draw each learner's symbol at full opacity, not at the faint opacity of its band", () => {
    // Two learners (one pruned), two seeds, three epochs of live synapses and test accuracy: the development chart and the
    // accuracy-at-density chart both have data, and both overlay bands (opacity 0.2) on lines.
    const rows = ["dense", "pruned"].flatMap((learner, l) =>
      [1, 2].flatMap((seed) =>
        [1, 2, 3].flatMap((epoch) => [
          { learner, seed, epoch, metric: "synapseCount", value: l === 0 ? 100 : 100 / epoch },
          { learner, seed, epoch, metric: "connectionDensity", value: l === 0 ? 1 : 1 / epoch },
          { learner, seed, epoch, metric: "testAccuracy", value: 0.8 + 0.01 * seed + 0.01 * epoch },
          ...(l === 1 ? [{ learner, seed, epoch, metric: "prunedCount", value: 10 }] : []),
        ]),
      ),
    );
    const charts = pruningCharts(rows, ["dense", "pruned"]);
    expect(charts.map((c) => c.id)).toContain("development");
    for (const c of charts)
      expect((c.spec["config"] as { legend: { symbolOpacity: number } }).legend.symbolOpacity, c.id).toBe(1);
  });
});

describe("accuracy at each density", () => {
  it("leaves out a learner whose density differs between seeds but never changes within one (never pruned)", () => {
    // A liquid-state pool drawn at random: 13.5% of the possible synapses in seed 1, 13.4% in seed 2, all along.
    const rows = [1, 2].flatMap((seed) =>
      [1, 2, 3].flatMap((epoch) => [
        { learner: "liquid", seed, epoch, metric: "connectionDensity", value: seed === 1 ? 0.135 : 0.134 },
        { learner: "liquid", seed, epoch, metric: "testAccuracy", value: 0.9 + 0.01 * epoch },
      ]),
    );
    expect(accuracyAtDensityPoints(rows, ["liquid"])).toEqual([]);
    // The same learner pruned from 100% to 50% after epoch 1 in both seeds: two levels, one point each.
    const pruned = rows.map((r) => (r.metric === "connectionDensity" ? { ...r, value: r.epoch === 1 ? 1 : 0.5 } : r));
    expect(accuracyAtDensityPoints(pruned, ["liquid"]).map((p) => p.remaining)).toEqual([100, 50]);
  });
});
