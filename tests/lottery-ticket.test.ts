// References: Frankle & Carbin 2019 (ICLR): a winning ticket is the pruned
// network with its surviving weights reset to their values at initialisation,
// bit for bit; its control keeps the same mask with freshly drawn initial
// values; both are trained again and compared on the epochs to reach the dense
// network's accuracy. Han et al. 2015 prune each layer to its own density
// (LeNet-300-100 to 8%, 9% and 26%). The densities below are exact integer
// arithmetic, round(d · possible) weights per layer.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { createLearner } from "../src/learners/registry.js";
import { MlpLearner, mlpConfigSchema } from "../src/learners/mlp.js";
import { checkMetricsCsv } from "../src/runs/check-results.js";
import { pruningHooks } from "../src/runs/pruning-hooks.js";
import type { Task } from "../src/tasks/task.js";

/** 20 inputs, 4 classes, 96 training samples: a class is the quarter of the inputs that is bright. */
function quarters(): Task {
  const n = 96;
  const x = new Float32Array(n * 20);
  const y = new Int32Array(n);
  const rng = Rng.fromSeed(12);
  for (let s = 0; s < n; s++) {
    y[s] = s % 4;
    for (let i = 0; i < 20; i++) x[s * 20 + i] = (Math.floor(i / 5) === y[s] ? 0.8 : 0.1) + 0.2 * rng.next();
  }
  const ds = { x, y, count: n };
  return {
    name: "quarters",
    description: "bright quarter",
    shape: { inputSize: 20, classes: 4, featureRange: { min: 0, max: 1 } },
    train: ds,
    test: ds,
  };
}

const MLP = {
  type: "mlp",
  hidden: [12, 8],
  optimizer: { type: "adam", learningRate: 0.01 },
  batchSize: 8,
} as const;

/** Bits of a float array, so equality is bit-for-bit (0 and -0, NaN payloads distinguished). */
function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

function setup(rewind: "init" | "reinit" | "none", iterative: Record<string, unknown>, epochs = 4) {
  const task = quarters();
  const config = mlpConfigSchema.parse({
    ...MLP,
    pruning: {
      criterion: "magnitude",
      scope: "per-layer",
      iterative: { firstEpoch: 1, retrainEpochs: 1, rewind, ...iterative },
    },
  });
  const learner = new MlpLearner(config, task.shape, Rng.fromSeed(5).fork("init"));
  const initial = learner
    .structure()
    .rewindable()!
    .map((p) => p.value.slice());
  const hooksRng = Rng.fromSeed(5).fork("hooks");
  const hooks = pruningHooks({
    config,
    learner,
    task,
    epochs,
    trainSamples: epochs * task.train.count,
    rng: hooksRng,
  })!;
  const train = () => {
    for (let b = 0; b + 8 <= task.train.count; b += 8)
      learner.trainBatch(task.train.x.subarray(20 * b, 20 * b + 160), task.train.y.subarray(b, b + 8), 8);
  };
  return { task, config, learner, initial, hooks, hooksRng, train };
}

