// Reference: the end-to-end wiring of the `pruning` config block (src/scenario/pruning-hooks.ts):
// counts per epoch must equal the pure schedule plan (schedule.ts) applied to the learner's
// synapse count, masks must survive the learners' own updates (optimiser steps; STDP and
// normalisation for Diehl & Cook), and the activity criterion must remove unused synapses.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { UserError } from "../src/core/errors.js";
import { DiehlCookLearner, diehlCookConfigSchema } from "../src/learners/diehl-cook.js";
import { MlpLearner, mlpConfigSchema } from "../src/learners/mlp.js";
import { learnerConfigSchema } from "../src/learners/registry.js";
import { pruningConfigSchema } from "../src/plasticity/pruning/config.js";
import { schedulePlan, type PruningScheduleConfig } from "../src/plasticity/pruning/schedule.js";
import { parseScenarioText } from "../src/scenario/parse.js";
import { pruningHooks } from "../src/runs/pruning-hooks.js";
import type { MetricRow } from "../src/runs/results.js";
import { runScenario } from "../src/runs/run.js";
import type { Task } from "../src/tasks/task.js";
import { ordering } from "../src/report/navlakha-order.js";
import { accuracyAtDensityPoints, pruningCharts } from "../src/report/pruning-charts.js";

const MLP = { type: "mlp", hidden: [6], optimizer: { type: "sgd", learningRate: 0.1 }, batchSize: 8 };
/** moons: 2 inputs → 6 → 2 classes: 12 + 12 = 24 prunable weights. */
const POSSIBLE = 24;

function scenario(learners: unknown[], epochs: number, trainSize = 80) {
  return parseScenarioText(
    JSON.stringify({
      name: "prune-wiring",
      description: "d",
      task: { type: "moons", trainSize, testSize: 40, noise: 0.2 },
      learners,
      epochs,
      seeds: [3],
    }),
    "prune-wiring.json",
  );
}

function series(rows: MetricRow[], learner: string, metric: string): number[] {
  return rows
    .filter((r) => r.learner === learner && r.metric === metric)
    .sort((a, b) => a.epoch - b.epoch)
    .map((r) => r.value);
}

describe("pruning schedules through runScenario", () => {
  const kinds: PruningScheduleConfig["type"][] = ["constant-rate", "increasing-rate", "decreasing-rate"];
  for (const type of kinds) {
    it(`${type} every epoch: prunedCount and synapseCount follow the plan`, () => {
      const schedule = { type, every: "epoch", applications: 4, targetDensity: 0.25 } as const;
      const learner = { ...MLP, name: type, pruning: { criterion: "magnitude", schedule } };
      const rows = runScenario(scenario([learner], 5)).rows;
      const plan = schedulePlan(pruningConfigSchema.parse({ schedule }).schedule!, {
        initialCount: POSSIBLE,
        possibleCount: POSSIBLE,
      });
      expect(series(rows, type, "prunedCount")).toEqual([...plan.prune, 0]);
      expect(series(rows, type, "synapseCount")).toEqual([...plan.countAfter, plan.countAfter[3]!]);
      expect(series(rows, type, "connectionDensity").at(-1)).toBeCloseTo(6 / POSSIBLE, 12);
      expect(series(rows, type, "grownCount")).toEqual([0, 0, 0, 0, 0]);
    });
  }

  it("every k samples: the applications crossed in each epoch, summed", () => {
    // 80 samples per epoch in batches of 8, k = 20: four applications per epoch, 8 in all over 2 epochs.
    const schedule = {
      type: "decreasing-rate",
      every: { samples: 20 },
      applications: 8,
      targetDensity: 0.25,
      decay: "linear",
    } as const;
    const rows = runScenario(scenario([{ ...MLP, name: "k", pruning: { criterion: "random", schedule } }], 3)).rows;
    const plan = schedulePlan(pruningConfigSchema.parse({ schedule }).schedule!, {
      initialCount: POSSIBLE,
      possibleCount: POSSIBLE,
    });
    const perEpoch = [0, 1, 2].map((e) => plan.prune.slice(4 * e, 4 * e + 4).reduce((a, b) => a + b, 0));
    expect(series(rows, "k", "prunedCount")).toEqual(perEpoch);
    expect(series(rows, "k", "synapseCount")).toEqual([POSSIBLE - perEpoch[0]!, 6, 6]);
  });

  it("the developmental programme rises to 150% of the adult density, then falls to it", () => {
    const schedule = {
      type: "developmental",
      every: "epoch",
      finalDensity: 0.5,
      peakFactor: 1.5,
      growApplications: 2,
      pruneApplications: 3,
      pruneRate: "decreasing-linear",
    } as const;
    const rows = runScenario(
      scenario([{ ...MLP, name: "dev", pruning: { criterion: "magnitude", initialDensity: 0.25, schedule } }], 6),
    ).rows;
    const count = series(rows, "dev", "synapseCount");
    // Start 6 (25%), peak 18 (75% = 1.5 · 50%), adult 12 (50%).
    expect(count[1]).toBe(18);
    expect(count.slice(-2)).toEqual([12, 12]);
    expect(count[0]!).toBeGreaterThan(6);
    expect(count[0]!).toBeLessThan(18);
    for (let e = 2; e < count.length; e++) expect(count[e]!).toBeLessThanOrEqual(count[e - 1]!);
    expect(series(rows, "dev", "grownCount").reduce((a, b) => a + b, 0)).toBe(12);
    expect(series(rows, "dev", "prunedCount").reduce((a, b) => a + b, 0)).toBe(6);
  });

  it("graph measures: a fully connected chain routes every pair in two hops", () => {
    const schedule = { type: "constant-rate", every: "epoch", applications: 1, targetDensity: 1 } as const;
    const rows = runScenario(
      scenario([{ ...MLP, name: "g", pruning: { criterion: "magnitude", schedule, graphMeasures: true } }], 1),
    ).rows;
    expect(series(rows, "g", "graphMeanPathLength")).toEqual([2]);
    expect(series(rows, "g", "graphEfficiency")).toEqual([0.5]);
    expect(series(rows, "g", "graphConnectedFraction")).toEqual([1]);
    expect(series(rows, "g", "robustnessSynapses")[0]!).toBeGreaterThan(0);
    expect(series(rows, "g", "robustnessSynapses")[0]!).toBeLessThanOrEqual(1);
  });
});

