/**
 * Finite-difference gradient checks (reference: central differences of the
 * forward pass, summed in float64) for the dense layer, every activation and
 * both losses. The scalar checked is L = Σ r·y for a fixed random r, so
 * dL/dy = r is what backward receives.
 */
import { describe, expect, it } from "vitest";
import { Activation, type ActivationName } from "../src/ann/activation.js";
import { Dense } from "../src/ann/dense.js";
import type { Layer } from "../src/ann/layer.js";
import { meanSquaredError, softmaxCrossEntropy } from "../src/ann/loss.js";
import { SimdArena, matmul, matmulTransA, simdAvailable } from "../src/core/kernels.js";
import { Rng } from "../src/core/rng.js";
import { centralDifference, close } from "./helpers/finite-diff.js";

function projection(y: Float32Array, r: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += r[i]! * y[i]!;
  return s;
}

/** Compares backward's dx and parameter gradients with central differences; returns the worst mismatch. */
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
  const loss = () => projection(layer.forward(x, batch, true), r, nOut);
  for (const p of layer.params()) p.grad.fill(0);
  layer.forward(x, batch, true);
  const dy = Float32Array.from(r);
  const dx = layer.backward(dy, batch).slice(0, batch * layer.inSize);
  const targets: { name: string; value: Float32Array; grad: Float32Array }[] = [
    ...layer.params().map((p) => ({ name: p.name, value: p.value, grad: p.grad.slice() })),
  ];
  if (dx.length > 0) targets.push({ name: "x", value: x, grad: dx });
  let worst = 0;
  let checked = 0;
  for (const t of targets) {
    for (let i = 0; i < t.value.length; i++) {
      const numeric = centralDifference(t.value, i, eps, loss);
      const analytic = t.grad[i]!;
      if (!close(analytic, numeric, atol, rtol)) {
        throw new Error(`${layer.kind} d/d${t.name}[${i}]: analytic ${analytic}, numeric ${numeric}`);
      }
      worst = Math.max(worst, Math.abs(analytic - numeric));
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(0);
  return worst;
}

/** Inputs in ±[0.1, 1]: away from the ReLU kink by far more than eps. */
function inputs(n: number, rng: Rng): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.1, 1);
  return x;
}

describe("Dense gradients (finite differences)", () => {
  it("matches central differences for W, b and x", () => {
    const rng = Rng.fromSeed(1);
    const d = new Dense(7, 5, 4, rng.fork("init"), "glorot-uniform");
    d.bias.value.set([0.1, -0.2, 0.3, 0, 0.05]);
    checkLayer(d, inputs(3 * 7, rng), 3, rng, 1e-2);
  });

  it("accumulates over a batch with zero inputs (skipped in the kernel) and without input gradient", () => {
    const rng = Rng.fromSeed(2);
    const d = new Dense(9, 6, 5, rng.fork("init"), "he-uniform", { inputGrad: false });
    const x = inputs(5 * 9, rng);
    for (let i = 0; i < x.length; i += 3) x[i] = 0;
    checkLayer(d, x, 5, rng, 1e-2);
    expect(d.backward(new Float32Array(30), 5).length).toBe(0);
  });

  it("matches central differences on the SIMD and register-blocked widths (8, 16, 24 outputs)", () => {
    const rng = Rng.fromSeed(5);
    for (const out of [8, 16, 24]) {
      for (const simd of [true, false]) {
        const d = new Dense(11, out, 3, rng.fork(`init${out}`), "glorot-uniform", { simd });
        const x = inputs(3 * 11, rng);
        for (let i = 0; i < x.length; i += 4) x[i] = 0;
        checkLayer(d, x, 3, rng, 1e-2);
      }
    }
  });

  it("kernels agree with a naive triple loop (reference) for every width path", () => {
    const rng = Rng.fromSeed(6);
    for (const n of [1, 3, 8, 16, 24, 28, 40, 60, 128]) {
      const m = 5;
      const k = 13;
      const a = inputs(m * k, rng);
      for (let i = 0; i < a.length; i += 3) a[i] = 0;
      const b = inputs(k * n, rng);
      const ref = new Float64Array(m * n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) ref[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
      const c = new Float32Array(m * n).fill(7);
      matmul(a, b, c, m, k, n);
      for (let i = 0; i < m * n; i++) expect(c[i]).toBeCloseTo(ref[i]!, 4);
      // Aᵀ·B with A stored [k×m]: transpose a into at.
      const at = new Float32Array(k * m);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) at[p * m + i] = a[i * k + p]!;
      const c2 = new Float32Array(m * n).fill(1);
      matmulTransA(at, b, c2, m, k, n, true);
      for (let i = 0; i < m * n; i++) expect(c2[i]).toBeCloseTo(ref[i]! + 1, 4);
      // The WebAssembly SIMD product (blocks of 32 columns, then one of 4..28), operands in its arena.
      const arena = new SimdArena(m * k + k * n + m * n);
      const [sa, sb, sc] = [arena.alloc(m * k), arena.alloc(k * n), arena.alloc(m * n)];
      sa.set(a);
      sb.set(b);
      sc.fill(2);
      arena.spmm(sa, sb, sc, m, k, n, true);
      for (let i = 0; i < m * n; i++) expect(sc[i]).toBeCloseTo(ref[i]! + 2, 4);
      // Started from a bias row instead of C, then clamped at zero (fused ReLU).
      const arena2 = new SimdArena(m * k + k * n + m * n + n);
      const [ta, tb, tc, bias] = [arena2.alloc(m * k), arena2.alloc(k * n), arena2.alloc(m * n), arena2.alloc(n)];
      ta.set(a);
      tb.set(b);
      tc.fill(99);
      for (let j = 0; j < n; j++) bias[j] = j % 2 === 0 ? 0.5 : -0.5;
      arena2.spmm(ta, tb, tc, m, k, n, false, true, bias);
      for (let i = 0; i < m * n; i++) expect(tc[i]).toBeCloseTo(Math.max(0, ref[i]! + bias[i % n]!), 4);
    }
    expect(simdAvailable()).toBe(true); // Node 20 has WebAssembly SIMD: the arena above really ran it
  });

  it("computes y = x·W + b (hand-computed 2×2 case)", () => {
    const d = new Dense(2, 2, 1, Rng.fromSeed(0));
    d.weight.value.set([1, 2, 3, 4]); // W = [[1, 2], [3, 4]]
    d.bias.value.set([0.5, -1]);
    const y = d.forward(Float32Array.of(1, -1), 1);
    expect(Array.from(y.slice(0, 2))).toEqual([1 - 3 + 0.5, 2 - 4 - 1]);
  });
});

