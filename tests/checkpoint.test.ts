// Checkpoints of every learner type: a unit stopped after epoch k and
// continued from its checkpoint (restored into a freshly built learner) must
// give the same numbers, bit for bit, as the unit run without a stop. The
// reference is the uninterrupted unit itself; the tolerance is zero (Object.is
// on every value), since resume promises a byte-identical metrics.csv. Only
// the wall-clock timing metrics differ between two runs of anything.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { captureState, decodeSnapshot, encodeSnapshot, restoreState } from "../src/core/snapshot.js";
import { TIMING_METRICS } from "../src/runs/results.js";
import { runLearningUnit, TaskCache, type LearningUnitResult } from "../src/runs/learning-unit.js";
import { planLearningUnits } from "../src/runs/plan.js";
import { defaultHookFactories } from "../src/runs/run.js";
import { parseScenarioText } from "../src/scenario/parse.js";

function scenarioWith(learner: object, task: object, epochs = 3, extra: object = {}) {
  return parseScenarioText(
    JSON.stringify({
      name: "ckpt",
      description: "checkpoint continuity",
      task,
      learners: [learner],
      epochs,
      seeds: [7],
      evaluation: { costSamples: 8, robustness: { lesion: [0, 0.5], noise: [0.1], samples: 16 } },
      ...extra,
    }),
    "ckpt.json",
  );
}

function same(a: LearningUnitResult, b: LearningUnitResult): void {
  const strip = (r: LearningUnitResult) =>
    r.rows.filter((x) => !TIMING_METRICS.includes(x.metric)).map((x) => `${x.epoch} ${x.metric} ${String(x.value)}`);
  expect(strip(b)).toEqual(strip(a));
  for (const [x, y] of a.rows
    .filter((r) => !TIMING_METRICS.includes(r.metric))
    .map((r, i) => [r, strip(b)[i]] as const))
    expect(`${x.epoch} ${x.metric} ${String(x.value)}`).toBe(y);
  expect(b.weightHistograms).toEqual(a.weightHistograms);
  expect(b.robustness.map((r) => r.accuracy)).toEqual(a.robustness.map((r) => r.accuracy));
  expect(b.firingRates === null ? null : [...b.firingRates]).toEqual(
    a.firingRates === null ? null : [...a.firingRates],
  );
  expect(b.receptiveFields?.data === undefined ? null : [...b.receptiveFields.data]).toEqual(
    a.receptiveFields?.data === undefined ? null : [...a.receptiveFields.data],
  );
  expect(b.status).toBe(a.status);
}

/** Runs the scenario's first unit straight through, keeping each epoch's checkpoint, then resumes from each. */
function checkContinuity(scenario: ReturnType<typeof scenarioWith>): void {
  const unit = planLearningUnits(scenario, scenario.seeds)[0]!;
  const checkpoints: Uint8Array[] = [];
  const straight = runLearningUnit({
    scenario,
    unit,
    hooks: defaultHookFactories,
    tasks: new TaskCache(),
    saveCheckpoint: (bytes) => checkpoints.push(bytes),
  });
  if (straight.status !== "finished") throw new Error("unit stopped");
  expect(checkpoints.length).toBe(scenario.epochs * (scenario.continual?.phases.length ?? 1));
  for (const k of [1, checkpoints.length - 1]) {
    const epochsRun: number[] = [];
    const resumed = runLearningUnit({
      scenario,
      unit,
      hooks: defaultHookFactories,
      tasks: new TaskCache(),
      checkpoint: checkpoints[k - 1]!,
      observer: { onEpoch: (r) => epochsRun.push(r.epoch) },
    });
    if (resumed.status !== "finished") throw new Error("resumed unit stopped");
    // It trained only the epochs after the checkpoint.
    expect(epochsRun).toEqual(Array.from({ length: checkpoints.length - k }, (_, i) => k + 1 + i));
    same(straight.result, resumed.result);
  }
}

const xor = { type: "xor", trainSize: 48, testSize: 24, noise: 0.1 };
const moons = { type: "moons", trainSize: 64, testSize: 32, noise: 0.1 };
const digits = { type: "mnist", trainSize: 40, testSize: 20 };

