/**
 * One forward and one backward pass of every layer type against PyTorch 2
 * (Debian's python3-torch through /usr/bin/python3, float64), on fixed weights,
 * inputs and upstream gradients: Dense (SIMD width and not), Conv2D (stride,
 * padding, fused ReLU), max and average pooling, the activations, the RNN,
 * LSTM and GRU cells over a sequence (torch.nn.RNN/LSTM/GRU; the default "pytorch" initialisation's layout,
 * with the RNN's and LSTM's second bias b_hh mapped onto bias_hh), the surrogate
 * LIF layer (snnTorch's Leaky written out in torch with a custom autograd
 * spike: subtract and zero reset, detached reset, recurrent, fast-sigmoid and
 * arctan surrogates), and both losses. The torch side is
 * tests/fixtures/torch/layers.py, one process for all cases.
 *
 * Tolerance: our layers compute in float32 from float32 values; torch
 * computes the same values in float64. Each output is a sum of at most a few
 * hundred float32 products (with BPTT, over 5 steps), whose rounding error
 * is bounded by ~n·2^-24 relative to the sum of the terms' magnitudes. The
 * largest difference measured on these cases is 1.7e-7 (an RNN bias
 * gradient); the bound |ours - torch| ≤ 1e-6 + 1e-5·|torch| leaves a factor
 * of 5 above it. A failure prints the worst element.
 *
 * Skipped, with the reason in its name, where /usr/bin/python3 cannot import
 * torch; a failure when CI is set.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Activation, type ActivationName } from "../src/ann/activation.js";
import type { CellKind } from "../src/ann/cells/cell.js";
import { Conv2D } from "../src/ann/conv2d.js";
import { Dense } from "../src/ann/dense.js";
import type { Layer, Param } from "../src/ann/layer.js";
import { computeLoss, type LossName } from "../src/ann/loss.js";
import { AvgPool2D, MaxPool2D } from "../src/ann/pool2d.js";
import { Recurrent } from "../src/ann/recurrent.js";
import { LifLayer, type ResetMode } from "../src/ann/spiking/lif-layer.js";
import type { SurrogateName } from "../src/ann/spiking/surrogate.js";
import { Rng } from "../src/core/rng.js";
import { PYTHON, pythonReference, requireReference } from "./helpers/python-reference.js";

const torch = pythonReference("torch", "python3-torch");
const SCRIPT = fileURLToPath(new URL("./fixtures/torch/layers.py", import.meta.url));

interface Result {
  y: number[];
  dx: number[];
  grads: Record<string, number[]>;
}

interface Case {
  name: string;
  /** What the torch script reads. */
  spec: Record<string, unknown>;
  /** What our layer computed. */
  ours: Result;
}

const rng = Rng.fromSeed(20261205);
/** Values uniform in [-scale, scale], rounded to float32 so both sides start from the same numbers. */
function values(n: number, scale = 1): number[] {
  return Array.from(Float32Array.from({ length: n }, () => rng.uniform(-scale, scale)));
}

function setParams(params: readonly Param[], spec: Record<string, unknown>): void {
  for (const p of params) {
    const v = values(p.value.length, 0.5);
    p.value.set(v);
    spec[p.name] = v;
  }
}

function grads(params: readonly Param[]): Record<string, number[]> {
  return Object.fromEntries(params.map((p) => [p.name, Array.from(p.grad)]));
}