describe("activation gradients (finite differences)", () => {
  const cases: [ActivationName, number][] = [
    ["sigmoid", 1e-3],
    ["tanh", 1e-3],
    ["relu", 1e-3],
    ["leaky-relu", 1e-3],
  ];
  for (const [fn, eps] of cases) {
    it(`${fn}`, () => {
      const rng = Rng.fromSeed(3);
      const a = new Activation(fn, 6, 4, 0.1);
      checkLayer(a, inputs(4 * 6, rng), 4, rng, eps);
    });
  }

  it("leaky-relu uses its slope below zero (hand-computed)", () => {
    const a = new Activation("leaky-relu", 2, 1, 0.1);
    const y = a.forward(Float32Array.of(-2, 3), 1);
    expect(y[0]).toBeCloseTo(-0.2, 6);
    expect(y[1]).toBe(3);
  });
});

describe("loss gradients (finite differences)", () => {
  const batch = 4;
  const classes = 5;
  const labels = Int32Array.of(0, 3, 4, 1);
  for (const [name, fn] of [
    ["softmax cross-entropy", softmaxCrossEntropy],
    ["MSE", meanSquaredError],
  ] as const) {
    it(`${name}: dLoss/dOutput matches central differences`, () => {
      const rng = Rng.fromSeed(4);
      const z = inputs(batch * classes, rng).map((v) => 2 * v);
      const grad = new Float32Array(batch * classes);
      fn(z, labels, 0, batch, classes, grad);
      const eps = 1e-3;
      for (let i = 0; i < z.length; i++) {
        const numeric = centralDifference(z, i, eps, () => fn(z, labels, 0, batch, classes, null).loss);
        expect(close(grad[i]!, numeric, 1e-4, 1e-2), `${name} [${i}]: ${grad[i]} vs ${numeric}`).toBe(true);
      }
    });
  }

  it("softmax cross-entropy of equal logits is ln(classes) (hand-computed)", () => {
    const r = softmaxCrossEntropy(new Float32Array(4), Int32Array.of(1), 0, 1, 4, null);
    expect(r.loss).toBeCloseTo(Math.log(4), 6);
  });

  it("MSE against one-hot is half the squared distance (hand-computed)", () => {
    const r = meanSquaredError(Float32Array.of(0.5, 0.5), Int32Array.of(0), 0, 1, 2, null);
    expect(r.loss).toBeCloseTo(0.5 * (0.25 + 0.25), 6);
  });
});
