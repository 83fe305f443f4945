/**
 * Convolution, pooling and flatten layers. References: a naive direct
 * convolution written from the definition (forward), and central finite
 * differences of the forward pass summed in float64 (backward: input,
 * weight and bias gradients). L = Σ r·y for a fixed random r.
 */
import { describe, expect, it } from "vitest";
import { Activation } from "../src/ann/activation.js";
import { Conv2D, type Conv2DConfig } from "../src/ann/conv2d.js";
import { Flatten } from "../src/ann/flatten.js";
import type { Layer } from "../src/ann/layer.js";
import { computeLoss } from "../src/ann/loss.js";
import { AvgPool2D, MaxPool2D } from "../src/ann/pool2d.js";
import { Rng } from "../src/core/rng.js";
import { CnnLearner, cnnConfigSchema } from "../src/learners/cnn.js";
import { centralDifference, close } from "./helpers/finite-diff.js";

function checkLayer(
  layer: Layer,
  x: Float32Array,
  batch: number,
  rng: Rng,
  eps: number,
  atol = 2e-3,
  rtol = 1e-2,
): number {
  const nOut = batch * layer.outSize;
  const r = new Float64Array(nOut);
  for (let i = 0; i < nOut; i++) r[i] = rng.uniform(-1, 1);
  const loss = () => {
    const y = layer.forward(x, batch, true);
    let s = 0;
    for (let i = 0; i < nOut; i++) s += r[i]! * y[i]!;
    return s;
  };
  for (const p of layer.params()) p.grad.fill(0);
  layer.forward(x, batch, true);
  const dx = layer.backward(Float32Array.from(r), batch).slice(0, batch * layer.inSize);
  const targets = layer.params().map((p) => ({ name: p.name, value: p.value, grad: p.grad.slice() }));
  if (dx.length > 0) targets.push({ name: "x", value: x, grad: dx });
  let checked = 0;
  for (const t of targets) {
    for (let i = 0; i < t.value.length; i++) {
      const numeric = centralDifference(t.value, i, eps, loss);
      if (!close(t.grad[i]!, numeric, atol, rtol)) {
        throw new Error(`${layer.kind} d/d${t.name}[${i}]: analytic ${t.grad[i]}, numeric ${numeric}`);
      }
      checked++;
    }
  }
  return checked;
}

function randomInput(n: number, rng: Rng, zeroEvery = 0): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = zeroEvery > 0 && i % zeroEvery === 0 ? 0 : rng.uniform(-1, 1);
  return x;
}

/** y[b, oy, ox, f] from the definition, channel-last, W[(ky, kx, c), f]. */
function naiveConv(conv: Conv2D, x: Float32Array, batch: number): Float64Array {
  const {
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    outChannels: F,
    kernel: k,
    stride: s,
    padding: p,
  } = conv;
  const w = conv.weight.value;
  const y = new Float64Array(batch * OH * OW * F);
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let f = 0; f < F; f++) {
          let sum = conv.bias.value[f]!;
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const iy = oy * s - p + ky;
              const ix = ox * s - p + kx;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              for (let c = 0; c < C; c++)
                sum += x[((b * H + iy) * W + ix) * C + c]! * w[((ky * k + kx) * C + c) * F + f]!;
            }
          }
          y[((b * OH + oy) * OW + ox) * F + f] = sum;
        }
      }
    }
  }
  return y;
}

const convCases: [string, Omit<Conv2DConfig, "inputGrad">][] = [
  [
    "3×3, stride 1, padding 1, 2→3 channels",
    { inHeight: 5, inWidth: 6, inChannels: 2, outChannels: 3, kernel: 3, stride: 1, padding: 1 },
  ],
  [
    "2×2, stride 2, no padding, 3→8 channels",
    { inHeight: 6, inWidth: 5, inChannels: 3, outChannels: 8, kernel: 2, stride: 2, padding: 0 },
  ],
  [
    "3×3, stride 2, padding 2, 1→16 channels",
    { inHeight: 7, inWidth: 7, inChannels: 1, outChannels: 16, kernel: 3, stride: 2, padding: 2 },
  ],
];

