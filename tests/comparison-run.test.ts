// References: the definitions written in src/scenario/learning-metrics.ts and
// robustness.ts (area under the learning curve by the trapezoid rule from
// chance, samples to criterion at epoch resolution, forgetting as accuracy
// just after a phase minus at the end, the 45 nm energy convention of
// Horowitz, ISSCC 2014: MAC 4.6 pJ, AC 0.9 pJ, DRAM access 640 pJ), checked on hand-computed values; the sweep grid is the
// Cartesian product of each learner's swept values.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { ScenarioError } from "../src/core/errors.js";
import { parseScenarioText } from "../src/scenario/parse.js";
import { runScenario } from "../src/runs/run.js";
import { costMetrics, forgettingMetrics, learningMetrics } from "../src/runs/learning-metrics.js";
import { lesionSynapses, noisyCopy } from "../src/runs/robustness.js";
import { expandSweep } from "../src/scenario/sweep.js";

const mlp = {
  type: "mlp",
  hidden: [8],
  activation: "tanh",
  optimizer: { type: "sgd", learningRate: 0.2, momentum: 0.9 },
  batchSize: 8,
};

describe("learning metrics", () => {
  it("computes final, best, AULC, samples to criterion and training time by hand", () => {
    const curve = [
      { samplesSeen: 100, testAccuracy: 0.7, wallMs: 10 },
      { samplesSeen: 200, testAccuracy: 0.9, wallMs: 12 },
      { samplesSeen: 300, testAccuracy: 0.8, wallMs: 11 },
    ];
    const m = learningMetrics(curve, 2, 0.85);
    expect(m.finalTestAccuracy).toBe(0.8);
    expect(m.bestTestAccuracy).toBe(0.9);
    // trapezoids from (0, 0.5): (0.5+0.7)/2·100 + (0.7+0.9)/2·100 + (0.9+0.8)/2·100 = 60 + 80 + 85 = 225, / 300
    expect(m.aulc).toBeCloseTo(0.75, 12);
    expect(m.samplesToCriterion).toBe(200);
    expect(m.trainingTimeMs).toBe(33);
    expect(Number.isNaN(learningMetrics(curve, 2, 0.95).samplesToCriterion)).toBe(true);
    expect(learningMetrics(curve, 2, undefined).samplesToCriterion).toBeUndefined();
  });

  it("prices operations at 4.6 pJ per MAC and 0.9 pJ per AC, plus 640 pJ per memory access", () => {
    const m = costMetrics(
      {
        denseOps: 1000,
        effectiveMacs: 100,
        effectiveAcs: 50,
        activationSparsity: 0.5,
        membraneUpdates: 7,
        footprintBytes: 64,
        memoryAccesses: 10,
      },
      [new Float32Array([0, 1, 2, 0]), new Float32Array([3, 0])],
    );
    expect(m.energyPj).toBeCloseTo(100 * 4.6 + 50 * 0.9, 9);
    expect(m.energyWithMemoryPj).toBeCloseTo(505 + 6400, 9);
    expect(m.connectionSparsity).toBeCloseTo(3 / 6, 12);
    // Sparse storage: 6 stored of 20 possible, 3 of the stored zero → 17 of 20 absent or zero.
    expect(
      costMetrics(
        {
          denseOps: 0,
          effectiveMacs: 0,
          effectiveAcs: 0,
          activationSparsity: 0,
          membraneUpdates: 0,
          footprintBytes: 0,
          memoryAccesses: 0,
        },
        [new Float32Array([0, 1, 2, 0]), new Float32Array([3, 0])],
        20,
      ).connectionSparsity,
    ).toBeCloseTo(17 / 20, 12);
  });

  it("measures forgetting as accuracy just after a phase minus at the end", () => {
    const f = forgettingMetrics(["a", "b", "c"], [0.9, 0.8, 0.7], [0.5, 0.6, 0.7]);
    expect(f["forgetting[a]"]).toBeCloseTo(0.4, 12);
    expect(f["forgetting[b]"]).toBeCloseTo(0.2, 12);
    expect(f.forgetting).toBeCloseTo(0.3, 12);
  });
});

