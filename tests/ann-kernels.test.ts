/**
 * The WebAssembly SIMD kernels of the convolution and max-pooling layers.
 * References:
 * - exact kernels: bit-for-bit equality with a scalar float32 reference of the
 *   im2col + matrix-product order (tests/helpers/conv-reference.ts), for both
 *   forward strategies (scatter, gather) over strides, paddings and channel
 *   counts (fixed-F modules up to 32 channels, the generic one above);
 * - exact kernels, whole learners: SHA-256 digests of a few training steps of
 *   three CNNs, recorded with the previous kernels (im2col + the sparse SIMD
 *   product, commit dc95561): the new kernels change no bit of any step;
 * - relaxed-SIMD kernels (where the runtime has relaxed SIMD, e.g. Node 24):
 *   within 2·γ_n·Σ|terms| of the exact kernels, element by element. Each of the
 *   two float32 evaluations of a sum of n terms (separate or fused
 *   multiply-adds) is within γ_n·Σ|terms| of the real sum, γ_n = n·u/(1 − n·u),
 *   u = 2^-24 (Higham, Accuracy and Stability of Numerical Algorithms, 2002,
 *   §3.1), so they are within twice that of each other;
 * - max pooling: the SIMD kernels equal the JavaScript loops bit for bit, ties
 *   and NaN included; central differences for the relaxed layer's gradients;
 * - Dense layers whose width is not a multiple of 4: the float64-lane kernels
 *   equal the JavaScript products (core/matmul.ts) bit for bit.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Conv2D, type Conv2DConfig } from "../src/ann/conv2d.js";
import { Dense } from "../src/ann/dense.js";
import { MaxPool2D } from "../src/ann/pool2d.js";
import { Rng } from "../src/core/rng.js";
import { relaxedSimdAvailable } from "../src/core/wasm.js";
import { CnnLearner, cnnConfigSchema, effectiveKernels } from "../src/learners/cnn.js";
import { cnnDigest, digestCases } from "./helpers/cnn-digest.js";
import { convMagnitudes, convReference } from "./helpers/conv-reference.js";
import { centralDifference, close } from "./helpers/finite-diff.js";

type Geometry = Omit<Conv2DConfig, "inputGrad" | "simd" | "strategy" | "relaxedSimd">;

const geometries: [string, Geometry][] = [
  [
    "the benchmark's second layer (12×12×8 → 16, 5×5)",
    { inHeight: 12, inWidth: 12, inChannels: 8, outChannels: 16, kernel: 5, relu: true },
  ],
  [
    "the benchmark's first layer, with dx (28×28×1 → 8, 5×5)",
    { inHeight: 28, inWidth: 28, inChannels: 1, outChannels: 8, kernel: 5, relu: true },
  ],
  [
    "stride 2, padding 1, 3 → 12",
    { inHeight: 9, inWidth: 7, inChannels: 3, outChannels: 12, kernel: 3, stride: 2, padding: 1 },
  ],
  ["2×2, 2 → 4 channels", { inHeight: 6, inWidth: 8, inChannels: 2, outChannels: 4, kernel: 2, relu: true }],
  ["stride 3, 4 → 20", { inHeight: 10, inWidth: 10, inChannels: 4, outChannels: 20, kernel: 4, stride: 3 }],
  [
    "padding 2, 5 → 36 (the generic module)",
    { inHeight: 7, inWidth: 7, inChannels: 5, outChannels: 36, kernel: 3, padding: 2, relu: true },
  ],
  [
    "3×3, 1 → 256 (many channels, K = 9 not a multiple of 4)",
    { inHeight: 5, inWidth: 5, inChannels: 1, outChannels: 256, kernel: 3, relu: true },
  ],
  [
    "1×1, 6 → 48 (the generic module, 16-channel tiles)",
    { inHeight: 5, inWidth: 4, inChannels: 6, outChannels: 48, kernel: 1 },
  ],
];

/** n values: a fraction `zeros` exactly zero, the rest uniform in (-1, 1). */
function sparse(n: number, zeros: number, rng: Rng): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniform(0, 1) < zeros ? 0 : rng.uniform(-1, 1);
  return x;
}