function layerCase(name: string, layer: Layer, batch: number, spec: Record<string, unknown>, scale = 1): Case {
  setParams(layer.params(), spec);
  const x = values(batch * layer.inSize, scale);
  const dy = values(batch * layer.outSize);
  const y = Array.from(layer.forward(Float32Array.from(x), batch, true).subarray(0, batch * layer.outSize));
  const dx = Array.from(layer.backward(Float32Array.from(dy), batch).subarray(0, batch * layer.inSize));
  return { name, spec: { ...spec, batch, x, dy }, ours: { y, dx, grads: grads(layer.params()) } };
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const [i, o] of [
    [5, 4],
    [6, 3],
  ] as const) {
    out.push(
      layerCase(`dense ${i}->${o}`, new Dense(i, o, 3, rng.fork("d")), 3, { kind: "dense", inSize: i, outSize: o }),
    );
  }
  for (const conv of [
    { inHeight: 6, inWidth: 5, inChannels: 2, outChannels: 4, kernel: 3, stride: 1, padding: 0, relu: false },
    { inHeight: 7, inWidth: 7, inChannels: 3, outChannels: 2, kernel: 3, stride: 2, padding: 1, relu: true },
  ]) {
    const name = `conv2d ${conv.kernel}x${conv.kernel} stride ${conv.stride} padding ${conv.padding}${conv.relu ? " relu" : ""}`;
    out.push(layerCase(name, new Conv2D(conv, 2, rng.fork("c")), 2, { kind: "conv2d", ...conv }));
  }
  for (const [kind, make] of [
    ["max-pool", MaxPool2D],
    ["avg-pool", AvgPool2D],
  ] as const) {
    for (const shape of [
      { inHeight: 4, inWidth: 6, channels: 4, size: 2, stride: 2 },
      { inHeight: 5, inWidth: 5, channels: 3, size: 3, stride: 1 },
    ]) {
      out.push(
        layerCase(
          `${kind} ${shape.size}x${shape.size} stride ${shape.stride}, ${shape.channels} channels`,
          new make(shape, 2),
          2,
          {
            kind,
            ...shape,
          },
        ),
      );
    }
  }
  for (const fn of ["sigmoid", "tanh", "relu", "leaky-relu"] satisfies ActivationName[]) {
    out.push(
      layerCase(`activation ${fn}`, new Activation(fn, 7, 2, 0.1), 2, { kind: "activation", fn, alpha: 0.1 }, 3),
    );
  }
  for (const cell of ["rnn", "lstm", "gru"] satisfies CellKind[]) {
    for (const hidden of [4, 3]) {
      const o = { cell, steps: 4, features: 3, hidden, maxBatch: 2, output: "sequence" as const };
      out.push(
        layerCase(`${cell} cell, hidden ${hidden}, 4 steps`, new Recurrent(o, rng.fork(cell)), 2, {
          kind: "recurrent",
          ...o,
        }),
      );
    }
  }
  const lifs: { reset: ResetMode; surrogate: SurrogateName; slope: number; recurrent: boolean; outSize: number }[] = [
    { reset: "subtract", surrogate: "fast-sigmoid", slope: 25, recurrent: false, outSize: 4 },
    { reset: "zero", surrogate: "arctan", slope: 2, recurrent: false, outSize: 3 },
    { reset: "subtract", surrogate: "arctan", slope: 2, recurrent: true, outSize: 4 },
  ];
  for (const l of lifs) {
    const o = {
      inSize: 6,
      steps: 5,
      maxBatch: 2,
      input: "sequence" as const,
      beta: 0.9,
      threshold: 0.5,
      ...l,
    };
    const layer = new LifLayer(o, rng.fork("lif"));
    const spec: Record<string, unknown> = { kind: "lif", ...o };
    setParams(layer.params(), spec);
    // Inputs in [0, 1] (rates or intensities) so that some neurons fire.
    const x = Array.from(Float32Array.from({ length: o.steps * 2 * o.inSize }, () => rng.uniform(0, 1)));
    const dy = values(o.steps * 2 * o.outSize);
    const y = Array.from(layer.forward(Float32Array.from(x), 2));
    // A membrane within float32 rounding of the threshold could spike on one side only.
    const margin = Math.min(
      ...Array.from(layer.membrane.subarray(0, o.steps * 2 * o.outSize), (u) => Math.abs(u - 0.5)),
    );
    expect(margin, "no membrane at the threshold").toBeGreaterThan(1e-4);
    expect(y.some((s) => s === 1) && y.some((s) => s === 0), "some spikes, not all").toBe(true);
    const dx = Array.from(layer.backward(Float32Array.from(dy), null, 2)!);
    out.push({
      name: `LIF layer, reset ${l.reset}, ${l.surrogate}${l.recurrent ? ", recurrent" : ""}`,
      spec: { ...spec, recurrent: l.recurrent, batch: 2, x, dy },
      ours: { y, dx, grads: grads(layer.params()) },
    });
  }
  for (const loss of ["softmax-cross-entropy", "mse"] satisfies LossName[]) {
    const x = values(3 * 5, 3);
    const labels = [4, 0, 2];
    const grad = new Float32Array(15);
    const r = computeLoss(loss, Float32Array.from(x), Int32Array.from(labels), 0, 3, 5, grad);
    out.push({
      name: `loss ${loss}`,
      spec: { kind: "loss", loss, batch: 3, classes: 5, x, labels },
      ours: { y: [r.loss], dx: Array.from(grad), grads: {} },
    });
  }
  return out;
}

function maxExcess(ours: number[], ref: number[]): { worst: number; at: number; diff: number } {
  expect(ours.length).toBe(ref.length);
  let worst = -Infinity;
  let at = -1;
  let diff = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ours[i]! - ref[i]!);
    const excess = d - (1e-6 + 1e-5 * Math.abs(ref[i]!));
    if (excess > worst) {
      worst = excess;
      at = i;
      diff = d;
    }
  }
  return { worst, at, diff };
}

describe("layers against PyTorch: one forward and one backward pass on fixed weights", () => {
  it.skipIf(torch.skip)(`every layer type, both losses${torch.why}`, () => {
    requireReference(torch);
    const all = cases();
    const run = spawnSync(PYTHON, [SCRIPT], {
      input: JSON.stringify(all.map((c) => c.spec)),
      encoding: "utf8",
      timeout: 110_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.status, run.stderr).toBe(0);
    const refs = JSON.parse(run.stdout) as Result[];
    expect(refs.length).toBe(all.length);
    for (let k = 0; k < all.length; k++) {
      const { name, ours } = all[k]!;
      const ref = refs[k]!;
      const parts: [string, number[], number[]][] = [
        ["output", ours.y, ref.y],
        ["dLoss/dInput", ours.dx, ref.dx],
        ...Object.keys(ref.grads).map((p): [string, number[], number[]] => [
          `d${p}`,
          ours.grads[p] ?? [],
          ref.grads[p]!,
        ]),
      ];
      expect(Object.keys(ours.grads).sort(), `${name}: parameters`).toEqual(Object.keys(ref.grads).sort());
      for (const [what, a, b] of parts) {
        expect(
          b.some((v) => v !== 0),
          `${name}, ${what}: torch's values are not all zero`,
        ).toBe(true);
        const e = maxExcess(a, b);
        expect(
          e.worst,
          `${name}, ${what}: |ours - torch| = ${e.diff} at [${e.at}] (${a[e.at]} vs ${b[e.at]})`,
        ).toBeLessThanOrEqual(0);
      }
    }
  });
});
