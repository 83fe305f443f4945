/**
 * The WebAssembly SIMD step of LifGroup (src/snn/neurons/lif-simd.ts) against
 * the JavaScript loop it replaces. The kernel does the loop's float64
 * arithmetic in float64 lanes and rounds to float32 once, as the loop does, so
 * the two must agree bit for bit: the same spikes in the same steps and the
 * same state, not merely similar rates. Drives: a CUBA-like recurrent network
 * (random sparse excitatory and inhibitory kicks from the neurons' own
 * spikes, v(0) uniform in [Vr, Vt], El above threshold) and parameter sets
 * that stress the edge cases (sizes not a multiple of four, a threshold that
 * is not a float32, tauE = tau, zero refractory period, constant drive).
 */
import { describe, expect, it } from "vitest";
import { LifGroup, type LifParams } from "../src/snn/neurons/lif.js";
import { floorToFloat32, lifSimdAvailable } from "../src/snn/neurons/lif-simd.js";
import type { StateArray } from "../src/snn/group.js";
import { CUBA_PARAMS, CUBA_WE_MV, CUBA_WI_MV } from "../src/snn/cuba.js";
import { Rng } from "../src/core/rng.js";
import { sleb, uleb } from "../src/core/wasm.js";

const simd = lifSimdAvailable();
if (!simd) console.warn("skipping SIMD/JS comparisons: this runtime has no WebAssembly SIMD");

interface Trace {
  /** Spike steps per neuron. */
  spikes: number[][];
  total: number;
  state: { v: StateArray; ge: StateArray; gi: StateArray; last: Int32Array };
}

/**
 * Runs `steps` steps of a network of `size` neurons where each neuron excites
 * (first 80%) or inhibits (rest) about `degree` random targets, plus `kicks`
 * random external ge kicks per step; everything random comes from `seed`.
 */
function runRecurrent(
  useSimd: boolean,
  size: number,
  params: LifParams,
  steps: number,
  seed: number,
  opts: {
    degree?: number;
    kicks?: number;
    iExt?: (i: number) => number;
    precision?: "float64" | "float32";
  } = {},
): Trace {
  const g = new LifGroup("lif", size, params, 0.1, { simd: useSimd, precision: opts.precision });
  expect(g.precision).toBe(opts.precision ?? "float64");
  expect(g.simd).toBe(useSimd);
  const rng = Rng.fromSeed(seed);
  rng.fork("v0").fillUniform(g.v, params.vResetMv, params.vThreshMv);
  if (opts.iExt) for (let i = 0; i < size; i++) g.iExt[i] = opts.iExt(i);
  // CSR connectivity by presynaptic neuron, drawn the same way for both paths.
  const conn = rng.fork("conn");
  const degree = opts.degree ?? 8;
  const rowStart = new Int32Array(size + 1);
  const targets: number[] = [];
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < degree; k++) targets.push(conn.int(size));
    rowStart[i + 1] = targets.length;
  }
  const nExc = Math.round(0.8 * size);
  const kickRng = rng.fork("kicks");
  const spikes = Array.from({ length: size }, () => [] as number[]);
  let total = 0;
  for (let s = 0; s < steps; s++) {
    g.integrateAndThreshold(s);
    for (let k = 0; k < g.spikeCount; k++) {
      const i = g.spiked[k]!;
      spikes[i]!.push(s);
      const into = i < nExc ? g.ge : g.gi;
      const w = i < nExc ? CUBA_WE_MV : CUBA_WI_MV;
      for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) into[targets[p]!]! += w;
    }
    total += g.spikeCount;
    for (let k = 0; k < (opts.kicks ?? 0); k++) g.ge[kickRng.int(size)]! += kickRng.uniform(0, 3);
    g.reset(s);
  }
  return {
    spikes,
    total,
    state: { v: g.v.slice(), ge: g.ge.slice(), gi: g.gi.slice(), last: g.lastSpikeStep.slice() },
  };
}

function expectIdentical(a: Trace, b: Trace): void {
  expect(a.total).toBeGreaterThan(0);
  expect(b.total).toBe(a.total);
  expect(b.spikes).toEqual(a.spikes);
  // Bitwise equality of the float32 state (toEqual on typed arrays compares element values; NaN-free here).
  expect(b.state.v).toEqual(a.state.v);
  expect(b.state.ge).toEqual(a.state.ge);
  expect(b.state.gi).toEqual(a.state.gi);
  expect(b.state.last).toEqual(a.state.last);
}

describe("src/core/wasm.ts LEB128", () => {
  it("encodes the reference examples", () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(sleb(0)).toEqual([0]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(() => uleb(-1)).toThrow(RangeError);
  });
});

