// The surrogate learner's "sequence" encoding (a recurrent spiking network
// over a sequence task). References: (1) the encoding rule itself, element
// floor(t / stepsPerElement) at step t, checked on the first layer's input
// buffer; (2) central finite differences of the learner's own loss (evaluate)
// against the gradient its trainBatch applies, with the spike replaced by the
// surrogate's smooth primitive so the surrogate is the exact derivative (as in
// surrogate.test.ts, here through encoding, two LIF layers, recurrence and
// the read-out loss); (3) effective MACs counted by hand; (4) the task's
// chance level: a recurrent spiking net must recall the cue of cue-recall
// (4 classes, chance 25%) well above chance.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { UserError } from "../src/core/errors.js";
import { SurrogateLearner, surrogateConfigSchema } from "../src/learners/surrogate.js";
import { parseScenarioText } from "../src/scenario/parse.js";
import { runScenario } from "../src/runs/run.js";
import type { TaskShape } from "../src/tasks/task.js";
import { centralDifference } from "./helpers/finite-diff.js";

const S = 3;
const F = 2;
const seqShape: TaskShape = {
  inputSize: S * F,
  classes: 2,
  sequence: { steps: S, features: F },
  featureRange: { min: 0, max: 1 },
};

function learnerOf(
  extra: Record<string, unknown>,
  seed: number,
  smoothSpikes = false,
  shape: TaskShape = seqShape,
): SurrogateLearner {
  const config = surrogateConfigSchema.parse({
    type: "surrogate",
    encoding: "sequence",
    hidden: [3],
    batchSize: 2,
    ...extra,
  });
  return new SurrogateLearner(config, shape, Rng.fromSeed(seed), { smoothSpikes });
}