/** Indices where the float32 bit patterns differ. */
function bitDiffs(a: Float32Array, b: Float32Array): number[] {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (ua[i] !== ub[i]) out.push(i);
  return out;
}

/** One forward and backward pass of a fresh layer on seeded data; gradients start at zero. */
function runLayer(g: Geometry, opts: Partial<Conv2DConfig>, batch: number, seed: number) {
  const conv = new Conv2D({ ...g, inputGrad: true, ...opts }, batch + 1, Rng.fromSeed(seed).fork("init"));
  const rng = Rng.fromSeed(seed).fork("data");
  rng.fillUniform(conv.bias.value, -0.3, 0.3);
  const x = sparse(batch * conv.inSize, 0.6, rng);
  const dy = sparse(batch * conv.outSize, 0.75, rng); // max pooling routes a quarter of the gradient
  const y = conv.forward(x, batch).slice(0, batch * conv.outSize);
  const dx = conv.backward(dy, batch).slice(0, batch * conv.inSize);
  return { conv, x, dy, y, dx, dw: conv.weight.grad.slice(), db: conv.bias.grad.slice() };
}

describe("exact convolution kernels: bit-identical to the scalar float32 reference", () => {
  for (const [label, g] of geometries) {
    for (const strategy of ["scatter", "gather"] as const) {
      it(`${label}, ${strategy}`, () => {
        const r = runLayer(g, { strategy }, 3, 40);
        const ref = convReference(r.conv, r.x, r.dy, 3, new Float32Array(r.dw.length), new Float32Array(r.db.length));
        expect(bitDiffs(r.y, ref.y)).toEqual([]);
        expect(bitDiffs(r.dw, ref.dw)).toEqual([]);
        expect(bitDiffs(r.db, ref.db)).toEqual([]);
        expect(bitDiffs(r.dx, ref.dx)).toEqual([]);
        // the data exercise the kernels: outputs, gradients and zeros all present
        expect(r.y.some((v) => v !== 0) && r.dw.some((v) => v !== 0) && r.dx.some((v) => v !== 0)).toBe(true);
      });
    }
  }

  it("the first layer of a network (no dx) gives the same parameter gradients", () => {
    const g = geometries[1]![1];
    const a = runLayer(g, {}, 2, 41);
    const b = runLayer(g, { inputGrad: false }, 2, 41);
    expect(b.dx.length).toBe(0);
    expect(bitDiffs(a.dw, b.dw)).toEqual([]);
    expect(bitDiffs(a.db, b.db)).toEqual([]);
  });
});

describe("exact kernels in whole learners: the previous kernels' training digests", () => {
  // Recorded with the im2col + sparse-product kernels (commit dc95561) on Node 20; the same on Node 24.
  // The initialiser is named in the configs (he-uniform, zero biases), so a new default does not move them.
  const recorded = [
    "99571441eeb8b641a5f18cda947664f9f0ae0bc86d7fbec0c6ae1c171560b67c",
    "cf8bb38df7423ea3b3b7e064bfbf8c6ab91b155319ea3859b1837b5cf9dc36a5",
    "d91c3f642d3266648ae8ecdca8a63446f94798fbb7d1f3171dbc00bf3ed3384c",
  ];
  digestCases.forEach((c, i) => {
    it(c.label, () => {
      expect(cnnDigest(c)).toBe(recorded[i]);
    });
  });
});

/** γ_n = n·u / (1 − n·u), u = 2^-24: the relative error bound of an n-rounding float32 sum. */
const gamma = (n: number) => (n * 2 ** -24) / (1 - n * 2 ** -24);