function tinyTask(): Task {
  return parseAndBuild();
}

/** The moons task of the scenario helper, built the way the runner builds it. */
function parseAndBuild(): Task {
  const rows = 64;
  const x = new Float32Array(rows * 2);
  const y = new Int32Array(rows);
  const rng = Rng.fromSeed(1);
  for (let i = 0; i < rows; i++) {
    y[i] = i % 2;
    x[2 * i] = rng.normal() + (y[i] === 1 ? 2 : -2);
    x[2 * i + 1] = rng.normal();
  }
  const ds = { x, y, count: rows };
  return {
    name: "blobs",
    description: "two blobs",
    shape: { inputSize: 2, classes: 2, featureRange: { min: -5, max: 5 } },
    train: ds,
    test: ds,
  };
}

describe("masks survive the learner's own updates", () => {
  it("MLP: iterative magnitude pruning with Adam keeps pruned weights at exactly 0; the lottery ticket rewinds survivors", () => {
    const task = tinyTask();
    for (const rewind of ["none", "init"] as const) {
      const config = mlpConfigSchema.parse({
        ...MLP,
        hidden: [16],
        optimizer: { type: "adam", learningRate: 0.01 },
        pruning: {
          criterion: "magnitude",
          scope: "global",
          iterative: { densities: [0.5, 0.2], firstEpoch: 1, retrainEpochs: 1, rewind },
        },
      });
      const learner = new MlpLearner(config, task.shape, Rng.fromSeed(2).fork("init"));
      const w0 = learner
        .structure()
        .rewindable()!
        .map((p) => p.value.slice());
      const hooks = pruningHooks({
        config,
        learner,
        task,
        epochs: 3,
        trainSamples: 3 * task.train.count,
        rng: Rng.fromSeed(2),
      })!;
      const yb = task.train.y.subarray(0, 8);
      for (let epoch = 1; epoch <= 3; epoch++) {
        for (let b = 0; b < 8; b++)
          learner.trainBatch(task.train.x.subarray(16 * b, 16 * b + 16), task.train.y.subarray(8 * b, 8 * b + 8), 8);
        const m = hooks.endOfEpoch!(epoch);
        if (epoch === 1 && rewind === "init") {
          // Just rewound: every survivor is back at its initial value, every pruned weight 0.
          learner
            .structure()
            .rewindable()!
            .forEach((p, k) => {
              for (let i = 0; i < p.value.length; i++)
                expect(p.value[i]).toBe(p.mask === undefined || p.mask[i] === 1 ? w0[k]![i] : 0);
            });
        }
        expect(m.connectionDensity).toBeCloseTo(epoch === 1 ? 0.5 : 0.2, 2);
      }
      // Two more batches of Adam updates after the last round.
      learner.trainBatch(task.train.x.subarray(0, 16), yb, 8);
      let pruned = 0;
      for (const p of learner.structure().rewindable()!) {
        if (p.mask === undefined) continue;
        for (let i = 0; i < p.value.length; i++) {
          if (p.mask[i] === 0) {
            pruned++;
            expect(p.value[i]).toBe(0);
          }
        }
      }
      expect(pruned).toBe(
        learner.structure().counts().possible - Math.round(0.2 * learner.structure().counts().possible),
      );
    }
  });
});

