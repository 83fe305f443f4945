// Initialisers (src/ann/init.ts) against their definitions. "pytorch" is
// torch.nn.Linear / nn.Conv2d's reset_parameters: kaiming_uniform_(a=√5) on the
// weights, bound √(6/((1 + 5)·fan_in)) = 1/√fan_in, and the bias from the same
// bound, fan_in = in_features or in_channels·kernel². A uniform on ±a has
// variance a²/3; over n draws the sample variance's relative sd is about
// √(0.8/n) (kurtosis 1.8) and the sample mean's sd a/√(3n): bounds at 5 sd.
import { describe, expect, it } from "vitest";
import { Conv2D } from "../src/ann/conv2d.js";
import { Dense } from "../src/ann/dense.js";
import { LifLayer } from "../src/ann/spiking/lif-layer.js";
import { Rng } from "../src/core/rng.js";
import { learnerConfigSchema } from "../src/learners/registry.js";

function expectUniform(v: Float32Array, a: number): void {
  let sum = 0;
  let sq = 0;
  for (const x of v) {
    expect(Math.abs(x)).toBeLessThanOrEqual(a);
    sum += x;
    sq += x * x;
  }
  const n = v.length;
  expect(Math.abs(sum / n)).toBeLessThan((5 * a) / Math.sqrt(3 * n));
  expect(Math.abs(sq / n / ((a * a) / 3) - 1)).toBeLessThan(5 * Math.sqrt(0.8 / n));
}

describe('init "pytorch"', () => {
  it("Dense: weights and biases U(±1/√in)", () => {
    const d = new Dense(784, 128, 4, Rng.fromSeed(1), "pytorch");
    expectUniform(d.weight.value, 1 / 28);
    expectUniform(d.bias.value, 1 / 28);
  });

  it("Conv2D: fan-in is kernel² × input channels, for the weights and the bias", () => {
    const c = new Conv2D(
      { inHeight: 12, inWidth: 12, inChannels: 8, outChannels: 64, kernel: 5, init: "pytorch" },
      2,
      Rng.fromSeed(2),
    );
    const a = 1 / Math.sqrt(5 * 5 * 8);
    expectUniform(c.weight.value, a);
    expectUniform(c.bias.value, a);
  });

  it("LIF layer (surrogate learner): W and b U(±1/√in), recurrent V U(±1/√units)", () => {
    const l = new LifLayer(
      {
        inSize: 784,
        outSize: 64,
        steps: 2,
        maxBatch: 1,
        input: "constant",
        beta: 0.9,
        threshold: 1,
        reset: "subtract",
        surrogate: "fast-sigmoid",
        slope: 25,
        recurrent: true,
      },
      Rng.fromSeed(3),
    );
    expectUniform(l.weight.value, 1 / 28);
    expectUniform(l.bias.value, 1 / 28);
    expectUniform(l.recurrentWeight!.value, 1 / 8);
  });

  it("the other initialisers keep biases at zero", () => {
    for (const init of ["glorot-uniform", "glorot-normal", "he-uniform", "he-normal"] as const) {
      const d = new Dense(20, 8, 1, Rng.fromSeed(4), init);
      expect(Array.from(d.bias.value)).toEqual(new Array(8).fill(0));
      expect(d.weight.value.some((w) => w !== 0)).toBe(true);
    }
    // Glorot-uniform's bound √(6/(in + out)).
    expectUniform(new Dense(300, 100, 1, Rng.fromSeed(5), "glorot-uniform").weight.value, Math.sqrt(6 / 400));
  });

  it("is every PyTorch-recipe learner's default", () => {
    for (const type of ["mlp", "cnn", "surrogate"] as const) {
      expect(learnerConfigSchema.parse({ type })).toMatchObject({ init: "pytorch" });
    }
    expect(learnerConfigSchema.parse({ type: "rnn" })).toMatchObject({ init: "pytorch" });
  });
});
