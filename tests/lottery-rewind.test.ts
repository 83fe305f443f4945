// Reference: Frankle & Carbin 2019 rewind the surviving weights to their
// initial values and train again from there; a rewound network must then
// behave exactly like a new one with those weights: no optimiser state
// (momentum, Adam moments) and no weight averages left from before.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { createLearner, learnerConfigSchema } from "../src/learners/registry.js";
import type { Learner } from "../src/learners/learner.js";
import type { StructuralPlasticity } from "../src/plasticity/pruning/structural.js";
import { rewindWeights, snapshotWeights } from "../src/plasticity/pruning/lottery-ticket.js";
import { createTask, taskConfigSchema } from "../src/tasks/registry.js";

const task = createTask(
  taskConfigSchema.parse({ type: "moons", trainSize: 64, testSize: 64, noise: 0.1 }),
  Rng.fromSeed(1).fork("task"),
);

function build(raw: object): Learner & { structure(): StructuralPlasticity } {
  return createLearner(learnerConfigSchema.parse(raw), task.shape, Rng.fromSeed(3).fork("init")) as Learner & {
    structure(): StructuralPlasticity;
  };
}

function afterOneBatch(l: Learner): Int32Array {
  l.trainBatch(task.train.x.subarray(0, 16 * 2), task.train.y.subarray(0, 16), 16);
  const pred = new Int32Array(task.test.count);
  l.evaluate(task.test.x, task.test.y, task.test.count, pred);
  return pred;
}

describe("lottery-ticket rewind", () => {
  for (const raw of [
    { type: "mlp", hidden: [16], optimizer: { type: "sgd", learningRate: 0.1, momentum: 0.9 }, batchSize: 16 },
    {
      type: "surrogate",
      hidden: [16],
      steps: 6,
      averageDecay: 0.9,
      optimizer: { type: "adam", learningRate: 0.01 },
      batchSize: 16,
    },
  ]) {
    it(`leaves ${raw.type} exactly like a new learner with the initial weights`, () => {
      const trained = build(raw);
      const initial = snapshotWeights(trained.params());
      for (let e = 0; e < 5; e++) {
        for (let s = 0; s + 16 <= task.train.count; s += 16)
          trained.trainBatch(task.train.x.subarray(s * 2, (s + 16) * 2), task.train.y.subarray(s, s + 16), 16);
      }
      rewindWeights(trained.params(), initial);
      trained.structure().rewound!();
      const fresh = build(raw);
      const a = new Int32Array(task.test.count);
      const b = new Int32Array(task.test.count);
      trained.evaluate(task.test.x, task.test.y, task.test.count, a);
      fresh.evaluate(task.test.x, task.test.y, task.test.count, b);
      expect(a).toEqual(b);
      // The next step starts from no momentum / no Adam moments, as a new learner's does.
      expect(afterOneBatch(trained)).toEqual(afterOneBatch(fresh));
      trained.params().forEach((p, i) => expect(p.value).toEqual(fresh.params()[i]!.value));
    });
  }
});

describe("growth under weight averaging", () => {
  it("starts a grown synapse's Polyak average at its new weight", () => {
    const raw = {
      type: "surrogate",
      hidden: [16],
      steps: 6,
      averageDecay: 0.9,
      optimizer: { type: "adam", learningRate: 0.01 },
      batchSize: 16,
    };
    const l = build(raw);
    for (let s = 0; s + 16 <= task.train.count; s += 16)
      l.trainBatch(task.train.x.subarray(s * 2, (s + 16) * 2), task.train.y.subarray(s, s + 16), 16);
    const st = l.structure();
    st.prune({ criterion: "magnitude", fraction: 0.5, scope: "global" });
    expect(st.grow(10, 0.25, Rng.fromSeed(9))).toBe(10);
    const internals = l as unknown as { averages: Float32Array[]; averageSteps: number };
    const keep = 1 - 0.9 ** internals.averageSteps;
    let checked = 0;
    l.params().forEach((p, k) => {
      if (!p.decay || p.mask === undefined) return;
      for (let i = 0; i < p.value.length; i++) {
        if (p.mask[i] === 1 && p.value[i] === 0.25) {
          expect(internals.averages[k]![i]! / keep).toBeCloseTo(0.25, 6);
          checked++;
        }
      }
    });
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});