describe("lottery-ticket rewinding", () => {
  it("puts every surviving weight and bias back to its saved initial value, bit for bit, after every round", () => {
    const { learner, initial, hooks, train } = setup("init", { densities: [0.6, 0.35, 0.2] });
    for (let epoch = 1; epoch <= 3; epoch++) {
      train();
      hooks.endOfEpoch!(epoch);
      learner
        .structure()
        .rewindable()!
        .forEach((p, k) => {
          const expected = initial[k]!.slice();
          if (p.mask !== undefined) for (let i = 0; i < expected.length; i++) if (p.mask[i] === 0) expected[i] = 0;
          expect(bits(p.value)).toEqual(bits(expected));
        });
    }
  });

  it("its control keeps the ticket's mask but draws fresh initial values after the last round", () => {
    const rounds = { densities: [0.6, 0.35, 0.2] };
    const ticket = setup("init", rounds);
    const control = setup("reinit", rounds);
    for (let epoch = 1; epoch <= 3; epoch++) {
      ticket.train();
      control.train();
      ticket.hooks.endOfEpoch!(epoch);
      control.hooks.endOfEpoch!(epoch);
    }
    const t = ticket.learner.structure().rewindable()!;
    const c = control.learner.structure().rewindable()!;
    // The same stream up to the last round: the same masks.
    t.forEach((p, k) => expect(c[k]!.mask).toEqual(p.mask));
    // The fresh values are those of a learner of the same config drawn from the stream fork("pruning").fork("reinit").
    const fresh = createLearner(control.config, control.task.shape, control.hooksRng.fork("pruning").fork("reinit"));
    const drawn = fresh.structure!().rewindable()!;
    let differ = 0;
    let survivors = 0;
    c.forEach((p, k) => {
      if (p.mask !== undefined) for (let i = 0; i < p.mask.length; i++) survivors += p.mask[i]!;
      const expected = drawn[k]!.value.slice();
      if (p.mask !== undefined) for (let i = 0; i < expected.length; i++) if (p.mask[i] === 0) expected[i] = 0;
      expect(bits(p.value)).toEqual(bits(expected));
      for (let i = 0; i < p.value.length; i++) if (p.value[i] !== t[k]!.value[i]) differ++;
    });
    // Every surviving weight differs from the ticket's initial value (biases too, where they are drawn at random).
    expect(survivors).toBe(Math.round(0.2 * (240 + 96 + 32)));
    expect(differ).toBeGreaterThanOrEqual(survivors);
  });

  it("counts the epochs after the last round until the dense network's best test accuracy is reached", () => {
    const { hooks, train } = setup("init", { densities: [0.5], firstEpoch: 3 }, 8);
    const accuracy = [0.5, 0.7, 0.65, 0.3, 0.6, 0.71, 0.69, 0.8];
    const seen: Record<string, number>[] = [];
    accuracy.forEach((acc, i) => {
      const epoch = i + 1;
      train();
      hooks.endOfEpoch!(epoch);
      seen.push(hooks.afterTest!(epoch, acc));
    });
    // Dense: epochs 1 and 2 (best 0.7); the only round at epoch 3; 0.71 ≥ 0.7 first at epoch 6.
    expect(seen[0]).toEqual({});
    expect(seen[2]!["epochsToDense"]).toBeNaN();
    expect(seen[4]!["epochsToDense"]).toBeNaN();
    expect(seen[5]).toEqual({ denseTestAccuracy: 0.7, epochsToDense: 3 });
    expect(seen[7]).toEqual({ denseTestAccuracy: 0.7, epochsToDense: 3 });
  });
});

describe("per-layer densities (Han et al. 2015)", () => {
  it("prunes each layer to its own density in each round", () => {
    const rounds = [
      [0.5, 0.6, 0.9],
      [0.25, 0.3, 0.6],
    ];
    const { learner, hooks, train } = setup("none", { layerDensities: rounds });
    const layers = learner.structure().layers!();
    const possible = layers.map((l) => l.possible);
    expect(possible).toEqual([20 * 12, 12 * 8, 8 * 4]);
    for (let epoch = 1; epoch <= 2; epoch++) {
      train();
      const m = hooks.endOfEpoch!(epoch);
      const now = learner.structure().layers!();
      now.forEach((l, k) => expect(l.remaining).toBe(Math.round(rounds[epoch - 1]![k]! * possible[k]!)));
      expect(m["synapseCount"]).toBe(now.reduce((a, l) => a + l.remaining, 0));
    }
  });

  it("refuses a round with the wrong number of layers or a global scope", () => {
    const task = quarters();
    const build = (pruning: unknown) => {
      const config = mlpConfigSchema.parse({ ...MLP, pruning });
      const learner = new MlpLearner(config, task.shape, Rng.fromSeed(1));
      return () => pruningHooks({ config, learner, task, epochs: 4, trainSamples: 400, rng: Rng.fromSeed(1) });
    };
    expect(build({ scope: "per-layer", iterative: { layerDensities: [[0.5, 0.5]], firstEpoch: 1 } })).toThrow(
      /one density per prunable layer \(3 here\), found 2/,
    );
    expect(build({ scope: "global", iterative: { layerDensities: [[0.5, 0.5, 0.5]], firstEpoch: 1 } })).toThrow(
      /expected "per-layer"/,
    );
    expect(() => mlpConfigSchema.parse({ ...MLP, pruning: { iterative: { firstEpoch: 1 } } })).toThrow(
      /exactly one of `densities` and `layerDensities`/,
    );
  });
});

describe("report checks", () => {
  it("accept NaN for epochsToDense (a seed that never reached the dense accuracy) but not for testAccuracy", () => {
    const expected = { learners: ["ticket"], seeds: [1], epochs: 1 };
    const csv = (metric: string) =>
      `learner,seed,epoch,metric,value\nticket,1,1,testAccuracy,0.9\nticket,1,1,trainLoss,0.1\nticket,1,1,${metric},NaN\n`;
    expect(checkMetricsCsv(csv("epochsToDense"), "m.csv", expected).rows).toHaveLength(3);
    expect(() => checkMetricsCsv(csv("finalTestAccuracy"), "m.csv", expected)).toThrow(/finite number/);
  });
});