describe("floorToFloat32", () => {
  it("gives the largest float32 not above x", () => {
    for (const x of [-50, -50.3, 0.1, -0.1, 1e-50, -1e-50, 0, 3.4e38, 1e39, -1e39, 1000]) {
      const f = floorToFloat32(x);
      expect(Math.fround(f)).toBe(f);
      expect(f <= x).toBe(true);
      // The next float32 up is above x.
      const bits = new Float32Array([f]);
      const asInt = new Int32Array(bits.buffer);
      if (f === Infinity) continue;
      if (Object.is(f, -0) || f === 0) asInt[0] = 1;
      else asInt[0] = asInt[0]! + (f > 0 ? 1 : -1);
      expect(bits[0]! > x).toBe(true);
    }
  });
});

describe.skipIf(!simd)("LifGroup: WebAssembly SIMD step = JavaScript step", () => {
  it("uses the SIMD kernel by default (unless NEUROCOMPARE_LIF_SIMD=0) and the JavaScript loop with { simd: false }", () => {
    const dflt = new LifGroup("d", 10, CUBA_PARAMS, 0.1);
    const on = new LifGroup("a", 10, CUBA_PARAMS, 0.1, { simd: true });
    const off = new LifGroup("b", 10, CUBA_PARAMS, 0.1, { simd: false });
    expect(dflt.simd).toBe(process.env["NEUROCOMPARE_LIF_SIMD"] !== "0");
    expect(on.simd).toBe(true);
    expect(off.simd).toBe(false);
    // Same public shape either way.
    for (const g of [dflt, on, off]) {
      expect(g.v.length).toBe(10);
      expect(g.spiked.length).toBe(10);
      expect(g.lastSpikeStep.length).toBe(10);
      expect(Object.keys(g.state).sort()).toEqual(["ge", "gi", "iExt", "v"]);
      expect(g.state.v).toBe(g.v);
      expect(Array.from(g.v)).toEqual(new Array(10).fill(CUBA_PARAMS.elMv));
    }
  });

  it("CUBA-like recurrent drive: identical spike steps and state over 5,000 steps (N = 2,001)", () => {
    const js = runRecurrent(false, 2001, CUBA_PARAMS, 5000, 7, { degree: 40 });
    const wasm = runRecurrent(true, 2001, CUBA_PARAMS, 5000, 7, { degree: 40 });
    // The network drives itself (El > Vt): a few Hz, as CUBA.
    const rateHz = js.total / 2001 / 0.5;
    expect(rateHz).toBeGreaterThan(1);
    expect(rateHz).toBeLessThan(100);
    expectIdentical(js, wasm);
  });

  it("edge-case parameters: threshold not a float32, tauE = tau, no refractory period, constant drive, N % 4 != 0", () => {
    const cases: LifParams[] = [
      { ...CUBA_PARAMS, vThreshMv: -50.3, elMv: -49.7, vResetMv: -60.1 },
      { ...CUBA_PARAMS, tauEMs: 20, refractoryMs: 0 },
      { ...CUBA_PARAMS, refractoryMs: 2.05, elMv: -65 },
    ];
    for (const [k, p] of cases.entries()) {
      for (const size of [1, 3, 5, 97]) {
        const opts = {
          degree: 3,
          kicks: Math.ceil(size / 4),
          iExt: (i: number) => (i % 3 === 0 ? 0 : 4 + (i % 7) * 1.3),
        };
        const js = runRecurrent(false, size, p, 3000, 100 + k, opts);
        const wasm = runRecurrent(true, size, p, 3000, 100 + k, opts);
        expectIdentical(js, wasm);
      }
    }
  });

  it("sizes around the eight-lane loop, drive in some blocks only, El = -0", () => {
    // The kernel skips "+ iExt·gain" in blocks of eight whose iExt are all +0; here some blocks are
    // driven and some are not, and the sizes hit every remainder mod 8 (and exact multiples).
    const cases: LifParams[] = [
      CUBA_PARAMS,
      { ...CUBA_PARAMS, elMv: -0, vThreshMv: -1, vResetMv: -10 }, // El = -0: the kernel must still add +0
    ];
    for (const [k, p] of cases.entries()) {
      for (const size of [8, 12, 16, 23, 64, 100]) {
        const opts = {
          degree: 4,
          kicks: Math.ceil(size / 8),
          iExt: (i: number) => (Math.floor(i / 8) % 3 === 1 ? 3 + (i % 5) : 0),
        };
        const js = runRecurrent(false, size, p, 2000, 200 + k, opts);
        const wasm = runRecurrent(true, size, p, 2000, 200 + k, opts);
        expectIdentical(js, wasm);
      }
    }
  });

  it("a group of a size not seen before starts from the documented state (the kernel's warm-up calls leave no trace)", () => {
    const g = new LifGroup("fresh", 1237, CUBA_PARAMS, 0.1, { simd: true });
    expect(Array.from(g.v).every((x) => x === CUBA_PARAMS.elMv)).toBe(true);
    for (const a of [g.ge, g.gi, g.iExt]) expect(Array.from(a).every((x) => Object.is(x, 0))).toBe(true);
    expect(Array.from(g.spiked).every((x) => x === 0)).toBe(true);
    expect(g.spikeCount).toBe(0);
    expect(Array.from(g.lastSpikeStep).every((x) => x === g.lastSpikeStep[0])).toBe(true);
  });

  it("compares the float32 v with the float64 threshold, as the loop does", () => {
    // El = -50 is a float32; the threshold -50 - 1e-7 is not, and rounds to -50. A neuron resting at
    // v = El is above the threshold (the loop's comparison is in float64), so it fires whenever it is
    // not refractory; a kernel comparing against Math.fround(threshold) would never fire.
    const p: LifParams = { ...CUBA_PARAMS, elMv: -50, vThreshMv: -50 - 1e-7, vResetMv: -50, refractoryMs: 1 };
    const counts = [false, true].map((useSimd) => {
      const g = new LifGroup("lif", 6, p, 0.1, { simd: useSimd });
      let n = 0;
      for (let s = 0; s < 100; s++) {
        g.integrateAndThreshold(s);
        n += g.spikeCount;
        g.reset(s);
      }
      return n;
    });
    expect(counts[0]).toBe(6 * 10); // every 10th step (refractory 1 ms = 10 steps)
    expect(counts[1]).toBe(counts[0]);
  });

  it("the state arrays stay attached views of one fixed memory", () => {
    const g = new LifGroup("lif", 1001, CUBA_PARAMS, 0.1, { simd: true });
    const buf = g.v.buffer;
    for (const a of [g.ge, g.gi, g.iExt, g.lastSpikeStep, g.spiked]) expect(a.buffer).toBe(buf);
    g.iExt.fill(30);
    for (let s = 0; s < 200; s++) {
      g.integrateAndThreshold(s);
      g.reset(s);
    }
    expect(g.v.length).toBe(1001);
    expect(g.v.buffer.byteLength).toBeGreaterThan(0);
    // Every neuron, last one included, fired under this drive.
    expect(g.lastSpikeStep[1000]).toBeGreaterThanOrEqual(0);
  });
});

