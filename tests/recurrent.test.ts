/**
 * Recurrent cells against central finite differences: for a fixed random
 * linear read-out L = Σ c_k · y_k of the layer's output, every analytic
 * gradient (weights, biases, inputs) must match (L(θ+ε) − L(θ−ε)) / 2ε.
 */
import { describe, expect, it } from "vitest";
import { Recurrent, type RecurrentOutput } from "../src/ann/recurrent.js";
import type { CellKind } from "../src/ann/cells/cell.js";
import { Rng } from "../src/core/rng.js";
import { GemmArena, gemmNNJs, simdAvailable } from "../src/ann/cells/simd-kernels.js";
import { centralDifference } from "./helpers/finite-diff.js";

const STEPS = 4;
const FEATURES = 3;
const HIDDEN = 5;
const BATCH = 2;

function lossOf(layer: Recurrent, x: Float32Array, coef: Float64Array): number {
  const y = layer.forward(x, coef.length / layer.outSize);
  let s = 0;
  for (let i = 0; i < coef.length; i++) s += coef[i]! * y[i]!;
  return s;
}

/**
 * Max over entries of |analytic − numeric| / max(0.1, |analytic| + |numeric|):
 * relative for large gradients, absolute below 0.1 where float32 rounding of
 * the forward pass (≈5e-5 in the quotient) would dominate a relative error.
 */
function checkArray(value: Float32Array, analytic: Float32Array, f: () => number, eps: number): number {
  let worst = 0;
  for (let i = 0; i < value.length; i++) {
    const numeric = centralDifference(value, i, eps, f);
    const a = analytic[i]!;
    const err = Math.abs(a - numeric) / Math.max(0.1, Math.abs(a) + Math.abs(numeric));
    if (err > worst) worst = err;
  }
  return worst;
}

function setup(cell: CellKind, output: RecurrentOutput, seed: number, hidden = HIDDEN, simd = true) {
  const rng = Rng.fromSeed(seed);
  const layer = new Recurrent(
    { cell, steps: STEPS, features: FEATURES, hidden, maxBatch: BATCH, output, simd },
    rng.fork("layer"),
  );
  // Perturb biases away from their init so every bias path is exercised.
  for (const p of layer.params())
    if (!p.decay) for (let i = 0; i < p.value.length; i++) p.value[i]! += 0.3 * rng.normal();
  const x = new Float32Array(BATCH * STEPS * FEATURES);
  rng.fork("x").fillNormal(x, 0, 1);
  const coef = new Float64Array(BATCH * layer.outSize);
  const cr = rng.fork("coef");
  for (let i = 0; i < coef.length; i++) coef[i] = cr.normal();
  return { layer, x, coef };
}

const cells: CellKind[] = ["rnn", "lstm", "gru"];
const outputs: RecurrentOutput[] = ["last", "sequence"];