/** Diehl & Cook on 4×4 images: the left half of each image is bright, the right half black. */
function stdpSetup(pruning: unknown, excitatory = 6) {
  const shape = {
    inputSize: 16,
    classes: 2,
    image: { height: 4, width: 4, channels: 1 },
    featureRange: { min: 0, max: 1 },
  };
  const config = diehlCookConfigSchema.parse({
    type: "stdp",
    excitatory,
    presentationMs: 100,
    restMs: 20,
    weightSum: 6,
    initWeightMax: 0.3,
    tauThetaMs: 1e5,
    etaPost: 0.05,
    etaPre: 0.005,
    maxRateHz: 300,
    batchSize: 4,
    pruning,
  });
  const learner = new DiehlCookLearner(config, shape, Rng.fromSeed(4).fork("init"));
  const images = 8;
  const x = new Float32Array(images * 16);
  const y = new Int32Array(images);
  for (let n = 0; n < images; n++) {
    y[n] = n % 2;
    for (let r = 0; r < 4; r++) for (let c = 0; c < 2; c++) x[n * 16 + r * 4 + c] = 0.6 + 0.4 * ((n + r + c) % 2);
  }
  const ds = { x, y, count: images };
  const task: Task = { name: "halves", description: "left-half images", shape, train: ds, test: ds };
  return { config, learner, task, x, y };
}