describe.skipIf(!relaxedSimdAvailable())("relaxed-SIMD kernels (fused multiply-add)", () => {
  for (const [label, g] of geometries) {
    it(`agree with the exact kernels within 2·γ_n·Σ|terms| (${label})`, () => {
      for (const strategy of ["scatter", "gather"] as const) {
        const exact = runLayer(g, { strategy }, 3, 42);
        const fused = runLayer(g, { strategy, relaxedSimd: true }, 3, 42);
        expect(fused.conv.fused).toBe(true);
        const K = exact.conv.kernel * exact.conv.kernel * exact.conv.inChannels;
        const F = exact.conv.outChannels;
        const rows = 3 * exact.conv.outHeight * exact.conv.outWidth;
        // the gradient both saw: dy masked by the exact forward's ReLU (the same mask where y is far from 0)
        const gMask = exact.y.map((v, i) => (exact.conv.relu && !(v > 0) ? 0 : exact.dy[i]!));
        const mag = convMagnitudes(exact.conv, exact.x, gMask, 3);
        const within = (a: Float32Array, b: Float32Array, m: Float64Array, n: number, what: string) => {
          for (let i = 0; i < a.length; i++) {
            const bound = 2 * gamma(n) * m[i]!;
            if (!(Math.abs(a[i]! - b[i]!) <= bound))
              throw new Error(`${what}[${i}]: ${a[i]} vs ${b[i]}, bound ${bound}`);
          }
        };
        within(fused.y, exact.y, mag.y, K + 1, "y");
        const sameMask = exact.y.every((v, i) => v > 0 === fused.y[i]! > 0);
        if (sameMask) {
          within(fused.dw, exact.dw, mag.dw, rows + 1, "dW");
          within(fused.dx, exact.dx, mag.dx, F + K + 1, "dx");
          expect(bitDiffs(fused.db, exact.db)).toEqual([]); // float64 sums in both
        }
      }
    });
  }

  it("backward matches central differences of the relaxed forward pass", () => {
    const conv = new Conv2D(
      { inHeight: 6, inWidth: 6, inChannels: 2, outChannels: 8, kernel: 3, padding: 1, relaxedSimd: true },
      2,
      Rng.fromSeed(43),
    );
    const rng = Rng.fromSeed(44);
    rng.fillUniform(conv.bias.value, -0.5, 0.5);
    const x = sparse(2 * conv.inSize, 0.3, rng);
    const r = sparse(2 * conv.outSize, 0, rng);
    const loss = () => {
      const y = conv.forward(x, 2);
      let s = 0;
      for (let i = 0; i < r.length; i++) s += r[i]! * y[i]!;
      return s;
    };
    conv.forward(x, 2);
    const dx = conv.backward(r, 2).slice(0, x.length);
    for (const [name, value, grad] of [
      ["W", conv.weight.value, conv.weight.grad.slice()],
      ["b", conv.bias.value, conv.bias.grad.slice()],
      ["x", x, dx],
    ] as const) {
      for (let i = 0; i < value.length; i++) {
        const numeric = centralDifference(value, i, 1e-2, loss);
        expect(close(grad[i]!, numeric, 2e-3, 1e-2), `d/d${name}[${i}]: ${grad[i]} vs ${numeric}`).toBe(true);
      }
    }
  });

  it('a cnn learner with kernels "relaxed-simd" runs fused convolutions', () => {
    const config = cnnConfigSchema.parse({ type: "cnn", kernels: "relaxed-simd" });
    const shape = { inputSize: 784, classes: 10, image: { height: 28, width: 28, channels: 1 } };
    const learner = new CnnLearner(config, { ...shape, featureRange: { min: 0, max: 1 } }, Rng.fromSeed(0));
    expect(learner.kernels).toBe("relaxed-simd");
    expect(learner.net.layers.filter((l) => l instanceof Conv2D).map((l) => (l as Conv2D).fused)).toEqual([true, true]);
  });
});