describe("Recurrent: BPTT gradients match central finite differences", () => {
  for (const cell of cells) {
    for (const output of outputs) {
      it(`${cell}, ${output === "last" ? "many-to-one" : "many-to-many"}: weights, biases, inputs`, () => {
        const { layer, x, coef } = setup(cell, output, 7);
        for (const p of layer.params()) p.grad.fill(0);
        layer.forward(x, BATCH);
        const dy = new Float32Array(coef.length);
        for (let i = 0; i < coef.length; i++) dy[i] = coef[i]!;
        const dx = layer.backward(dy, BATCH).slice(0, x.length);
        const f = () => lossOf(layer, x, coef);
        const eps = 1e-2;
        for (const p of layer.params()) {
          const err = checkArray(p.value, p.grad, f, eps);
          expect(err, `${cell} ${output} param ${p.name}`).toBeLessThan(2e-3);
        }
        expect(checkArray(x, dx, f, eps), `${cell} ${output} input`).toBeLessThan(2e-3);
      });
    }
  }

  // hidden = 16: every product is a multiple of 16 wide, so the WebAssembly SIMD kernel runs.
  for (const cell of cells) {
    it(`${cell}, hidden 16 (SIMD products where available): weights, biases, inputs`, () => {
      const { layer, x, coef } = setup(cell, "sequence", 11, 16);
      expect(layer.cell.simd).toBe(simdAvailable());
      expect(layer.cell.simdStep).toBe(simdAvailable() && cell !== "rnn");
      for (const p of layer.params()) p.grad.fill(0);
      layer.forward(x, BATCH);
      const dy = new Float32Array(coef.length);
      for (let i = 0; i < coef.length; i++) dy[i] = coef[i]!;
      const dx = layer.backward(dy, BATCH).slice(0, x.length);
      const f = () => lossOf(layer, x, coef);
      for (const p of layer.params())
        expect(checkArray(p.value, p.grad, f, 1e-2), `${cell} ${p.name}`).toBeLessThan(2e-3);
      expect(checkArray(x, dx, f, 1e-2), `${cell} input`).toBeLessThan(2e-3);
    });
  }

  it("the check detects a wrong gradient (a corrupted analytic gradient fails)", () => {
    const { layer, x, coef } = setup("lstm", "last", 3);
    for (const p of layer.params()) p.grad.fill(0);
    layer.forward(x, BATCH);
    const dy = new Float32Array(coef.length);
    for (let i = 0; i < coef.length; i++) dy[i] = coef[i]!;
    layer.backward(dy, BATCH);
    const w = layer.params()[0]!;
    w.grad[FEATURES * 4 * HIDDEN + 1]! += 0.05; // one recurrent weight
    expect(checkArray(w.value, w.grad, () => lossOf(layer, x, coef), 1e-2)).toBeGreaterThan(1e-2);
  });

  it("gradients accumulate over calls and cover the full fused weight", () => {
    const { layer, x, coef } = setup("gru", "last", 5);
    const dy = new Float32Array(coef.length);
    for (let i = 0; i < coef.length; i++) dy[i] = coef[i]!;
    for (const p of layer.params()) p.grad.fill(0);
    layer.forward(x, BATCH);
    layer.backward(dy, BATCH);
    const once = layer.params().map((p) => p.grad.slice());
    layer.forward(x, BATCH);
    layer.backward(dy, BATCH);
    layer.params().forEach((p, k) => {
      for (let i = 0; i < p.grad.length; i++) expect(p.grad[i]).toBeCloseTo(2 * once[k]![i]!, 5);
    });
    expect(layer.params()[0]!.value.length).toBe((FEATURES + HIDDEN) * 3 * HIDDEN);
  });
});

