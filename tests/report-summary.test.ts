// summary.json and the CSV files: sweep columns round-trip through metrics.csv,
// robustness.csv and firing-rates.csv read back what was written, and the
// summary's final figures, NaN counts, pairwise comparisons and robustness
// curves agree with the statistics computed by hand on hand-made rows.
import { describe, expect, it } from "vitest";
import { confidenceInterval, effectSize, welchTTest } from "../src/metrics/stats.js";
import {
  csvToFiringRates,
  csvToRobustness,
  csvToRows,
  firingRatesToCsv,
  robustnessToCsv,
  rowsToCsv,
  summarize,
  type LearnerInfo,
  type MetricRow,
  type RobustnessRow,
} from "../src/runs/results.js";
import { scenarioSchema } from "../src/scenario/schema.js";

const scenario = scenarioSchema.parse({
  name: "hand-made",
  description: "rows made by hand",
  task: { type: "xor" },
  learners: [{ type: "mlp" }, { type: "lsm" }],
  epochs: 2,
  seeds: [0, 1, 2],
});

describe("metrics.csv", () => {
  const learners: LearnerInfo[] = [
    { name: "mlp hidden=16", type: "mlp", base: "mlp", params: { hidden: 16, "optimizer.learningRate": 0.05 } },
    { name: "mlp hidden=64", type: "mlp", base: "mlp", params: { hidden: 64, "optimizer.learningRate": 0.1 } },
    { name: "lsm, big", type: "lsm", base: "lsm, big", params: {} },
  ];
  const rows: MetricRow[] = [
    { learner: "mlp hidden=16", seed: 0, epoch: 1, metric: "testAccuracy", value: 0.75 },
    { learner: "mlp hidden=64", seed: 0, epoch: 1, metric: "testAccuracy[phase 2]", value: 0.5 },
    { learner: "lsm, big", seed: 1, epoch: 2, metric: "samplesToCriterion", value: NaN },
  ];

  it("adds one column per swept parameter after learner, empty where a learner lacks it, and reads it back", () => {
    const csv = rowsToCsv(rows, learners);
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe("learner,hidden,optimizer.learningRate,seed,epoch,metric,value");
    expect(lines[1]).toBe("mlp hidden=16,16,0.05,0,1,testAccuracy,0.75");
    expect(lines[3]).toBe('"lsm, big",,,1,2,samplesToCriterion,NaN');
    const back = csvToRows(csv);
    if (!("rows" in back)) throw new Error(`unparsed: ${JSON.stringify(back)}`);
    expect(back.rows).toEqual(rows);
    expect(back.parameters).toEqual(["hidden", "optimizer.learningRate"]);
    expect(back.params.get("mlp hidden=64")).toEqual({ hidden: 64, "optimizer.learningRate": 0.1 });
    expect(back.params.get("lsm, big")).toEqual({});
  });

  it("keeps the plain header without sweeps, and still reads it", () => {
    const csv = rowsToCsv(rows);
    expect(csv.split("\n")[0]).toBe("learner,seed,epoch,metric,value");
    const back = csvToRows(csv);
    if (!("rows" in back)) throw new Error("unparsed");
    expect(back.rows).toEqual(rows);
    expect(back.parameters).toEqual([]);
  });

  it("names the first bad line", () => {
    const bad = csvToRows(
      "learner,hidden,seed,epoch,metric,value\nmlp,16,0,1,testAccuracy,0.5\nmlp,16,zero,1,testAccuracy,0.5\n",
    );
    expect(bad).toMatchObject({ line: 3 });
    expect(csvToRows("learner,epoch,metric,value\n")).toMatchObject({ line: 1 });
  });

  it("round-trips robustness.csv and firing-rates.csv", () => {
    const rob: RobustnessRow[] = [
      { learner: "stdp", seed: 0, kind: "lesion", level: 0.5, accuracy: 0.7 },
      { learner: "mlp, wide", seed: 1, kind: "noise", level: 0.25, accuracy: 0.9 },
    ];
    expect(robustnessToCsv(rob).split("\n")[0]).toBe("learner,seed,kind,level,accuracy");
    expect(csvToRobustness(robustnessToCsv(rob))).toEqual(rob);
    const rates = [
      { learner: "lsm", rateHz: Float32Array.from([0, 12.5, 3]) },
      { learner: "stdp", rateHz: Float32Array.from([40]) },
    ];
    const csv = firingRatesToCsv(rates);
    expect(csv.split("\n").slice(0, 3)).toEqual(["learner,neuron,rateHz", "lsm,0,0", "lsm,1,12.5"]);
    expect(csvToFiringRates(csv)).toEqual(rates);
  });
});