describe("Conv2D", () => {
  for (const [label, cfg] of convCases) {
    for (const simd of [true, false]) {
      const mode = simd ? "SIMD where it applies" : "plain JavaScript";
      it(`forward equals the direct definition (${label}, ${mode})`, () => {
        const rng = Rng.fromSeed(10);
        const conv = new Conv2D({ ...cfg, simd }, 3, rng.fork("init"));
        rng.fillUniform(conv.bias.value, -0.5, 0.5);
        const x = randomInput(2 * conv.inSize, rng, 3);
        const y = conv.forward(x, 2);
        const ref = naiveConv(conv, x, 2);
        expect(y.length).toBeGreaterThanOrEqual(ref.length);
        for (let i = 0; i < ref.length; i++) expect(y[i]).toBeCloseTo(ref[i]!, 4);
      });

      it(`backward matches central differences (${label}, ${mode})`, () => {
        const rng = Rng.fromSeed(11);
        const conv = new Conv2D({ ...cfg, simd }, 2, rng.fork("init"));
        rng.fillUniform(conv.bias.value, -0.5, 0.5);
        const checked = checkLayer(conv, randomInput(2 * conv.inSize, rng, 4), 2, rng, 1e-2);
        expect(checked).toBe(conv.weight.value.length + conv.bias.value.length + 2 * conv.inSize);
      });
    }
  }

  it("SIMD and JavaScript paths agree on the benchmark's second layer (5×5, 8→16 channels, batch 32)", () => {
    const cfg = { inHeight: 12, inWidth: 12, inChannels: 8, outChannels: 16, kernel: 5 };
    const a = new Conv2D({ ...cfg, simd: true }, 32, Rng.fromSeed(14));
    const b = new Conv2D({ ...cfg, simd: false }, 32, Rng.fromSeed(14));
    const rng = Rng.fromSeed(15);
    const x = randomInput(32 * a.inSize, rng, 3);
    const dy = randomInput(32 * a.outSize, rng, 2);
    const ya = a.forward(x, 32).slice(0, 32 * a.outSize);
    const yb = b.forward(x, 32).slice(0, 32 * b.outSize);
    const dxa = a.backward(dy, 32).slice(0, 32 * a.inSize);
    const dxb = b.backward(dy, 32).slice(0, 32 * b.inSize);
    const maxDiff = (u: Float32Array, v: Float32Array) => u.reduce((m, ui, i) => Math.max(m, Math.abs(ui - v[i]!)), 0);
    expect(maxDiff(ya, yb)).toBeLessThan(1e-4);
    expect(maxDiff(dxa, dxb)).toBeLessThan(1e-4);
    expect(maxDiff(a.weight.grad, b.weight.grad)).toBeLessThan(1e-3);
    expect(maxDiff(ya, new Float32Array(ya.length))).toBeGreaterThan(0.1);
  });

  for (const simd of [true, false]) {
    it(`fused ReLU equals conv followed by a ReLU layer, forward and backward (${simd ? "SIMD" : "JavaScript"})`, () => {
      const cfg = { inHeight: 7, inWidth: 6, inChannels: 3, outChannels: 8, kernel: 3, padding: 1, simd };
      const fused = new Conv2D({ ...cfg, relu: true }, 2, Rng.fromSeed(16));
      const plain = new Conv2D(cfg, 2, Rng.fromSeed(16));
      const act = new Activation("relu", plain.outSize, 2);
      const rng = Rng.fromSeed(17);
      const x = randomInput(2 * fused.inSize, rng, 3);
      const dy = randomInput(2 * fused.outSize, rng);
      const yf = fused.forward(x, 2).slice(0, 2 * fused.outSize);
      const yp = act.forward(plain.forward(x, 2), 2).slice(0, 2 * plain.outSize);
      expect(Array.from(yf)).toEqual(Array.from(yp));
      expect(yf.filter((v) => v === 0).length).toBeGreaterThan(yf.length / 5); // the mask matters
      const dxf = fused.backward(dy, 2).slice(0, 2 * fused.inSize);
      const dxp = plain.backward(act.backward(dy, 2), 2).slice(0, 2 * plain.inSize);
      for (let i = 0; i < dxf.length; i++) expect(dxf[i]).toBeCloseTo(dxp[i]!, 5);
      for (let i = 0; i < fused.weight.grad.length; i++)
        expect(fused.weight.grad[i]).toBeCloseTo(plain.weight.grad[i]!, 5);
      for (let i = 0; i < 8; i++) expect(fused.bias.grad[i]).toBeCloseTo(plain.bias.grad[i]!, 5);
    });
  }

  it("output shape follows floor((in + 2p - k) / s) + 1", () => {
    const conv = new Conv2D(
      { inHeight: 28, inWidth: 28, inChannels: 1, outChannels: 8, kernel: 5 },
      1,
      Rng.fromSeed(0),
    );
    expect([conv.outHeight, conv.outWidth, conv.outSize]).toEqual([24, 24, 24 * 24 * 8]);
    expect(conv.macsPerSample()).toBe(24 * 24 * 25 * 8);
    const c2 = new Conv2D(
      { inHeight: 7, inWidth: 9, inChannels: 2, outChannels: 4, kernel: 3, stride: 2, padding: 1 },
      1,
      Rng.fromSeed(0),
    );
    expect([c2.outHeight, c2.outWidth]).toEqual([4, 5]);
  });

  it("inputGrad: false still gives the same parameter gradients and no dx", () => {
    const cfg = convCases[0]![1];
    const a = new Conv2D(cfg, 2, Rng.fromSeed(12));
    const b = new Conv2D({ ...cfg, inputGrad: false }, 2, Rng.fromSeed(12));
    const rng = Rng.fromSeed(13);
    const x = randomInput(2 * a.inSize, rng);
    const dy = randomInput(2 * a.outSize, rng, 2);
    a.forward(x, 2);
    b.forward(x, 2);
    a.backward(dy, 2);
    expect(b.backward(dy, 2).length).toBe(0);
    expect(Array.from(b.weight.grad)).toEqual(Array.from(a.weight.grad));
    expect(Array.from(b.bias.grad)).toEqual(Array.from(a.bias.grad));
  });
});