describe("Recurrent: initialisation and shapes", () => {
  it('init "keras": LSTM forget-gate bias starts at 1, the others at 0', () => {
    const layer = new Recurrent(
      { cell: "lstm", steps: 2, features: 3, hidden: 4, maxBatch: 1, output: "last", init: "keras" },
      Rng.fromSeed(1),
    );
    const b = layer.params()[1]!.value;
    expect(Array.from(b.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(b.subarray(4, 8))).toEqual([1, 1, 1, 1]);
    expect(Array.from(b.subarray(8, 16))).toEqual(new Array(8).fill(0));
  });

  it('init "keras": recurrent weight blocks are orthogonal (QᵀQ = I within float32 precision)', () => {
    const h = 6;
    const f = 2;
    const layer = new Recurrent(
      { cell: "gru", steps: 2, features: f, hidden: h, maxBatch: 1, output: "last", init: "keras" },
      Rng.fromSeed(2),
    );
    const w = layer.params()[0]!.value;
    const g = 3 * h;
    for (let gate = 0; gate < 3; gate++) {
      for (let a = 0; a < h; a++) {
        for (let c = 0; c < h; c++) {
          let dot = 0;
          for (let j = 0; j < h; j++) dot += w[(f + a) * g + gate * h + j]! * w[(f + c) * g + gate * h + j]!;
          expect(dot).toBeCloseTo(a === c ? 1 : 0, 5);
        }
      }
    }
  });

  // torch.nn.LSTM/GRU/RNN.reset_parameters: every weight and bias U(±1/√hidden); LSTM and RNN
  // keep two biases (b_ih, b_hh), the GRU keeps its input- and hidden-side biases apart anyway.
  // A uniform on ±a has mean 0 and variance a²/3: over n draws the sample mean's sd is
  // a/√(3n) and the sample variance's relative sd about √(0.8/n) (kurtosis 1.8); bounds at 5 sd.
  for (const cell of ["lstm", "gru", "rnn"] as const) {
    it(`init "pytorch" (default), ${cell}: every weight and bias uniform in ±1/√hidden`, () => {
      const h = 32;
      const f = 28;
      const layer = new Recurrent(
        { cell, steps: 2, features: f, hidden: h, maxBatch: 1, output: "last" },
        Rng.fromSeed(3),
      );
      const names = layer.params().map((p) => p.name);
      expect(names).toEqual(cell === "gru" ? ["W", "b", "b_h"] : ["W", "b", "b_hh"]);
      const a = 1 / Math.sqrt(h);
      for (const p of layer.params()) {
        const v = p.value;
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
    });
  }

  it('init "pytorch": the paired bias b_hh adds into the gates and gets the same gradient as b', () => {
    const mk = () =>
      new Recurrent({ cell: "lstm", steps: 3, features: 2, hidden: 4, maxBatch: 2, output: "last" }, Rng.fromSeed(5));
    const x = Rng.fromSeed(4).fillNormal(new Float32Array(2 * 3 * 2), 0, 1);
    const a = mk();
    const b = mk();
    // Moving 0.25 from b_hh to b leaves every output unchanged.
    const [, bias, bhh] = b.params();
    for (let j = 0; j < bias!.value.length; j++) {
      bias!.value[j]! += 0.25;
      bhh!.value[j]! -= 0.25;
    }
    const ya = a.forward(x, 2).slice();
    const yb = b.forward(x, 2);
    for (let i = 0; i < ya.length; i++) expect(yb[i]).toBeCloseTo(ya[i]!, 5);
    a.backward(new Float32Array(8).fill(1), 2);
    const [, gb, gbhh] = a.params();
    expect(Array.from(gbhh!.grad)).toEqual(Array.from(gb!.grad));
    expect(gb!.grad.some((g) => g !== 0)).toBe(true);
  });

  it("many-to-many output's last step equals the many-to-one output", () => {
    const mk = (output: RecurrentOutput) =>
      new Recurrent({ cell: "lstm", steps: 3, features: 2, hidden: 4, maxBatch: 2, output }, Rng.fromSeed(9));
    const x = Rng.fromSeed(4).fillNormal(new Float32Array(2 * 3 * 2), 0, 1);
    const last = mk("last").forward(x, 2).slice(0, 8);
    const seq = mk("sequence").forward(x, 2);
    for (let b = 0; b < 2; b++) {
      for (let j = 0; j < 4; j++) expect(seq[(b * 3 + 2) * 4 + j]).toBe(last[b * 4 + j]);
    }
  });
});

describe("GemmArena: C = A·B against a double-precision triple loop", () => {
  function reference(
    a: Float32Array,
    b: Float32Array,
    c0: Float32Array,
    m: number,
    k: number,
    n: number,
    acc: boolean,
  ) {
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = acc ? c0[i * n + j]! : 0;
        for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
        out[i * n + j] = s;
      }
    }
    return out;
  }
  for (const simd of [true, false]) {
    for (const [m, k, n] of [
      [5, 7, 32],
      [4, 64, 16],
      [1, 3, 48],
      [6, 9, 20],
    ] as const) {
      for (const acc of [false, true]) {
        it(`${simd ? "SIMD" : "JavaScript"} ${m}×${k}·${k}×${n}, ${acc ? "accumulating" : "overwriting"}, at offsets`, () => {
          const arena = new GemmArena(4 * (m * k + k * n + m * n) + 64, simd);
          const rng = Rng.fromSeed(m * 100 + n);
          // Offsets of 3 floats: unaligned starts must work too.
          const a = rng.fillNormal(arena.alloc(m * k + 3), 0, 1);
          const b = rng.fillNormal(arena.alloc(k * n + 3), 0, 1);
          const c = rng.fillNormal(arena.alloc(m * n + 3), 0, 1);
          const before = c.slice(3);
          const want = reference(a.slice(3), b.slice(3), before, m, k, n, acc);
          arena.gemm(a, 3, b, 3, c, 3, m, k, n, acc);
          for (let i = 0; i < m * n; i++) expect(c[3 + i]).toBeCloseTo(want[i]!, 4);
          expect(arena.simd).toBe(simd && simdAvailable());
        });
      }
    }
  }

  it("the JavaScript product equals the SIMD one on the LSTM's shapes", () => {
    const [m, k, n] = [32, 64, 256];
    const arena = new GemmArena(m * k + k * n + m * n + 64);
    const rng = Rng.fromSeed(3);
    const a = rng.fillNormal(arena.alloc(m * k), 0, 1);
    const b = rng.fillNormal(arena.alloc(k * n), 0, 1);
    const c = arena.alloc(m * n);
    const d = new Float32Array(m * n);
    arena.gemm(a, 0, b, 0, c, 0, m, k, n, false);
    gemmNNJs(a, 0, b, 0, d, 0, m, k, n, false);
    for (let i = 0; i < m * n; i++) expect(Math.abs(c[i]! - d[i]!)).toBeLessThan(1e-4);
  });
});