describe("checkpoint and resume, bit for bit, per learner type", () => {
  it("mlp: SGD with momentum and weight decay, pruned every 16 samples with regrowth", () => {
    checkContinuity(
      scenarioWith(
        {
          type: "mlp",
          hidden: [8, 6],
          batchSize: 8,
          optimizer: { type: "sgd", learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3 },
          pruning: {
            criterion: "magnitude",
            schedule: { type: "decreasing-rate", every: { samples: 16 }, applications: 6, targetDensity: 0.5 },
            regrowth: { fraction: 0.3 },
          },
        },
        xor,
      ),
    );
  });

  it("mlp: Adam with a lottery ticket (iterative rounds rewound to the initial weights)", () => {
    checkContinuity(
      scenarioWith(
        {
          type: "mlp",
          hidden: [8],
          batchSize: 8,
          optimizer: { type: "adam", learningRate: 0.01 },
          pruning: { criterion: "magnitude", iterative: { densities: [0.6, 0.4], firstEpoch: 1, rewind: "init" } },
        },
        moons,
      ),
    );
  });

  it("cnn: convolution, pooling and Adam over digits", () => {
    checkContinuity(
      scenarioWith(
        {
          type: "cnn",
          layers: [
            { type: "conv", filters: 4, kernel: 5, activation: "relu" },
            { type: "maxpool", size: 4 },
            { type: "dense", units: 10 },
          ],
          batchSize: 8,
        },
        digits,
        2,
      ),
    );
  });

  it("rnn: LSTM and GRU over a cue-recall sequence", () => {
    for (const cell of ["lstm", "gru"])
      checkContinuity(
        scenarioWith(
          { type: "rnn", cell, hidden: 6, batchSize: 8 },
          { type: "cue-recall", steps: 5, classes: 3, trainSize: 40, testSize: 16 },
          2,
        ),
      );
  });

  it("lsm: Poisson input, LIF pool and a trained read-out", () => {
    checkContinuity(scenarioWith({ type: "lsm", hidden: 20, durationMs: 20, batchSize: 8 }, xor));
  });

  it("stdp: Diehl & Cook with adaptive thresholds and activity pruning", () => {
    checkContinuity(
      scenarioWith(
        {
          type: "stdp",
          excitatory: 8,
          presentationMs: 40,
          restMs: 10,
          batchSize: 10,
          pruning: {
            criterion: "activity",
            schedule: { type: "constant-rate", applications: 2, targetDensity: 0.6 },
          },
        },
        digits,
        3,
        { evaluation: { costSamples: 4 } },
      ),
    );
  });

  it("network: Diehl & Cook as data, rests simulated, co-activity pruning per neuron with regrowth", () => {
    const lif = { type: "conductance-lif", tauMs: 100, elMv: -65, eInhMv: -100, vThreshMv: -52, vResetMv: -65 };
    checkContinuity(
      scenarioWith(
        {
          type: "network",
          input: { coding: "rate" },
          groups: [{ name: "exc", size: 8, model: { ...lif, refractoryMs: 5, tauEMs: 1, tauIMs: 2 } }],
          synapses: [
            {
              name: "input->exc",
              source: "input",
              target: "exc",
              targetVar: "ge",
              connect: { rule: "all-to-all" },
              weight: { dist: "uniform", lo: 0.003, hi: 0.303 },
              plasticity: { rule: "triplet-stdp", pairing: "nearest", tauYMs: 40, a3Plus: 0.01, a2Minus: 0.0001 },
              normalize: { targetSum: 78, wMax: 1 },
            },
          ],
          lateralInhibition: [{ via: "population", group: "exc", model: { type: "conductance-lif", tauMs: 10 } }],
          homeostasis: [{ group: "exc" }],
          presentation: { presentationMs: 40, restMs: 10, retry: { minSpikes: 2, maxBoosts: 2 } },
          readout: { type: "assignment", group: "exc", voting: "proportion" },
          batchSize: 10,
          pruning: {
            criterion: "activity",
            scope: "per-neuron",
            schedule: { type: "constant-rate", applications: 2, targetDensity: 0.6 },
            regrowth: { fraction: 0.2 },
          },
        },
        digits,
        3,
        { evaluation: { costSamples: 4 } },
      ),
    );
  });

  it("network: reward-modulated STDP, population coding and a linear readout", () => {
    checkContinuity(
      scenarioWith(
        {
          type: "network",
          dtMs: 1,
          input: { coding: "population", neuronsPerFeature: 4 },
          groups: [{ name: "pool", size: 10, model: { type: "lif" }, initial: { iExt: { uniform: [5, 14] } } }],
          synapses: [
            {
              source: "input",
              target: "pool",
              targetVar: "ge",
              connect: { rule: "probability", p: 0.5 },
              weight: { dist: "normal", mean: 2, std: 4 },
              plasticity: { rule: "reward-stdp", wMin: -20, wMax: 20 },
            },
          ],
          lateralInhibition: [{ via: "direct", group: "pool", weight: -1 }],
          presentation: { presentationMs: 20, restMs: 0, between: "reset" },
          readout: { type: "linear", group: "pool" },
          batchSize: 8,
        },
        xor,
      ),
    );
  });

  it("surrogate: recurrent LIF layers, dropout, Poisson input and weight averaging", () => {
    checkContinuity(
      scenarioWith(
        {
          type: "surrogate",
          hidden: [10],
          steps: 6,
          recurrent: true,
          dropout: 0.2,
          encoding: "poisson",
          averageDecay: 0.9,
          batchSize: 16,
          optimizer: { type: "adam", learningRate: 0.01 },
          pruning: { schedule: { type: "constant-rate", applications: 2, targetDensity: 0.7 } },
        },
        moons,
      ),
    );
  });

  it("a continual-learning sequence resumes inside a later phase", () => {
    checkContinuity(
      scenarioWith({ type: "mlp", hidden: [8], batchSize: 8 }, { type: "moons", trainSize: 64, testSize: 32 }, 2, {
        continual: {
          phases: [
            { name: "a", classes: [0] },
            { name: "b", classes: [1] },
          ],
        },
      }),
    );
  });
});

