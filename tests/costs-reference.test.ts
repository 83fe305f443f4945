// Inference-cost counting (src/metrics/costs.ts) on cases counted by hand,
// following NeuroBench's definitions (Yik et al., arXiv:2304.04640): an
// effective MAC needs a non-zero input and a non-zero weight; padding taps read
// zeros and cost nothing; memory accesses are weights read per effective op,
// state read and written per update, and activations written.
import { describe, expect, it } from "vitest";
import { Activation } from "../src/ann/activation.js";
import { Conv2D } from "../src/ann/conv2d.js";
import { Dense } from "../src/ann/dense.js";
import { Rng } from "../src/core/rng.js";
import {
  CostCounter,
  convEffectiveMacs,
  csrBytes,
  effectiveRowOps,
  measureLayers,
  nonZeroFanOut,
  nonZeroPerRow,
} from "../src/metrics/costs.js";
import { SynapseMatrix } from "../src/snn/synapses/csr.js";

describe("counters", () => {
  it("membrane updates read and write each state variable once; per-sample means over the samples", () => {
    const c = new CostCounter();
    c.addMembraneUpdates(10, 3); // 10 updates of a 3-variable neuron: 60 accesses
    c.addSpikes(40, 4); // 40 neuron-steps, 4 spikes: 36 zeros, 4 writes
    c.effectiveAcs = 12;
    c.effectiveMacs = 8;
    c.denseOps = 100;
    const f = c.finish(2, 1234);
    expect(f).toEqual({
      denseOps: 50,
      effectiveMacs: 4,
      effectiveAcs: 6,
      activationSparsity: 36 / 40,
      membraneUpdates: 5,
      footprintBytes: 1234,
      memoryAccesses: (8 + 12 + 60 + 4) / 2,
    });
    // Nothing counted: sparsity 0 (not NaN), and no division by zero samples.
    expect(new CostCounter().finish(0, 0)).toEqual({
      denseOps: 0,
      effectiveMacs: 0,
      effectiveAcs: 0,
      activationSparsity: 0,
      membraneUpdates: 0,
      footprintBytes: 0,
      memoryAccesses: 0,
    });
  });

  it("effective row ops read only the rows asked for, at the offset given", () => {
    // Two rows of 3 inputs, then a third row that must not be read.
    const x = Float32Array.of(1, 0, 2, 0, 5, 0, 9, 9, 9);
    const rowNnz = Int32Array.of(10, 20, 30);
    expect(effectiveRowOps(x, 2, 3, rowNnz)).toBe(10 + 30 + 20);
    expect(effectiveRowOps(x, 1, 3, rowNnz, 3)).toBe(20);
    expect(nonZeroPerRow(Float32Array.of(0, 1, 0, 0, 2, 3, 0, 0), 2, 3, 1)).toEqual(Int32Array.of(1, 2));
  });

  it("non-zero fan-out of a CSR matrix counts each row's own non-zero weights", () => {
    // Row 0: weights 1, 0; row 1: none; row 2: 0, 0, 4.
    const m = new SynapseMatrix(
      3,
      3,
      Int32Array.of(0, 2, 2, 5),
      Int32Array.of(0, 1, 0, 1, 2),
      Float32Array.of(1, 0, 0, 0, 4),
    );
    expect(Array.from(nonZeroFanOut(m))).toEqual([1, 0, 1]);
  });

  it("a CSR matrix's bytes: row pointers, targets, weights, and per-synapse delays when it has them", () => {
    const rowPtr = Int32Array.of(0, 1, 3);
    const target = Int32Array.of(0, 0, 1);
    const plain = new SynapseMatrix(2, 2, rowPtr, target, new Float32Array(3));
    expect(csrBytes(plain)).toBe(3 * 4 + 3 * 4 + 3 * 4);
    const delayed = new SynapseMatrix(2, 2, rowPtr, target, new Float32Array(3), Uint16Array.of(1, 2, 3));
    expect(csrBytes(delayed)).toBe(3 * 4 + 3 * 4 + 3 * 4 + 3 * 2);
  });
});