describe("summarize", () => {
  // Three seeds, two epochs; final-epoch figures: accuracy a = [0.90, 0.92, 0.95], b = [0.80, 0.85, 0.83].
  const accA = [0.9, 0.92, 0.95];
  const accB = [0.8, 0.85, 0.83];
  const energyA = [100, 110, 105];
  const energyB = [10, 12, 11];
  const rows: MetricRow[] = [];
  for (let seed = 0; seed < 3; seed++) {
    rows.push(
      { learner: "mlp", seed, epoch: 1, metric: "testAccuracy", value: 0.5 },
      { learner: "mlp", seed, epoch: 2, metric: "testAccuracy", value: accA[seed]! },
      { learner: "mlp", seed, epoch: 2, metric: "finalTestAccuracy", value: accA[seed]! },
      { learner: "mlp", seed, epoch: 2, metric: "energyPj", value: energyA[seed]! },
      { learner: "mlp", seed, epoch: 2, metric: "samplesToCriterion", value: 400 + 100 * seed },
      { learner: "lsm", seed, epoch: 2, metric: "finalTestAccuracy", value: accB[seed]! },
      { learner: "lsm", seed, epoch: 2, metric: "energyPj", value: energyB[seed]! },
      // The lsm reached the criterion on two seeds of three.
      { learner: "lsm", seed, epoch: 2, metric: "samplesToCriterion", value: seed === 1 ? NaN : 800 + seed },
    );
  }
  const learners: LearnerInfo[] = [
    { name: "mlp", type: "mlp", base: "mlp", params: {} },
    { name: "lsm", type: "lsm", base: "lsm", params: { hidden: 20 } },
  ];
  const robustness: RobustnessRow[] = [
    // Seed 0 has two repeats at level 0.5 (averaged to 0.6 before the CI over seeds).
    { learner: "lsm", seed: 0, kind: "lesion", level: 0.5, accuracy: 0.5 },
    { learner: "lsm", seed: 0, kind: "lesion", level: 0.5, accuracy: 0.7 },
    { learner: "lsm", seed: 1, kind: "lesion", level: 0.5, accuracy: 0.8 },
    { learner: "mlp", seed: 0, kind: "lesion", level: 0, accuracy: 0.9 },
  ];
  const s = summarize({ scenario, seeds: [0, 1, 2], learners, rows, robustness }, "9.9.9");

  it("gives final figures over seeds, dropping NaN and counting the seeds that had a value", () => {
    const mlp = s.learners[0]!;
    expect(mlp.epochs).toBe(2);
    expect(mlp.final["testAccuracy"]).toMatchObject({ ...confidenceInterval(accA), seeds: 3 });
    const lsm = s.learners[1]!;
    expect(lsm.params).toEqual({ hidden: 20 });
    expect(lsm.final["samplesToCriterion"]).toMatchObject({ n: 2, seeds: 3, mean: 801 });
    expect(lsm.final["samplesToCriterion"]!.halfWidth).toBeCloseTo(confidenceInterval([800, 802]).halfWidth, 12);
  });

  it("compares each pair on each headline metric both report, with Welch's t and effect sizes", () => {
    expect(s.comparisons.map((c) => `${c.a}|${c.b}|${c.metric}`)).toEqual([
      "mlp|lsm|finalTestAccuracy",
      "mlp|lsm|energyPj",
      "mlp|lsm|samplesToCriterion",
    ]);
    const acc = s.comparisons[0]!;
    const w = welchTTest(accA, accB);
    const e = effectSize(accA, accB);
    expect(acc.t).toBeCloseTo(w.t, 12);
    expect(acc.df).toBeCloseTo(w.df, 12);
    expect(acc.p).toBeCloseTo(w.p, 12);
    expect(acc.cohenD).toBeCloseTo(e.cohenD, 12);
    expect(acc.hedgesG).toBeCloseTo(e.hedgesG, 12);
    expect(acc.meanDiff).toBeCloseTo(0.92333333 - 0.82666667, 6);
    expect(acc.p).toBeLessThan(0.05);
    // samplesToCriterion: the lsm's NaN seed is left out (n = 2).
    const crit = s.comparisons[2]!;
    expect(crit.nB).toBe(2);
    expect(crit.meanDiff).toBeCloseTo(500 - 801, 9);
    expect(JSON.parse(JSON.stringify(s)).comparisons).toHaveLength(3);
  });

  it("gives the reason when a comparison is undefined (one seed)", () => {
    const one = summarize({ scenario, seeds: [0], learners, rows: rows.filter((r) => r.seed === 0) }, "9.9.9");
    const acc = one.comparisons.find((c) => c.metric === "finalTestAccuracy")!;
    expect(acc.p).toBeNaN();
    expect(acc.reason).toMatch(/at least 2/);
  });

  it("summarises robustness per learner (scenario order), kind and level, averaging repeats within a seed", () => {
    expect(s.robustness.map((r) => [r.learner, r.kind, r.level, r.accuracy.n])).toEqual([
      ["mlp", "lesion", 0, 1],
      ["lsm", "lesion", 0.5, 2],
    ]);
    expect(s.robustness[1]!.accuracy.mean).toBeCloseTo(0.7, 12);
    expect(s.robustness[1]!.accuracy.halfWidth).toBeCloseTo(confidenceInterval([0.6, 0.8]).halfWidth, 12);
  });

  it("falls back to the last epoch's testAccuracy when finalTestAccuracy is not recorded", () => {
    const old = summarize(
      {
        scenario,
        seeds: [0, 1, 2],
        learners,
        rows: rows.filter((r) => r.metric === "testAccuracy" || r.learner === "lsm"),
      },
      "9.9.9",
    );
    // mlp has only testAccuracy, lsm only finalTestAccuracy: compared under finalTestAccuracy.
    const acc = old.comparisons.find((c) => c.metric === "finalTestAccuracy")!;
    expect(acc.meanA).toBeCloseTo(0.92333333, 6);
  });
});

describe("censored samples-to-criterion", () => {
  it("is not Welch-tested when a seed never reached the criterion", async () => {
    const { summarize } = await import("../src/runs/results.js");
    const rows = [1, 2, 3, 4, 5].flatMap((seed) => [
      { learner: "A", seed, epoch: 1, metric: "samplesToCriterion", value: seed <= 2 ? 1000 + seed * 50 : NaN },
      { learner: "B", seed, epoch: 1, metric: "samplesToCriterion", value: 2000 + (seed % 3) * 50 },
    ]);
    const info = (name: string) => ({ name, type: "mlp", base: name, params: {} });
    const s = summarize(
      {
        scenario: { evaluation: { costSamples: 0, criterionAccuracy: 0.9 } } as never,
        seeds: [1, 2, 3, 4, 5],
        learners: [info("A"), info("B")],
        rows,
      },
      "0",
    );
    const c = s.comparisons.find((x) => x.metric === "samplesToCriterion")!;
    expect(Number.isNaN(c.p)).toBe(true);
    expect(c.reason).toMatch(/censored.*2 of 5/);
  });
});