describe("robustness primitives", () => {
  it("lesions exactly the requested share of the live synapses and undoes it bit for bit", () => {
    const a = new Float32Array(600).map((_, i) => (i % 3 === 0 ? 0 : i + 0.5));
    const b = new Float32Array(400).map((_, i) => -(i + 1));
    const before = [Float32Array.from(a), Float32Array.from(b)];
    const live = 400 + 400;
    const undo = lesionSynapses([a, b], 0.25, Rng.fromSeed(3));
    let zeros = 0;
    for (const w of [a, b]) for (const v of w) if (v === 0) zeros++;
    expect(zeros - 200).toBe(Math.round(0.25 * live));
    // Random lesions fall on both arrays in proportion (the control prefers none): ~100 each of 200.
    const lostA = [...a].filter((v, i) => v === 0 && before[0]![i] !== 0).length;
    expect(lostA).toBeGreaterThan(70);
    expect(lostA).toBeLessThan(130);
    undo();
    expect(a).toEqual(before[0]);
    expect(b).toEqual(before[1]);
  });

  it("adds noise with the requested spread and clips it to the feature range", () => {
    const x = new Float32Array(20_000).fill(0.5);
    const ds = noisyCopy(
      { x, y: new Int32Array(20_000), count: 20_000 },
      { inputSize: 1, classes: 2, featureRange: { min: 0, max: 1 } },
      0.1,
      Rng.fromSeed(1),
    );
    let s = 0;
    let s2 = 0;
    for (const v of ds.x) {
      s += v;
      s2 += v * v;
    }
    const m = s / 20_000;
    expect(m).toBeCloseTo(0.5, 2);
    expect(Math.sqrt(s2 / 20_000 - m * m)).toBeCloseTo(0.1, 2);
    const wide = noisyCopy(
      { x, y: new Int32Array(20_000), count: 20_000 },
      { inputSize: 1, classes: 2, featureRange: { min: 0, max: 1 } },
      5,
      Rng.fromSeed(1),
    );
    expect(Math.min(...wide.x)).toBe(0);
    expect(Math.max(...wide.x)).toBe(1);
  });
});

describe("sweeps", () => {
  it("expands each learner's swept values into their Cartesian product, with labels and params", () => {
    const s = parseScenarioText(
      JSON.stringify({
        name: "sw",
        description: "d",
        task: { type: "xor", trainSize: 40, testSize: 20 },
        epochs: 1,
        learners: [mlp, { ...mlp, name: "other" }],
        sweep: [
          { learner: "mlp", parameter: "hidden", values: [[4], [8, 4]] },
          { learner: "mlp", parameter: "optimizer.learningRate", values: [0.1, 0.01, 0.001] },
        ],
      }),
      "sw.json",
    );
    const { learners, problems } = expandSweep(s.learners, s.sweep);
    expect(problems).toEqual([]);
    expect(learners.map((l) => l.info.name)).toEqual([
      "mlp hidden=4 optimizer.learningRate=0.1",
      "mlp hidden=4 optimizer.learningRate=0.01",
      "mlp hidden=4 optimizer.learningRate=0.001",
      "mlp hidden=8x4 optimizer.learningRate=0.1",
      "mlp hidden=8x4 optimizer.learningRate=0.01",
      "mlp hidden=8x4 optimizer.learningRate=0.001",
      "other",
    ]);
    expect(learners[4]!.info.params).toEqual({ hidden: "8x4", "optimizer.learningRate": 0.01 });
    expect(learners[6]!.info.params).toEqual({});
    const cfg = learners[4]!.config as { hidden: number[]; optimizer: { learningRate: number } };
    expect(cfg.hidden).toEqual([8, 4]);
    expect(cfg.optimizer.learningRate).toBe(0.01);
  });

  it("rejects a sweep value the learner's schema does not accept, naming the place", () => {
    const text = JSON.stringify(
      {
        name: "sw",
        description: "d",
        task: { type: "xor" },
        epochs: 1,
        learners: [mlp],
        sweep: [{ learner: "mlp", parameter: "optimizer.learningRate", values: [0.1, -3] }],
      },
      null,
      2,
    );
    expect(() => parseScenarioText(text, "sw.json")).toThrow(ScenarioError);
    try {
      parseScenarioText(text, "sw.json");
    } catch (e) {
      expect(String((e as Error).message)).toMatch(/sweep\[0\]\.values\[1\]|sweep\.0\.values\.1/);
    }
    const unknown = JSON.stringify({
      name: "sw",
      description: "d",
      task: { type: "xor" },
      epochs: 1,
      learners: [mlp],
      sweep: [{ learner: "nope", parameter: "hidden", values: [[3]] }],
    });
    expect(() => parseScenarioText(unknown, "sw.json")).toThrow(/nope/);
  });
});