describe("Recurrent: SIMD and JavaScript paths agree", () => {
  for (const cell of cells) {
    it(`${cell}: same outputs and gradients within float32 rounding`, () => {
      const a = setup(cell, "last", 21, 16, true);
      const b = setup(cell, "last", 21, 16, false);
      expect(b.layer.cell.simd).toBe(false);
      expect(b.layer.cell.simdStep).toBe(false);
      const ya = a.layer.forward(a.x, BATCH).slice(0, BATCH * 16);
      const yb = b.layer.forward(b.x, BATCH).slice(0, BATCH * 16);
      for (let i = 0; i < ya.length; i++) expect(Math.abs(ya[i]! - yb[i]!)).toBeLessThan(1e-5);
      const dy = new Float32Array(a.coef.length);
      for (let i = 0; i < dy.length; i++) dy[i] = a.coef[i]!;
      for (const l of [a.layer, b.layer]) {
        for (const p of l.params()) p.grad.fill(0);
        l.backward(dy, BATCH);
      }
      const pa = a.layer.params();
      const pb = b.layer.params();
      pa.forEach((p, k) => {
        for (let i = 0; i < p.grad.length; i++) expect(Math.abs(p.grad[i]! - pb[k]!.grad[i]!)).toBeLessThan(1e-4);
      });
    });
  }
});

describe("SIMD exp (Cephes expf polynomial) against Math.exp", () => {
  it("relative error below 3e-7 over [-87, 88], clamped outside", () => {
    const arena = new GemmArena(4096);
    const n = 2000;
    const x = arena.alloc(n);
    const y = arena.alloc(n);
    for (let i = 0; i < n; i++) x[i] = -100 + (200 * i) / n;
    arena.exp(x, y, n);
    for (let i = 0; i < n; i++) {
      const want = Math.exp(Math.min(88, Math.max(-87, x[i]!)));
      expect(Math.abs(y[i]! - want) / want).toBeLessThan(3e-7);
    }
  });
});