describe("pooling and flatten", () => {
  it("MaxPool2D forward picks each window's maximum per channel (hand-computed)", () => {
    // 4×4 image, 1 channel, values 0..15 row-major: 2×2 windows' maxima are 5, 7, 13, 15.
    const pool = new MaxPool2D({ inHeight: 4, inWidth: 4, channels: 1, size: 2 }, 1);
    const x = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(pool.forward(x, 1).slice(0, 4))).toEqual([5, 7, 13, 15]);
  });

  it("MaxPool2D backward matches central differences (distinct values, overlapping windows)", () => {
    const rng = Rng.fromSeed(20);
    const pool = new MaxPool2D({ inHeight: 5, inWidth: 6, channels: 3, size: 3, stride: 2 }, 2);
    // A shuffled grid of values 0.05 apart: no ties within 2·eps.
    const n = 2 * pool.inSize;
    const perm = rng.permutation(n);
    const x = Float32Array.from(perm, (v) => 0.05 * v - 2);
    expect(checkLayer(pool, x, 2, rng, 1e-3)).toBe(n);
  });

  it("AvgPool2D forward averages each window (hand-computed) and backward matches central differences", () => {
    const pool = new AvgPool2D({ inHeight: 4, inWidth: 4, channels: 1, size: 2 }, 1);
    const x = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(pool.forward(x, 1).slice(0, 4))).toEqual([2.5, 4.5, 10.5, 12.5]);
    const rng = Rng.fromSeed(21);
    const p2 = new AvgPool2D({ inHeight: 5, inWidth: 5, channels: 2, size: 2, stride: 1 }, 2);
    expect(checkLayer(p2, randomInput(2 * p2.inSize, rng), 2, rng, 1e-2)).toBe(2 * p2.inSize);
  });

  it("Flatten is the identity both ways", () => {
    const f = new Flatten(6);
    const x = Float32Array.of(1, 2, 3, 4, 5, 6);
    expect(f.forward(x)).toBe(x);
    expect(f.backward(x)).toBe(x);
  });
});

describe("a whole CNN (conv-relu-pool-conv-relu-pool-dense, softmax cross-entropy)", () => {
  it("parameter gradients of the batch-mean loss match central differences", () => {
    const config = cnnConfigSchema.parse({
      type: "cnn",
      layers: [
        { type: "conv", filters: 3, kernel: 3, padding: 1, activation: "tanh" },
        { type: "maxpool", size: 2 },
        { type: "conv", filters: 4, kernel: 2, activation: "tanh" },
        { type: "avgpool", size: 2 },
        { type: "flatten" },
        { type: "dense", units: 3 },
      ],
      batchSize: 4,
    });
    const shape = {
      inputSize: 8 * 8 * 2,
      classes: 3,
      image: { height: 8, width: 8, channels: 2 },
      featureRange: { min: 0, max: 1 },
    };
    const learner = new CnnLearner(config, shape, Rng.fromSeed(30));
    const net = learner.net;
    const rng = Rng.fromSeed(31);
    const x = randomInput(3 * shape.inputSize, rng, 5);
    const y = Int32Array.of(0, 2, 1);
    for (const p of net.params()) p.grad.fill(0);
    net.trainStep(x, y, 0, 3);
    const loss = () => computeLoss(net.loss, net.forward(x, 3, true), y, 0, 3, 3, null).loss;
    const eps = 1e-2;
    let checked = 0;
    for (const p of net.params()) {
      const g = p.grad.slice();
      for (let i = 0; i < p.value.length; i += 3) {
        const numeric = centralDifference(p.value, i, eps, loss);
        expect(close(g[i]!, numeric, 1e-3, 3e-2), `${p.name}[${i}]: ${g[i]} vs ${numeric}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