describe("convolution effective MACs", () => {
  it("2×2 image, 3×3 kernel, padding 1, stride 2: only the taps inside the image, batch of two", () => {
    const conv = new Conv2D(
      { inHeight: 2, inWidth: 2, inChannels: 1, outChannels: 1, kernel: 3, stride: 2, padding: 1 },
      2,
      Rng.fromSeed(0),
    );
    expect([conv.outHeight, conv.outWidth]).toEqual([1, 1]);
    // Non-zero weights per tap (ky·3 + kx): the taps that fall on padding get large counts,
    // so reading one would show. The one output position sees pixels (0,0) (0,1) (1,0) (1,1)
    // through taps 4, 5, 7, 8.
    const rowNnz = Int32Array.of(100, 200, 300, 400, 5, 6, 700, 8, 9);
    // Image 0: pixels 1, 0, 2, 3 -> taps 4, 7, 8: 5 + 8 + 9 = 22. Image 1: 0, 0, 0, 4 -> tap 8: 9.
    expect(convEffectiveMacs(conv, Float32Array.of(1, 0, 2, 3, 0, 0, 0, 4), 2, rowNnz)).toBe(31);
  });

  it("2×2 image, 3×3 kernel, padding 1, stride 1: taps past the bottom and right edges read nothing", () => {
    const conv = new Conv2D(
      { inHeight: 2, inWidth: 2, inChannels: 1, outChannels: 1, kernel: 3, stride: 1, padding: 1 },
      1,
      Rng.fromSeed(0),
    );
    expect([conv.outHeight, conv.outWidth]).toEqual([2, 2]);
    // Tap t counts 2^t, so each sum names its taps. Every pixel non-zero. Output (0,0) sees taps
    // 4 5 7 8 (432), (0,1) taps 3 4 6 7 (216), (1,0) taps 1 2 4 5 (54), (1,1) taps 0 1 3 4 (27).
    const rowNnz = Int32Array.from({ length: 9 }, (_, t) => 2 ** t);
    expect(convEffectiveMacs(conv, Float32Array.of(1, 1, 1, 1), 1, rowNnz)).toBe(432 + 216 + 54 + 27);
  });

  it("4×4 image, 2×2 kernel, stride 2, two channels: every output position's own patch", () => {
    const conv = new Conv2D(
      { inHeight: 4, inWidth: 4, inChannels: 2, outChannels: 1, kernel: 2, stride: 2 },
      1,
      Rng.fromSeed(0),
    );
    expect([conv.outHeight, conv.outWidth]).toEqual([2, 2]);
    // rowNnz per (tap, channel): tap t = ky·2 + kx, row t·2 + c, counts 1, 2, 4, ..., 128 (a bit each).
    const rowNnz = Int32Array.from({ length: 8 }, (_, r) => 2 ** r);
    // Channel-last image: only pixel (3, 2) channel 1 and pixel (0, 1) channel 0 are non-zero.
    const x = new Float32Array(4 * 4 * 2);
    x[(3 * 4 + 2) * 2 + 1] = 1; // output (1, 1), tap (1, 0) = 2, channel 1: row 5 -> 32
    x[(0 * 4 + 1) * 2 + 0] = 1; // output (0, 0), tap (0, 1) = 1, channel 0: row 2 -> 4
    expect(convEffectiveMacs(conv, x, 1, rowNnz)).toBe(36);
    // The same image twice: each image read at its own offset (b · H · W · C).
    const two = new Float32Array(2 * x.length);
    two.set(x, x.length);
    expect(convEffectiveMacs(conv, two, 2, rowNnz)).toBe(36);
    two.set(x);
    expect(convEffectiveMacs(conv, two, 2, rowNnz)).toBe(72);
  });
});

describe("measureLayers", () => {
  it("a Dense + ReLU stack over 5 samples in chunks of 2: dense ops, effective MACs and activations by hand", () => {
    const dense = new Dense(3, 2, 2, Rng.fromSeed(1));
    // W [in × out] = [[1, 0], [0, 0], [2, -1]]: non-zero per input row 1, 0, 2.
    dense.weight.value.set([1, 0, 0, 0, 2, -1]);
    dense.bias.value.fill(0);
    const relu = new Activation("relu", 2, 2);
    // Samples: [1,1,1] -> 3 MACs, out [3,-1] -> [3,0]; [0,1,0] -> 0, [0,0]; [0,0,1] -> 2, [2,0];
    // [1,0,0] -> 1, [1,0]; [0,0,0] -> 0, [0,0]. MACs 6; activations 10, of which 7 zero.
    const x = Float32Array.of(1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0);
    const c = new CostCounter();
    measureLayers([dense, relu], x, 5, 2, c);
    expect(c.denseOps).toBe(5 * 3 * 2);
    expect(c.effectiveMacs).toBe(6);
    expect(c.activations).toBe(10);
    expect(c.zeroActivations).toBe(7);
  });

  it("counts a convolution's fused ReLU as activations, and a linear convolution's outputs not", () => {
    const cfg = { inHeight: 2, inWidth: 2, inChannels: 1, outChannels: 1, kernel: 1 };
    const x = Float32Array.of(1, -1, 0, 2);
    for (const relu of [true, false]) {
      const conv = new Conv2D({ ...cfg, relu }, 1, Rng.fromSeed(2));
      conv.weight.value.set([1]);
      conv.bias.value.fill(0);
      const c = new CostCounter();
      measureLayers([conv], x, 1, 1, c);
      expect(c.denseOps).toBe(4);
      expect(c.effectiveMacs).toBe(3);
      // ReLU outputs 1, 0, 0, 2: two zeros of four.
      expect([c.activations, c.zeroActivations]).toEqual(relu ? [4, 2] : [0, 0]);
    }
  });
});