describe("snapshots", () => {
  it("keep random streams, shared references, exact numbers and views of one buffer", () => {
    const rng = Rng.fromSeed(3);
    rng.next();
    rng.normal(); // leaves a spare normal
    const arena = new Float32Array(8);
    const param = { value: arena.subarray(0, 4) };
    const make = () => {
      const a = new Float32Array(8);
      const p = { value: a.subarray(0, 4) };
      return { rng: Rng.fromSeed(3), arena: a, params: [p], moments: new Map<object, Float32Array>(), odd: [0] };
    };
    const live = {
      rng,
      arena,
      params: [param],
      moments: new Map([[param, Float32Array.of(1, 2)]]),
      odd: [NaN, -0, Infinity],
    };
    arena.set([1, 2, 3, 4, 5, 6, 7, 8]);
    const { snap, meta } = decodeSnapshot(encodeSnapshot(captureState(live), { epoch: 4 }));
    expect(meta).toEqual({ epoch: 4 });
    const fresh = make();
    restoreState(fresh, snap);
    expect(fresh.rng.next()).toBe(rng.next());
    expect(fresh.rng.normal()).toBe(rng.normal());
    expect([...fresh.arena]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // The parameter is still a view of the arena, and the moments are keyed by the fresh parameter.
    fresh.arena[0] = 42;
    expect(fresh.params[0]!.value[0]).toBe(42);
    expect([...fresh.moments.get(fresh.params[0]!)!]).toEqual([1, 2]);
    expect(Object.is(fresh.odd[1], -0)).toBe(true);
    expect(fresh.odd[0]).toBeNaN();
    expect(fresh.odd[2]).toBe(Infinity);
  });

  it("refuse a damaged file", () => {
    const bytes = encodeSnapshot(captureState({ a: new Float64Array(100) }), null);
    expect(() => decodeSnapshot(bytes.subarray(0, bytes.length - 50))).toThrow(/past the end/);
    expect(() => decodeSnapshot(new Uint8Array(20))).toThrow(/not a checkpoint/);
  });
});
