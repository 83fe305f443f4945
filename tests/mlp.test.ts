// References: central finite differences of the loss for every MLP parameter
// (backpropagation must agree), and the accuracy the MLP must reach
// (XOR ≥ 99%, two moons with noise 0.1 ≥ 95%).
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { Activation } from "../src/ann/activation.js";
import { computeLoss } from "../src/ann/loss.js";
import { MlpLearner, mlpConfigSchema } from "../src/learners/mlp.js";
import { parseScenarioText } from "../src/scenario/parse.js";
import { runScenario } from "../src/runs/run.js";
import { centralDifference } from "./helpers/finite-diff.js";

function finalAccuracy(
  rows: { learner: string; metric: string; epoch: number; value: number }[],
  learner: string,
): number {
  const acc = rows.filter((r) => r.learner === learner && r.metric === "testAccuracy");
  return acc[acc.length - 1]!.value;
}

describe("MLP backpropagation", () => {
  for (const [activation, loss] of [
    ["tanh", "softmax-cross-entropy"],
    ["sigmoid", "mse"],
    ["relu", "softmax-cross-entropy"],
    ["leaky-relu", "mse"],
  ] as const) {
    it(`matches finite differences (${activation}, ${loss})`, () => {
      const config = mlpConfigSchema.parse({ type: "mlp", hidden: [5, 4], activation, loss, batchSize: 3 });
      const shape = { inputSize: 3, classes: 3, featureRange: { min: -1, max: 1 } };
      const mlp = new MlpLearner(config, shape, Rng.fromSeed(42));
      const rng = Rng.fromSeed(1);
      const x = rng.fillNormal(new Float32Array(9), 0, 1);
      const y = Int32Array.from([0, 2, 1]);
      const lossAt = () => computeLoss(loss, mlp.net.forward(x, 3, false), y, 0, 3, 3, null).loss;
      // Signs of every (leaky) ReLU's input, layer by layer: the kinks a difference quotient can straddle.
      const kinkSigns = (): string => {
        let h: Float32Array = x;
        let signs = "";
        for (const l of mlp.net.layers) {
          if (l instanceof Activation)
            signs += Array.from(h.subarray(0, 3 * l.inSize), (v) => (v > 0 ? "+" : "-")).join("");
          h = l.forward(h, 3, false);
        }
        return signs;
      };
      mlp.net.trainStep(x, y, 0, 3); // leaves analytic gradients in params
      const eps = 1e-3;
      let checked = 0;
      for (const p of mlp.net.params()) {
        for (let i = 0; i < p.value.length; i++) {
          // A difference quotient across a (leaky) ReLU kink is not the derivative on either side.
          // No parameter here moves a unit across its kink by ±eps (checked, not assumed), so
          // every parameter's gradient is compared: none is skipped.
          const w = p.value[i]!;
          p.value[i] = w + eps;
          const up = kinkSigns();
          p.value[i] = w - eps;
          const down = kinkSigns();
          p.value[i] = w;
          expect(up, `${p.name}[${i}] ± eps moves a unit across its kink`).toBe(down);
          const numeric = centralDifference(p.value, i, eps, lossAt);
          // float32 forward passes: absolute 1e-3 plus 1% relative.
          expect(Math.abs(p.grad[i]! - numeric), `${p.name}[${i}]`).toBeLessThanOrEqual(
            1e-3 + 0.01 * Math.abs(numeric),
          );
          checked++;
        }
      }
      // Every parameter of the 3-5-4-3 network: (3+1)·5 + (5+1)·4 + (4+1)·3.
      expect(checked).toBe(59);
    });
  }
});

describe("MLP learns the small tasks", () => {
  it("reaches ≥ 99% on XOR", () => {
    const s = parseScenarioText(
      JSON.stringify({
        name: "t",
        description: "d",
        task: { type: "xor", trainSize: 400, testSize: 200, noise: 0.1 },
        learners: [
          {
            type: "mlp",
            hidden: [8],
            activation: "tanh",
            optimizer: { type: "sgd", learningRate: 0.2, momentum: 0.9 },
            batchSize: 8,
          },
        ],
        epochs: 20,
        seeds: [1],
      }),
      "t.json",
    );
    expect(finalAccuracy(runScenario(s).rows, "mlp")).toBeGreaterThanOrEqual(0.99);
  });

  it("reaches ≥ 95% on two moons (noise 0.1)", () => {
    const s = parseScenarioText(
      JSON.stringify({
        name: "t",
        description: "d",
        task: { type: "moons", trainSize: 1000, testSize: 500, noise: 0.1 },
        learners: [
          {
            type: "mlp",
            hidden: [32, 32],
            activation: "relu",
            optimizer: { type: "adam", learningRate: 0.01 },
            batchSize: 16,
          },
        ],
        epochs: 20,
        seeds: [2],
      }),
      "t.json",
    );
    expect(finalAccuracy(runScenario(s).rows, "mlp")).toBeGreaterThanOrEqual(0.95);
  });
});