describe('surrogate learner, encoding "sequence"', () => {
  it("feeds element floor(t / stepsPerElement) of each sample at step t, into a first layer of `features` inputs", () => {
    const learner = learnerOf({ stepsPerElement: 2, steps: 99 }, 1);
    const first = learner.layers[0]!;
    expect(first.inSize).toBe(F);
    expect(first.steps).toBe(S * 2); // `steps` is ignored
    expect(learner.layers[1]!.steps).toBe(S * 2);
    const x = Float32Array.from({ length: 2 * S * F }, (_, i) => i + 1);
    learner.evaluate(x, Int32Array.of(0, 1), 2);
    for (let t = 0; t < S * 2; t++) {
      for (let b = 0; b < 2; b++) {
        for (let f = 0; f < F; f++) {
          expect(first.input[(t * 2 + b) * F + f]).toBe(x[b * S * F + Math.floor(t / 2) * F + f]);
        }
      }
    }
  });

  for (const loss of ["membrane", "spike-count"] as const) {
    it(`BPTT matches finite differences of the learner's loss (smooth spikes, reset not detached, recurrent, 2 steps per element, ${loss} loss)`, () => {
      const extra = {
        recurrent: true,
        stepsPerElement: 2,
        hidden: [4],
        beta: 0.8,
        threshold: 0.5,
        slope: 3,
        loss,
        reset: "subtract",
        detachReset: false,
        optimizer: { type: "sgd", learningRate: 1 },
      };
      const trained = learnerOf(extra, 3, true);
      const probe = learnerOf(extra, 3, true);
      // Larger weights than the default init, so that every neuron crosses the threshold region; the same in both.
      const r = Rng.fromSeed(4);
      trained.params().forEach((p, k) => {
        r.fillUniform(p.value, -0.8, 0.8);
        probe.params()[k]!.value.set(p.value);
      });
      const x = Rng.fromSeed(5).fillUniform(new Float32Array(2 * S * F), 0, 1.5);
      const y = Int32Array.of(1, 0);
      const before = trained.params().map((p) => p.value.slice());
      const lossBefore = trained.trainBatch(x, y, 2).loss;
      expect(probe.evaluate(x, y, 2).loss).toBeCloseTo(lossBefore, 5);
      // SGD with learning rate 1: the applied step is the gradient.
      const grads = trained.params().map((p, k) => before[k]!.map((v, i) => v - p.value[i]!));
      const eps = 1e-2;
      let checked = 0;
      let norm = 0;
      probe.params().forEach((p, k) => {
        expect(p.value.length).toBe(grads[k]!.length);
        for (let i = 0; i < p.value.length; i++) {
          const numeric = centralDifference(p.value, i, eps, () => probe.evaluate(x, y, 2).loss);
          const analytic = grads[k]![i]!;
          expect(Math.abs(analytic - numeric)).toBeLessThanOrEqual(2e-3 + 2e-2 * Math.abs(numeric));
          norm += analytic * analytic;
          checked++;
        }
      });
      // W, b of both layers and V of the hidden one.
      expect(checked).toBe(F * 4 + 4 + 4 * 4 + 4 * 2 + 2);
      expect(norm).toBeGreaterThan(1e-4);
    });
  }

  it("needs a sequence task: a flat task gives a user error naming the learner", () => {
    const flat: TaskShape = { inputSize: 30, classes: 3, featureRange: { min: 0, max: 1 } };
    const config = surrogateConfigSchema.parse({ type: "surrogate", name: "rsnn", encoding: "sequence" });
    let error: unknown = null;
    try {
      new SurrogateLearner(config, flat, Rng.fromSeed(1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe("E_CONFIG_INVALID");
    expect((error as UserError).message).toMatch(/learner "rsnn".*encoding "sequence".*needs a sequence task/);
  });

  it("rejects a non-integer or zero stepsPerElement", () => {
    expect(
      surrogateConfigSchema.safeParse({ type: "surrogate", encoding: "sequence", stepsPerElement: 0 }).success,
    ).toBe(false);
    expect(
      surrogateConfigSchema.safeParse({ type: "surrogate", encoding: "sequence", stepsPerElement: 1.5 }).success,
    ).toBe(false);
  });

  it("is deterministic: the same seed gives the same weights and numbers", () => {
    const extra = {
      recurrent: true,
      hidden: [8],
      stepsPerElement: 2,
      dropout: 0.2,
      optimizer: { type: "adam", learningRate: 0.01 },
    };
    const a = learnerOf(extra, 7);
    const b = learnerOf(extra, 7);
    const x = Rng.fromSeed(8).fillUniform(new Float32Array(2 * S * F), 0, 2);
    const y = Int32Array.of(0, 1);
    for (let i = 0; i < 3; i++) expect(a.trainBatch(x, y, 2)).toEqual(b.trainBatch(x, y, 2));
    a.params().forEach((p, k) => expect(p.value).toEqual(b.params()[k]!.value));
    expect(a.evaluate(x, y, 2)).toEqual(b.evaluate(x, y, 2));
  });

  it("counts effective MACs as non-zero features of the presented element × non-zero fan-out, per step", () => {
    const learner = learnerOf({ recurrent: true, hidden: [5], stepsPerElement: 3 }, 9);
    const w = learner.layers[0]!.weight.value;
    w[1 * 5 + 2] = 0; // feature 1 has 4 non-zero outgoing weights
    const x = Float32Array.of(1, 0.5, 0, 2, 0, 0, /* sample 2 */ 0.3, 0, 0, 0, 1, 1);
    // Non-zero elements: sample 1: (0,0) (0,1) (1,1); sample 2: (0,0) (2,0) (2,1); each shown for 3 steps.
    const perStep = (f: number) => (f === 1 ? 4 : 5);
    const expected = 3 * (perStep(0) + perStep(1) + perStep(1) + perStep(0) + perStep(0) + perStep(1));
    const costs = learner.measureCosts(x, 2);
    expect(costs.effectiveMacs).toBeCloseTo(expected / 2, 10);
    const first = learner.layers[0]!;
    expect(costs.denseOps).toBeGreaterThanOrEqual(S * 3 * F * first.outSize);
    // The training statistic counts the same MACs with every weight non-zero.
    learner.trainBatch(x, Int32Array.of(0, 1), 2);
    expect(learner.collectStats().effectiveMacsPerSample).toBeCloseTo((6 * 5 * 3) / 2, 10);
  });

  it("draws each first-layer neuron's input weights as a 1 × features strip", () => {
    const learner = learnerOf({ hidden: [4] }, 10);
    const f = learner.receptiveFields();
    expect([f.width, f.height, f.count]).toEqual([F, 1, 4]);
    const w = learner.layers[0]!.weight.value;
    expect(f.data[3 * F + 1]).toBe(w[1 * 4 + 3]);
  });

  it("a recurrent spiking net recalls the cue of cue-recall (10 steps, 4 classes): > 60% on held-out sequences", () => {
    const s = parseScenarioText(
      JSON.stringify({
        name: "t",
        description: "d",
        task: { type: "cue-recall", steps: 10, classes: 4, trainSize: 400, testSize: 200 },
        learners: [
          {
            type: "surrogate",
            encoding: "sequence",
            recurrent: true,
            hidden: [32],
            loss: "membrane",
            batchSize: 16,
            optimizer: { type: "adam", learningRate: 0.01 },
          },
        ],
        epochs: 8,
        seeds: [1],
        evaluation: { costSamples: 20 },
      }),
      "t.json",
    );
    const rows = runScenario(s).rows;
    const acc = rows.filter((r) => r.metric === "testAccuracy").map((r) => r.value);
    expect(acc[acc.length - 1]!).toBeGreaterThan(0.6);
    const rate = rows.find((r) => r.metric === "meanFiringRateHz" && r.epoch === 8)!.value;
    expect(rate).toBeGreaterThan(1);
    expect(rate).toBeLessThan(1000);
  });
});