describe('LifGroup precision "float32" (opt-in)', () => {
  it("defaults to float64; refuses an unknown precision", () => {
    expect(new LifGroup("d", 10, CUBA_PARAMS, 0.1).precision).toBe("float64");
    expect(() => new LifGroup("d", 10, CUBA_PARAMS, 0.1, { precision: "float16" as "float32" })).toThrow(/precision/);
  });

  it.skipIf(!simd)("the float32 SIMD kernel equals the float32 JavaScript loop bit for bit", () => {
    const js = runRecurrent(false, 2001, CUBA_PARAMS, 4000, 7, { degree: 40, precision: "float32" });
    const wasm = runRecurrent(true, 2001, CUBA_PARAMS, 4000, 7, { degree: 40, precision: "float32" });
    expectIdentical(js, wasm);
    const cases: LifParams[] = [
      { ...CUBA_PARAMS, vThreshMv: -50.3, elMv: -49.7, vResetMv: -60.1 },
      { ...CUBA_PARAMS, tauEMs: 20, refractoryMs: 0 },
      { ...CUBA_PARAMS, elMv: -0, vThreshMv: -1, vResetMv: -10 },
    ];
    for (const [k, p] of cases.entries()) {
      for (const size of [1, 5, 8, 23, 97]) {
        const opts = {
          degree: 3,
          kicks: Math.ceil(size / 4),
          precision: "float32" as const,
          iExt: (i: number) => (Math.floor(i / 8) % 3 === 1 ? 4 + (i % 7) * 1.3 : 0),
        };
        expectIdentical(
          runRecurrent(false, size, p, 2000, 300 + k, opts),
          runRecurrent(true, size, p, 2000, 300 + k, opts),
        );
      }
    }
  });

  it("moves spikes but not the statistics: the CUBA-like rate stays within 10% of float64's", () => {
    const f64 = runRecurrent(simd, 2001, CUBA_PARAMS, 5000, 7, { degree: 40 });
    const f32 = runRecurrent(simd, 2001, CUBA_PARAMS, 5000, 7, { degree: 40, precision: "float32" });
    expect(f32.total).toBeGreaterThan(0);
    expect(Math.abs(f32.total / f64.total - 1)).toBeLessThan(0.1);
  });
});