describe("Diehl & Cook pruning", () => {
  it("pruned synapses stay exactly 0 through STDP and normalisation, and cost no events", () => {
    const { config, learner, task, x, y } = stdpSetup({
      criterion: "random",
      schedule: { type: "constant-rate", applications: 1, targetDensity: 0.5 },
    });
    const hooks = pruningHooks({
      config,
      learner,
      task,
      epochs: 1,
      trainSamples: 1 * task.train.count,
      rng: Rng.fromSeed(5),
    })!;
    learner.trainBatch(x, y, 4);
    const m = hooks.endOfEpoch!(1);
    expect(m.synapseCount).toBe(48);
    const net = learner.network;
    const before = net.weights.slice();
    learner.collectStats();
    learner.trainBatch(x, y, 8);
    const stats = learner.collectStats();
    let changed = 0;
    for (let k = 0; k < net.weights.length; k++) {
      if (net.mask![k] === 0) expect(net.weights[k]).toBe(0);
      else if (net.weights[k] !== before[k]) changed++;
    }
    expect(changed).toBeGreaterThan(10); // STDP and normalisation did act on the live synapses
    // Normalisation, as done before every training image: each neuron's live weights sum to
    // weightSum = 6, none above wMax = 1 (water filling spreads what a capped weight cannot
    // take; 8 live weights can hold 8), pruned ones staying 0. 8 live float32 weights of
    // order 1: the sum is exact to ~8 · 2^-24 · 6 < 1e-5.
    // Training normalised before each image; only the last image's STDP has moved the sums
    // since (measured: 5.875 and 5.928 for the two neurons that learned on it, the rest 6):
    // within 5% of 6. Without normalisation they would be near the initial 8 × 0.15 = 1.2.
    for (let j = 0; j < 6; j++) {
      let sum = 0;
      for (let i = 0; i < 16; i++) sum += net.weights[i * 6 + j]!;
      expect(Math.abs(sum - 6), `neuron ${j} after training: ${sum}`).toBeLessThan(0.3);
    }
    learner.normalizeWeights();
    for (let j = 0; j < 6; j++) {
      let sum = 0;
      let max = 0;
      for (let i = 0; i < 16; i++) {
        sum += net.weights[i * 6 + j]!;
        max = Math.max(max, net.weights[i * 6 + j]!);
        if (net.mask![i * 6 + j] === 0) expect(net.weights[i * 6 + j]).toBe(0);
      }
      expect(max).toBeLessThanOrEqual(config.wMax);
      expect(Math.abs(sum - 6), `neuron ${j}: live weights sum to ${sum}`).toBeLessThan(1e-5);
    }
    expect(stats.synapseCount).toBe(48);
    expect(stats.connectionDensity).toBe(0.5);
    // Each input spike walks only its live synapses: the per-input lists hold exactly the unmasked targets.
    for (let i = 0; i < 16; i++) {
      const live = [...net.liveTargets!.subarray(net.liveRowPtr![i]!, net.liveRowPtr![i + 1]!)];
      const expected = [0, 1, 2, 3, 4, 5].filter((j) => net.mask![i * 6 + j] === 1);
      expect(live).toEqual(expected);
    }
  });

  it("the activity criterion removes the synapses of inputs that never fire; random does not", () => {
    // One excitatory neuron: it fires on every image (boosted until it does), so every bright pixel's synapse is co-active.
    const removedFromDark = (criterion: string) => {
      const { config, learner, task, x, y } = stdpSetup(
        { criterion, schedule: { type: "constant-rate", applications: 1, targetDensity: 0.5 } },
        1,
      );
      const hooks = pruningHooks({
        config,
        learner,
        task,
        epochs: 1,
        trainSamples: 1 * task.train.count,
        rng: Rng.fromSeed(5),
      })!;
      learner.trainBatch(x, y, 8);
      hooks.endOfEpoch!(1);
      let dark = 0;
      for (let i = 0; i < 16; i++) if (i % 4 >= 2 && learner.network.mask![i] === 0) dark++;
      return dark;
    };
    // 8 dark pixels: their 8 synapses were never used, and they are exactly the 8 removed.
    expect(removedFromDark("activity")).toBe(8);
    // The random control does not prefer them (all 8 of 16 drawn by chance: p = 1/12870).
    expect(removedFromDark("random")).toBeLessThan(8);
  });

  it("per-neuron scope: every neuron keeps exactly its largest half", () => {
    const { config, learner, task } = stdpSetup({
      criterion: "magnitude",
      scope: "per-neuron",
      schedule: { type: "constant-rate", applications: 1, targetDensity: 0.5 },
    });
    const net = learner.network;
    const w = net.weights.slice();
    pruningHooks({ config, learner, task, epochs: 1, trainSamples: 1 * task.train.count, rng: Rng.fromSeed(5) })!
      .endOfEpoch!(1);
    for (let j = 0; j < 6; j++) {
      const col = Array.from({ length: 16 }, (_, i) => i * 6 + j);
      const kept = col.filter((k) => net.mask![k] === 1);
      expect(kept.length).toBe(8);
      const sorted = col.map((k) => w[k]!).sort((a, b) => a - b);
      for (const k of kept) expect(w[k]!).toBeGreaterThanOrEqual(sorted[8]!);
    }
  });

  it("growth adds synapses only at free positions, with the growth weight", () => {
    const { config, learner, task } = stdpSetup({
      criterion: "activity",
      initialDensity: 0.25,
      growthWeight: 0.02,
      schedule: {
        type: "developmental",
        finalDensity: 0.5,
        peakFactor: 1.5,
        growApplications: 1,
        pruneApplications: 1,
      },
    });
    const net = learner.network;
    const hooks = pruningHooks({
      config,
      learner,
      task,
      epochs: 2,
      trainSamples: 2 * task.train.count,
      rng: Rng.fromSeed(6),
    })!;
    expect(net.liveCount()).toBe(24);
    const maskBefore = net.mask!.slice();
    const wBefore = net.weights.slice();
    const m = hooks.endOfEpoch!(1);
    expect(m.grownCount).toBe(48);
    expect(m.synapseCount).toBe(72);
    for (let k = 0; k < maskBefore.length; k++) {
      if (maskBefore[k] === 1) expect(net.weights[k]).toBe(wBefore[k]);
      else if (net.mask![k] === 1) expect(net.weights[k]).toBeCloseTo(0.02, 7);
    }
    expect(hooks.endOfEpoch!(2).synapseCount).toBe(48);
  });
});