describe("a comparison run", () => {
  const scenario = {
    name: "cmp",
    description: "d",
    task: { type: "xor", trainSize: 200, testSize: 100, noise: 0.1 },
    epochs: 4,
    seeds: [1],
    learners: [mlp],
    evaluation: {
      costSamples: 20,
      criterionAccuracy: 0.9,
      robustness: { lesion: [0, 0.5, 1], noise: [0, 0.3], silence: [0, 1], samples: 100 },
    },
  };

  it("records learning, cost and robustness metrics, and a lesion of everything costs the accuracy", () => {
    const r = runScenario(parseScenarioText(JSON.stringify(scenario), "cmp.json"));
    const last = new Map(r.rows.filter((x) => x.epoch === 4).map((x) => [x.metric, x.value]));
    for (const m of [
      "finalTestAccuracy",
      "bestTestAccuracy",
      "aulc",
      "samplesToCriterion",
      "trainingTimeMs",
      "samplesSeen",
    ])
      expect(last.has(m), m).toBe(true);
    expect(last.get("samplesSeen")).toBe(800);
    expect(last.get("finalTestAccuracy")).toBe(last.get("testAccuracy"));
    const lesion = r.robustness.filter((x) => x.kind === "lesion");
    expect(lesion.map((x) => x.level)).toEqual([0, 0.5, 1]);
    expect(lesion[0]!.accuracy).toBeCloseTo(last.get("testAccuracy")!, 12); // all 100 test samples
    expect(lesion[2]!.accuracy).toBeLessThan(0.75); // no weights left: at most the majority class
    expect(r.robustness.filter((x) => x.kind === "noise")[0]!.accuracy).toBeCloseTo(last.get("testAccuracy")!, 12);
  });

  it("trains a continual sequence phase by phase and reports forgetting", () => {
    const r = runScenario(
      parseScenarioText(
        JSON.stringify({
          ...scenario,
          task: { type: "moons", trainSize: 300, testSize: 200, noise: 0.1 },
          epochs: 3,
          evaluation: { costSamples: 0 },
          continual: {
            phases: [
              { name: "first", classes: [0] },
              { name: "second", classes: [1] },
            ],
          },
        }),
        "c.json",
      ),
    );
    const at = (epoch: number, metric: string) => r.rows.find((x) => x.epoch === epoch && x.metric === metric)!.value;
    // Trained on class 0 only, the learner answers 0 for everything; then class 1 only: it forgets class 0.
    expect(at(3, "testAccuracy[first]")).toBeGreaterThan(0.95);
    expect(at(6, "testAccuracy[second]")).toBeGreaterThan(0.95);
    expect(at(6, "forgetting")).toBeCloseTo(at(3, "testAccuracy[first]") - at(6, "testAccuracy[first]"), 12);
    expect(at(6, "forgetting")).toBeGreaterThan(0.5);
    expect(at(6, "samplesSeen")).toBe(6 * 150); // three epochs of each phase's 150 samples
  });
});

describe("lesions reach what evaluate uses", () => {
  it("a surrogate network evaluated with Polyak averages loses accuracy when every synapse is lesioned, and recovers exactly", () => {
    const r = runScenario(
      parseScenarioText(
        JSON.stringify({
          name: "sl",
          description: "d",
          task: { type: "moons", trainSize: 200, testSize: 100, noise: 0.1 },
          epochs: 3,
          seeds: [1],
          learners: [
            {
              type: "surrogate",
              hidden: [16],
              steps: 8,
              averageDecay: 0.9,
              batchSize: 16,
              optimizer: { type: "adam", learningRate: 0.01 },
            },
          ],
          evaluation: { costSamples: 0, robustness: { lesion: [0, 1, 0], samples: 100 } },
        }),
        "sl.json",
      ),
    );
    const acc = r.robustness.map((x) => x.accuracy);
    expect(acc[0]).toBeGreaterThan(0.75);
    expect(acc[1]).toBeLessThan(0.65); // no synapse left: no spikes reach the output
    expect(acc[2]).toBe(acc[0]); // undone bit for bit
  });
});

