// Optimisers (src/ann/optimizer.ts) against PyTorch 2's torch.optim on the same
// parameters and gradients. Reference values: torch.optim.SGD / Adam in float64
// on w = [0.5, -1, 2] (weight decay on) and b = [0.25] (a bias: no weight decay,
// a param group with weight_decay=0), three steps with the gradients below set
// by hand before each step; clip_grad_norm_ over [w, b] before the step where
// clipping is on. Our parameters are float32, so agreement is to float32
// rounding of a few operations: 1e-6 absolute on values of order 1.
import { describe, expect, it } from "vitest";
import type { Param } from "../src/ann/layer.js";
import { clipGradNorm, createOptimizer, type OptimizerConfig } from "../src/ann/optimizer.js";

const grads: [number[], number[]][] = [
  [[0.1, -0.2, 0.3], [0.5]],
  [[-0.4, 0.0, 0.25], [-0.1]],
  [[0.2, 0.6, -0.5], [0.3]],
];

function params(): [Param, Param] {
  return [
    { name: "w", value: Float32Array.of(0.5, -1, 2), grad: new Float32Array(3), decay: true },
    { name: "b", value: Float32Array.of(0.25), grad: new Float32Array(1), decay: false },
  ];
}

function run(config: OptimizerConfig, steps = 3): [Param, Param] {
  const ps = params();
  const opt = createOptimizer(config);
  for (let k = 0; k < steps; k++) {
    ps[0].grad.set(grads[k]![0]);
    ps[1].grad.set(grads[k]![1]);
    opt.step(ps);
  }
  return ps;
}

function expectValues(p: Param, expected: number[]): void {
  expect(p.value.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(p.value[i]! - expected[i]!), `${p.name}[${i}]`).toBeLessThan(1e-6);
}

describe("optimisers match torch.optim", () => {
  const cases: [string, OptimizerConfig, number[], number[]][] = [
    [
      "SGD, momentum 0.9, weight decay 0.01",
      { type: "sgd", learningRate: 0.1, momentum: 0.9, weightDecay: 0.01 },
      [0.5260953895, -1.000270779, 1.910128568],
      [0.1035],
    ],
    [
      "SGD without momentum, weight decay 0.01",
      { type: "sgd", learningRate: 0.1, weightDecay: 0.01 },
      [0.5084814895, -1.037042979, 1.989090968],
      [0.18],
    ],
    [
      "Adam, betas (0.8, 0.95), eps 1e-3, weight decay 0.01 (L2, not AdamW)",
      { type: "adam", learningRate: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-3, weightDecay: 0.01 },
      [0.4966643417629568, -0.9883200119345835, 1.9808286339438321],
      [0.2288189327375864],
    ],
    [
      "Adam with PyTorch's defaults (betas (0.9, 0.999), eps 1e-8)",
      { type: "adam", learningRate: 0.01 },
      [0.49669677234642673, -0.9877238926436605, 1.9804105806222156],
      [0.22824417742018707],
    ],
    [
      "SGD, momentum 0.5, gradient norm clipped to 0.3",
      { type: "sgd", learningRate: 0.1, momentum: 0.5, clipNorm: 0.3 },
      [0.5219486187613204, -1.0041111214230911, 1.9688856169571374],
      [0.2068366975067287],
    ],
    [
      "Adam, gradient norm clipped to 0.3",
      { type: "adam", learningRate: 0.01, clipNorm: 0.3 },
      [0.49884097680053174, -0.9869463310151451, 1.9780703436220222],
      [0.22960664356441077],
    ],
  ];
  for (const [name, config, w, b] of cases) {
    it(name, () => {
      const [pw, pb] = run(config);
      expectValues(pw, w);
      expectValues(pb, b);
      // Gradients are zeroed after every step.
      expect(Array.from(pw.grad)).toEqual([0, 0, 0]);
      expect(Array.from(pb.grad)).toEqual([0]);
    });
  }
});

describe("optimiser state, masks and clipping", () => {
  for (const config of [
    { type: "sgd", learningRate: 0.1, momentum: 0.9 },
    { type: "adam", learningRate: 0.01 },
  ] satisfies OptimizerConfig[]) {
    it(`${config.type}: reset forgets momentum (and Adam's step count), as a new optimiser`, () => {
      const ps = params();
      const opt = createOptimizer(config);
      ps[0].grad.set(grads[1]![0]);
      ps[1].grad.set(grads[1]![1]);
      opt.step(ps);
      opt.reset();
      ps[0].value.set([0.5, -1, 2]);
      ps[1].value.set([0.25]);
      for (let k = 0; k < 3; k++) {
        ps[0].grad.set(grads[k]![0]);
        ps[1].grad.set(grads[k]![1]);
        opt.step(ps);
      }
      const fresh = run(config);
      expect(Array.from(ps[0].value)).toEqual(Array.from(fresh[0].value));
      expect(Array.from(ps[1].value)).toEqual(Array.from(fresh[1].value));
    });

    it(`${config.type}: keeps separate state per parameter`, () => {
      // The same gradients on two parameter lists stepped by one optimiser alternately
      // give what two optimisers give: no state leaks from one parameter to another.
      const a = params();
      const b = params();
      const opt = createOptimizer(config);
      for (let k = 0; k < 3; k++) {
        a[0].grad.set(grads[k]![0]);
        a[1].grad.set(grads[k]![1]);
        b[0].grad.set(grads[2 - k]![0]);
        b[1].grad.set(grads[2 - k]![1]);
        opt.step([a[0], a[1]]);
        if (config.type === "sgd") opt.step([b[0], b[1]]);
      }
      const fresh = run(config);
      expect(Array.from(a[0].value)).toEqual(Array.from(fresh[0].value));
    });

    it(`${config.type}: pruned weights stay exactly zero, the others move`, () => {
      const ps = params();
      ps[0].mask = Uint8Array.of(1, 0, 1);
      ps[0].value[1] = 0;
      const opt = createOptimizer(config);
      for (let k = 0; k < 3; k++) {
        ps[0].grad.set(grads[k]![0]);
        ps[1].grad.set(grads[k]![1]);
        opt.step(ps);
      }
      expect(ps[0].value[1]).toBe(0);
      // The other weights move exactly as without a mask (the updates are element-wise here: no clipping).
      const free = run(config);
      expect(ps[0].value[0]).toBe(free[0].value[0]);
      expect(ps[0].value[2]).toBe(free[0].value[2]);
      expect(ps[1].value[0]).toBe(free[1].value[0]);
    });
  }

  it("clipGradNorm returns the global L2 norm and scales only when it is above the bound", () => {
    const [w, b] = params();
    w.grad.set([3, 0, 0]);
    b.grad.set([4]);
    expect(clipGradNorm([w, b], 10)).toBeCloseTo(5, 12);
    expect(Array.from(w.grad)).toEqual([3, 0, 0]);
    expect(clipGradNorm([w, b], 5)).toBeCloseTo(5, 12);
    expect(Array.from(b.grad)).toEqual([4]);
    expect(clipGradNorm([w, b], 1)).toBeCloseTo(5, 12);
    expect(w.grad[0]).toBeCloseTo(0.6, 7);
    expect(b.grad[0]).toBeCloseTo(0.8, 7);
  });
});