describe.skipIf(relaxedSimdAvailable())("without relaxed SIMD (e.g. Node 20)", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('kernels "relaxed-simd" runs the exact kernels after one line on stderr, once', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
      lines.push(String(s));
      return true;
    });
    expect(effectiveKernels("relaxed-simd")).toBe("exact");
    expect(effectiveKernels("relaxed-simd")).toBe("exact");
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/relaxed SIMD.*exact kernels\n$/);
    expect(lines[0]!.trimEnd().includes("\n")).toBe(false);
  });

  it("and its results are the exact kernels' bit for bit", () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(cnnDigest(digestCases[0]!, { kernels: "relaxed-simd" })).toBe(cnnDigest(digestCases[0]!));
  });
});

describe("max pooling: WebAssembly SIMD equals the JavaScript loops bit for bit", () => {
  const cases = [
    { inHeight: 24, inWidth: 24, channels: 8, size: 2 },
    { inHeight: 7, inWidth: 9, channels: 4, size: 3, stride: 2 },
    { inHeight: 5, inWidth: 5, channels: 12, size: 2, stride: 1 },
  ];
  for (const c of cases) {
    it(`${c.inHeight}×${c.inWidth}×${c.channels}, window ${c.size}, stride ${c.stride ?? c.size}`, () => {
      const simd = new MaxPool2D(c, 3);
      const js = new MaxPool2D({ ...c, simd: false }, 3);
      const rng = Rng.fromSeed(45);
      // values on a coarse grid (ties in most windows), zeros, and one NaN
      const x = Float32Array.from({ length: 2 * simd.inSize }, () => Math.round(rng.uniform(-2, 2) * 2) / 2);
      x[7] = Number.NaN;
      const dy = sparse(2 * simd.outSize, 0.2, rng);
      dy[3] = -0;
      expect(
        bitDiffs(simd.forward(x, 2).slice(0, 2 * simd.outSize), js.forward(x, 2).slice(0, 2 * js.outSize)),
      ).toEqual([]);
      expect(
        bitDiffs(simd.backward(dy, 2).slice(0, 2 * simd.inSize), js.backward(dy, 2).slice(0, 2 * js.inSize)),
      ).toEqual([]);
    });
  }
});

describe("Dense widths not a multiple of 4: WebAssembly float64 lanes equal the JavaScript products bit for bit", () => {
  for (const [inSize, outSize, inputGrad] of [
    [256, 10, true],
    [33, 7, true],
    [20, 1, false],
  ] as const) {
    it(`${inSize} → ${outSize}${inputGrad ? "" : ", no dx"}`, () => {
      const [wasm, js] = [true, false].map(
        (simd) => new Dense(inSize, outSize, 5, Rng.fromSeed(46), "glorot-uniform", { simd, inputGrad }),
      ) as [Dense, Dense];
      const rng = Rng.fromSeed(47);
      rng.fillUniform(wasm.bias.value, -0.5, 0.5);
      js.bias.value.set(wasm.bias.value);
      for (let step = 0; step < 2; step++) {
        const batch = step === 0 ? 5 : 3;
        const x = sparse(batch * inSize, 0.5, rng); // zeros regroup the four-term sums
        const dy = sparse(batch * outSize, 0.1, rng);
        const ya = wasm.forward(x, batch).slice(0, batch * outSize);
        const yb = js.forward(x, batch).slice(0, batch * outSize);
        expect(bitDiffs(ya, yb)).toEqual([]);
        const dxa = wasm.backward(dy, batch).slice(0, batch * inSize);
        const dxb = js.backward(dy, batch).slice(0, batch * inSize);
        expect(bitDiffs(dxa, dxb)).toEqual([]);
        expect(bitDiffs(wasm.weight.grad, js.weight.grad)).toEqual([]);
        expect(bitDiffs(wasm.bias.grad, js.bias.grad)).toEqual([]);
      }
      expect(wasm.weight.grad.some((v) => v !== 0)).toBe(true);
    });
  }
});