describe("config errors", () => {
  it("a criterion the learner cannot rank by is a UserError naming the learner", () => {
    const task = tinyTask();
    const config = mlpConfigSchema.parse({
      ...MLP,
      name: "my-mlp",
      pruning: { criterion: "activity", schedule: { type: "constant-rate", applications: 1, targetDensity: 0.5 } },
    });
    const learner = new MlpLearner(config, task.shape, Rng.fromSeed(0));
    const run = () =>
      pruningHooks({ config, learner, task, epochs: 1, trainSamples: 1 * task.train.count, rng: Rng.fromSeed(0) });
    expect(run).toThrow(UserError);
    expect(run).toThrow(/learner "my-mlp" \(type mlp\).*criterion.*"magnitude", "random".*found "activity"/);
  });

  it("a scope the learner cannot rank by is refused", () => {
    const task = tinyTask();
    const config = mlpConfigSchema.parse({
      ...MLP,
      pruning: { scope: "per-neuron", schedule: { type: "constant-rate", applications: 1, targetDensity: 0.5 } },
    });
    expect(() =>
      pruningHooks({
        config,
        learner: new MlpLearner(config, task.shape, Rng.fromSeed(0)),
        task,
        epochs: 1,
        trainSamples: 1 * task.train.count,
        rng: Rng.fromSeed(0),
      }),
    ).toThrow(
      /learner "mlp" \(type mlp\): pruning.scope: expected one of "per-layer", "global" for this learner type, found "per-neuron"/,
    );
  });

  it("a schedule longer than training and rounds past the last epoch are refused", () => {
    const task = tinyTask();
    const make = (pruning: unknown) => {
      const config = mlpConfigSchema.parse({ ...MLP, pruning });
      return () =>
        pruningHooks({
          config,
          learner: new MlpLearner(config, task.shape, Rng.fromSeed(0)),
          task,
          epochs: 2,
          trainSamples: 2 * task.train.count,
          rng: Rng.fromSeed(0),
        });
    };
    expect(make({ schedule: { type: "constant-rate", applications: 3, targetDensity: 0.5 } })).toThrow(
      /needs 3 applications but training gives only 2/,
    );
    expect(make({ iterative: { densities: [0.5, 0.25], firstEpoch: 2 } })).toThrow(
      /last round falls at the end of epoch 3/,
    );
  });

  it("learners without pruning support reject the block when the scenario is parsed", () => {
    expect(
      learnerConfigSchema.safeParse({
        type: "rnn",
        pruning: { schedule: { type: "constant-rate", applications: 1, targetDensity: 0.5 } },
      }).success,
    ).toBe(false);
    expect(() => scenario([{ type: "lsm", pruning: {} }], 1)).toThrow(/pruning/);
    expect(pruningConfigSchema.safeParse({}).success).toBe(false); // neither schedule nor iterative
    expect(pruningConfigSchema.safeParse({ iterative: { densities: [0.5, 0.6], firstEpoch: 1 } }).success).toBe(false);
  });
});

describe("pruning charts", () => {
  const row = (learner: string, seed: number, epoch: number, metric: string, value: number): MetricRow => ({
    learner,
    seed,
    epoch,
    metric,
    value,
  });
  it("reads the accuracy at each density from the last epoch spent there, and draws unpruned learners as references", () => {
    const rows: MetricRow[] = [];
    const density = [1, 0.5, 0.5, 0.1, 0.1];
    const acc = [0.6, 0.4, 0.8, 0.3, 0.7];
    density.forEach((d, e) => {
      rows.push(row("p", 0, e + 1, "connectionDensity", d), row("p", 0, e + 1, "testAccuracy", acc[e]!));
      rows.push(row("u", 0, e + 1, "connectionDensity", 1), row("u", 0, e + 1, "testAccuracy", 0.9));
    });
    expect(accuracyAtDensityPoints(rows, ["p", "u"]).map((p) => [p.learner, p.remaining, p.accuracy, p.epoch])).toEqual(
      [
        ["p", 100, 60, 1],
        ["p", 50, 80, 3],
        ["p", 10, 70, 5],
      ],
    );
    const [chart] = pruningCharts(rows, ["p", "u"]).filter((c) => c.id === "accuracy-at-density");
    expect(chart!.caption).toContain("u (one density throughout, dashed) 90%");
  });

  it("orders by mean and says when intervals overlap", () => {
    expect(
      ordering([
        { learner: "a", mean: 1, lo: 0.9, hi: 1.1 },
        { learner: "b", mean: 2, lo: 1.95, hi: 2.05 },
        { learner: "c", mean: 1.05, lo: 1, hi: 1.1 },
      ]),
    ).toBe("b > c ≈ a");
  });
});
