/**
 * CUBA (Vogels & Abbott 2005) against Brian2 2.5.1's C++ standalone run of it:
 * 319,792 synapses, mean rate 5.6 Hz over 1 s at N = 4000, dt 0.1 ms.
 */
import { describe, expect, it } from "vitest";
import { buildCuba } from "../src/snn/cuba.js";

const BRIAN2_RATE_HZ = 5.6;
const BRIAN2_SYNAPSES = 319_792;

/**
 * Brian2 2.5.1 (Debian python3-brian, runtime mode, numpy target) over 20 seeds, N = 4000, 1 s:
 *   for s in $(seq 0 19); do /usr/bin/python3 bench/brian2/cuba_runtime.py --neurons 4000 --duration 1 --seed $s; done
 * mean and sample standard deviation over the seeds of each run's mean rate, rate spread
 * across neurons (population std) and fraction of neurons with at least one spike.
 */
const BRIAN2_RUNTIME_SEEDS = 20;
const BRIAN2_RUNTIME = {
  meanRateHz: { mean: 5.707, sd: 0.1988 },
  rateStdHz: { mean: 5.5239, sd: 0.1768 },
  activeFraction: { mean: 0.8439, sd: 0.0128 },
};

describe("CUBA", () => {
  it("has the Brian2 synapse count and structure: p = 0.02, excitatory rows onto ge, inhibitory onto gi", () => {
    const c = buildCuba({ seed: 0 });
    expect(c.neurons).toBe(4000);
    expect(c.excitatoryCount).toBe(3200);
    expect(c.p).toBeCloseTo(0.02, 12);
    // Binomial(4000², 0.02): mean 320,000, sd 560.
    expect(Math.abs(c.synapses - 320_000)).toBeLessThan(5 * 560);
    expect(Math.abs(c.synapses - BRIAN2_SYNAPSES) / BRIAN2_SYNAPSES).toBeLessThan(0.01);
    const e = c.excitatory.matrix;
    const i = c.inhibitory.matrix;
    expect(e.rowPtr[3200]).toBe(e.count); // inhibitory neurons have no excitatory synapses
    expect(i.rowPtr[3200]).toBe(0); // and excitatory neurons no inhibitory ones
    expect(Array.from(e.weight.subarray(0, 10))).toEqual(new Array(10).fill(Math.fround(1.62)));
    expect(i.weight[0]).toBe(-9);
    expect(c.excitatory.targetVar).toBe("ge");
    expect(c.inhibitory.targetVar).toBe("gi");
    // v(0) uniform in [Vr, Vt].
    let lo = Infinity,
      hi = -Infinity;
    for (const v of c.group.v) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(-60);
    expect(hi).toBeLessThanOrEqual(-50);
    expect(hi - lo).toBeGreaterThan(9.9);
  });

  it("fires as Brian2 does over 1 s: mean rate and its spread across neurons, within 3 standard errors over seeds", () => {
    const seeds = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const mean: number[] = [];
    const spread: number[] = [];
    const active: number[] = [];
    for (const seed of seeds) {
      const c = buildCuba({ seed, keepSpikes: false });
      c.network.run(1000);
      expect(c.network.step).toBe(10_000);
      const rates = Array.from(c.spikes.counts, (k) => k / 1);
      const m = rates.reduce((a, b) => a + b, 0) / rates.length;
      mean.push(m);
      spread.push(Math.sqrt(rates.reduce((a, b) => a + (b - m) ** 2, 0) / rates.length));
      active.push(rates.filter((r) => r > 0).length / rates.length);
    }
    // The seeds really differ (a network that ignores its seed would repeat the rate exactly).
    expect(new Set(mean).size).toBe(seeds.length);
    // Each statistic's mean over our 10 seeds against Brian2's over its 20: the difference of two
    // independent means has standard error sqrt(sB²/20 + sOurs²/10), both from seed-to-seed spread.
    // Within 3 SE: measured 1.3 (rate), 0.3 (spread), 2.1 (active). 10% stronger excitatory synapses
    // give 3.6 SE on the rate and 5.7 on the spread, 10% stronger inhibitory ones 6.2 and 4.3: both
    // fail. Scaling both by the same factor leaves this balanced network's rates within the seed
    // spread (measured: 5.59 Hz at 1.1x, 5.65 at 0.9x); the exact synapse weights above catch that.
    const check = (ours: number[], b: { mean: number; sd: number }, what: string) => {
      const m = ours.reduce((a, v) => a + v, 0) / ours.length;
      const sd = Math.sqrt(ours.reduce((a, v) => a + (v - m) ** 2, 0) / (ours.length - 1));
      const se = Math.sqrt(b.sd ** 2 / BRIAN2_RUNTIME_SEEDS + sd ** 2 / ours.length);
      expect(
        Math.abs(m - b.mean),
        `${what}: ours ${m.toFixed(4)} vs Brian2 ${b.mean}, SE ${se.toFixed(4)}`,
      ).toBeLessThan(3 * se);
    };
    check(mean, BRIAN2_RUNTIME.meanRateHz, "mean rate (Hz)");
    check(spread, BRIAN2_RUNTIME.rateStdHz, "rate spread across neurons (Hz)");
    check(active, BRIAN2_RUNTIME.activeFraction, "fraction of neurons that fired");
  });

  it("delivers in WebAssembly where the LIF kernel runs there, and the opt-in float32 LIF keeps Brian2's rate", () => {
    const c = buildCuba({ seed: 0, keepSpikes: false });
    expect(c.group.precision).toBe("float64");
    expect(c.excitatory.wasm).toBe(c.group.simd);
    expect(c.inhibitory.wasm).toBe(c.group.simd);
    const f = buildCuba({ seed: 0, keepSpikes: false, precision: "float32" });
    expect(f.group.precision).toBe("float32");
    f.network.run(1000);
    const rate = f.spikes.totalSpikes() / f.neurons;
    expect(Math.abs(rate - BRIAN2_RATE_HZ) / BRIAN2_RATE_HZ).toBeLessThan(0.15);
  });

  it("scales N at in-degree 80: p = 80 / N, about 80 synapses per target", () => {
    const c = buildCuba({ neurons: 10_000, seed: 5 });
    expect(c.p).toBeCloseTo(0.008, 12);
    const mean = 10_000 * 10_000 * 0.008;
    expect(Math.abs(c.synapses - mean)).toBeLessThan(5 * Math.sqrt(mean));
  });

  it("without its synapses the network fires like isolated neurons (the synapses matter)", () => {
    // El > Vt: an isolated neuron fires periodically at 1 / (5 ms + 20 ms·ln(11 / 1)) = 19.6 Hz,
    // so the recurrent inhibition is what brings CUBA down to 5.6 Hz.
    const c = buildCuba({ seed: 0, keepSpikes: false });
    c.excitatory.matrix.weight.fill(0);
    c.inhibitory.matrix.weight.fill(0);
    c.network.run(500);
    const rate = c.spikes.totalSpikes() / c.neurons / 0.5;
    const isolated = 1000 / (5 + 20 * Math.log(11));
    expect(Math.abs(rate - isolated)).toBeLessThan(1.5); // first ISI depends on v(0): ±1 spike in 0.5 s
  });
});