describe("robustness points do not depend on each other", () => {
  // A liquid-state learner evaluates with Poisson input: without a saved state,
  // every evaluation would move the noise stream and change the next point.
  const lsm = (robustness: object) =>
    runScenario(
      parseScenarioText(
        JSON.stringify({
          name: "ro",
          description: "d",
          task: { type: "moons", trainSize: 120, testSize: 80, noise: 0.1 },
          epochs: 2,
          seeds: [1],
          learners: [{ type: "lsm", hidden: 40, durationMs: 40, batchSize: 8 }],
          evaluation: { costSamples: 0, robustness: { samples: 80, ...robustness } },
        }),
        "ro.json",
      ),
    );
  it("gives the same figure for a point alone and after others, and for a repeated level", () => {
    const alone = lsm({ lesion: [0.5] }).robustness[0]!.accuracy;
    const after = lsm({ lesion: [0.2, 0.5] }).robustness[1]!.accuracy;
    expect(after).toBe(alone);
    const twice = lsm({ noise: [0, 0] }).robustness;
    expect(twice[1]!.accuracy).toBe(twice[0]!.accuracy);
  });
  it("leaves the firing rates measured after it unchanged", () => {
    const a = lsm({ noise: [0.1] }).firingRates[0]!.rateHz;
    const b = lsm({ noise: [0.1, 0.2, 0.3] }).firingRates[0]!.rateHz;
    expect(b).toEqual(a);
  });
});

describe("pruning schedules in a continual sequence", () => {
  it("count the samples each phase really trains on: a schedule that cannot finish is refused before training", () => {
    const s = (applications: number) =>
      parseScenarioText(
        JSON.stringify({
          name: "cp",
          description: "d",
          task: { type: "moons", trainSize: 40, testSize: 20 },
          epochs: 1,
          seeds: [1],
          learners: [
            {
              ...mlp,
              pruning: {
                criterion: "magnitude",
                schedule: { type: "constant-rate", every: { samples: 4 }, applications, targetDensity: 0.2 },
              },
            },
          ],
          continual: {
            phases: [
              { name: "a", classes: [0] },
              { name: "b", classes: [1] },
            ],
          },
          evaluation: { costSamples: 0 },
        }),
        "cp.json",
      );
    // 20 + 20 samples in all, not 40 per phase: 10 applications fit, 20 do not.
    expect(() => runScenario(s(20))).toThrow(/needs 20 applications but training gives only 10/);
    const r = runScenario(s(10));
    const density = r.rows.filter((x) => x.metric === "connectionDensity").map((x) => x.value);
    expect(density[density.length - 1]).toBe(6 / 32); // round(0.2 · 32 weights of 2-8-2) live at the end
  });
});

describe("sweep edge cases", () => {
  const base = {
    name: "sw",
    description: "d",
    task: { type: "xor", trainSize: 40, testSize: 20 },
    epochs: 1,
    learners: [mlp],
  };
  it("refuses paths into JavaScript's object machinery and leaves Object.prototype alone", () => {
    const text = JSON.stringify({ ...base, sweep: [{ learner: "mlp", parameter: "__proto__.polluted", values: [1] }] });
    expect(() => parseScenarioText(text, "sw.json")).toThrow(ScenarioError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it("refuses two grid points with one label", () => {
    const text = JSON.stringify({ ...base, sweep: [{ learner: "mlp", parameter: "hidden", values: [[4], [4]] }] });
    expect(() => parseScenarioText(text, "sw.json")).toThrow(/two points labelled "mlp hidden=4"/);
  });
  it("reports a value that fails only in combination with another swept setting", () => {
    const text = JSON.stringify({
      ...base,
      sweep: [
        { learner: "mlp", parameter: "optimizer.type", values: ["adam", "sgd"] },
        { learner: "mlp", parameter: "optimizer.beta1", values: [0.9] },
      ],
    });
    expect(() => parseScenarioText(text, "sw.json")).toThrow(/optimizer\.type=sgd/);
  });
  it("gives every point the base learner's stream: the same initial weights", () => {
    const r = runScenario(
      parseScenarioText(
        JSON.stringify({
          ...base,
          seeds: [1],
          evaluation: { costSamples: 0 },
          sweep: [{ learner: "mlp", parameter: "optimizer.learningRate", values: [1e-12, 2e-12] }],
        }),
        "sw.json",
      ),
    );
    const first = (name: string) => r.rows.find((x) => x.learner === name && x.metric === "meanWeight")!.value;
    // With learning rates this small the weights stay at their initial values: equal if and only if the streams are.
    expect(first("mlp optimizer.learningRate=1e-12")).toBeCloseTo(first("mlp optimizer.learningRate=2e-12"), 9);
  });
});

describe("continual phases are checked against the task before anything runs", () => {
  it("names a class label the task does not have", () => {
    const text = JSON.stringify({
      name: "c",
      description: "d",
      task: { type: "moons" },
      learners: [mlp],
      epochs: 1,
      continual: {
        phases: [
          { name: "a", classes: [0] },
          { name: "b", classes: [1, 2] },
        ],
      },
    });
    expect(() => parseScenarioText(text, "c.json")).toThrow(/continual\.phases\[1\]\.classes\[1\].*below 2/);
  });
});
