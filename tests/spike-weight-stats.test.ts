// Spike-train statistics (src/metrics/spike-stats.ts) and per-epoch weight
// statistics (src/metrics/weights.ts), against values computed by hand on
// small inputs, and the textbook ISI coefficients of variation: 0 for a clock,
// 1 for a Poisson train (exponential intervals: std = mean).
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { histogram, interSpikeIntervals, spikeCounts } from "../src/metrics/spike-stats.js";
import { WeightTracker, weightStats } from "../src/metrics/weights.js";

describe("spike counts and inter-spike intervals", () => {
  it("counts spikes per neuron", () => {
    expect(Array.from(spikeCounts([2, 0, 2, 2, 1], 4))).toEqual([1, 1, 3, 0]);
    expect(Array.from(spikeCounts([], 2))).toEqual([0, 0]);
  });

  it("lists every neuron's intervals in spike order and averages the CV over neurons with >= 3 spikes", () => {
    // Neuron 0 at 0, 10, 30 ms: ISIs 10, 20 -> mean 15, std (over the ISIs, n in the denominator) 5, CV 1/3.
    // Neuron 1 at 5, 7, 9, 11 ms: ISIs 2, 2, 2 -> CV 0. Neuron 2 at 3, 8 ms: one ISI, no CV.
    // Neuron 3 never fires. Mean CV = (1/3 + 0) / 2 = 1/6.
    const spikes: [number, number][] = [
      [0, 0],
      [3, 2],
      [5, 1],
      [7, 1],
      [8, 2],
      [9, 1],
      [10, 0],
      [11, 1],
      [30, 0],
    ];
    const r = interSpikeIntervals(
      spikes.map((s) => s[1]),
      spikes.map((s) => s[0]),
      4,
    );
    expect(Array.from(r.isisMs)).toEqual([2, 5, 2, 10, 2, 20]);
    expect(r.meanCv).toBeCloseTo(1 / 6, 14);
  });

  it("gives NaN when no neuron has three spikes, and leaves out neurons whose intervals are all zero", () => {
    expect(interSpikeIntervals([0, 0, 1], [1, 4, 2], 2).meanCv).toBeNaN();
    // Neuron 0: three spikes in the same step (mean ISI 0: no CV); neuron 1: ISIs 4, 4 -> CV 0... and 2, 6 -> 1/2.
    const r = interSpikeIntervals([0, 0, 0, 1, 1, 1], [5, 5, 5, 0, 2, 8], 2);
    expect(r.meanCv).toBeCloseTo(0.5, 14);
  });

  it("has CV 0 for a clock and CV 1 within 3 standard errors for a Poisson train", () => {
    const clock = interSpikeIntervals([0, 0, 0, 0, 0], [1, 3, 5, 7, 9], 1);
    expect(clock.meanCv).toBe(0);
    // 20,000 exponential intervals of mean 10 ms: the sample CV of an exponential
    // has standard error ~ 1/sqrt(n) = 0.007; 3 SE = 0.021.
    const rng = Rng.fromSeed(7);
    const n = 20_000;
    const idx = new Int32Array(n + 1);
    const times = new Float64Array(n + 1);
    for (let k = 1; k <= n; k++) times[k] = times[k - 1]! - 10 * Math.log(1 - rng.next());
    const poisson = interSpikeIntervals(idx, times, 1);
    expect(Math.abs(poisson.meanCv - 1)).toBeLessThan(0.021);
  });
});

describe("histograms", () => {
  it("spans the data when no range is given, the last bin closed", () => {
    expect(histogram([0, 1, 2, 3, 4], 2)).toEqual([
      { lo: 0, hi: 2, count: 2 },
      { lo: 2, hi: 4, count: 3 },
    ]);
    expect(histogram([4, 1, 3], 3)).toEqual([
      { lo: 1, hi: 2, count: 1 },
      { lo: 2, hi: 3, count: 0 },
      { lo: 3, hi: 4, count: 2 },
    ]);
  });

  it("puts values outside a given range into the end bins", () => {
    expect(histogram([-5, 0, 0.5, 9.99, 10, 50], 4, 0, 10).map((b) => b.count)).toEqual([3, 0, 0, 3]);
    expect(histogram([-5, 0, 0.5, 9.99, 10, 50], 4, 0, 10)[1]).toEqual({ lo: 2.5, hi: 5, count: 0 });
  });

  it("takes one end from the caller and the other from the data", () => {
    expect(histogram([3, 5, 7], 2, 1)).toEqual([
      { lo: 1, hi: 4, count: 1 },
      { lo: 4, hi: 7, count: 2 },
    ]);
    expect(histogram([3, 5, 7], 2, undefined, 11)).toEqual([
      { lo: 3, hi: 7, count: 2 },
      { lo: 7, hi: 11, count: 1 },
    ]);
  });

  it("a range end the caller gives is kept even when values fall beyond it", () => {
    // lo = 1 given, -5 below it: the range stays [1, 7] and -5 goes to the first bin.
    expect(histogram([-5, 3, 5, 7], 2, 1)).toEqual([
      { lo: 1, hi: 4, count: 2 },
      { lo: 4, hi: 7, count: 2 },
    ]);
    // hi = 5 given, 9 above it: the range stays [1, 5] and 9 goes to the last bin.
    expect(histogram([1, 2, 9], 2, undefined, 5)).toEqual([
      { lo: 1, hi: 3, count: 2 },
      { lo: 3, hi: 5, count: 1 },
    ]);
    // No values and one end given: still no bins (the other end is unknown).
    expect(histogram([], 2, 0)).toEqual([]);
    expect(histogram([], 2, undefined, 3)).toEqual([]);
  });

  it("gives one unit of width to equal values and no bins to no values", () => {
    expect(histogram([2, 2, 2], 2)).toEqual([
      { lo: 2, hi: 2.5, count: 3 },
      { lo: 2.5, hi: 3, count: 0 },
    ]);
    expect(histogram([], 3)).toEqual([]);
  });
});

describe("weight statistics", () => {
  it("mean, population std, mean absolute change and the shares that grew or shrank in magnitude", () => {
    // Weights {1, -2, 3}: mean 2/3, E[w²] = 14/3, variance 14/3 - 4/9 = 38/9.
    // From {0.5, -3, 3}: |Δ| = 0.5 + 1 + 0 -> 0.5 per weight; |1| > |0.5| grew, |-2| < |-3| shrank, 3 = 3 neither.
    const s = weightStats([Float32Array.of(1, -2), Float32Array.of(3)], [Float32Array.of(0.5, -3), Float32Array.of(3)]);
    expect(s.meanWeight).toBeCloseTo(2 / 3, 14);
    expect(s.weightStd).toBeCloseTo(Math.sqrt(38) / 3, 14);
    expect(s.weightChange).toBeCloseTo(0.5, 14);
    expect(s.potentiatedFraction).toBeCloseTo(1 / 3, 14);
    expect(s.depressedFraction).toBeCloseTo(1 / 3, 14);
    // A weight that changed sign but kept its magnitude neither grew nor shrank.
    const flip = weightStats([Float32Array.of(-2)], [Float32Array.of(2)]);
    expect(flip).toEqual({
      meanWeight: -2,
      weightStd: 0,
      weightChange: 4,
      potentiatedFraction: 0,
      depressedFraction: 0,
    });
  });

  it("has no change without matching previous weights, and zeros for no weights", () => {
    const none = weightStats([Float32Array.of(1, 3)], null);
    expect(none).toEqual({
      meanWeight: 2,
      weightStd: 1,
      weightChange: 0,
      potentiatedFraction: 0,
      depressedFraction: 0,
    });
    // Another number of layers: no change counted at all.
    expect(weightStats([Float32Array.of(1, 3)], [Float32Array.of(0, 0), Float32Array.of(1)]).weightChange).toBe(0);
    // A layer of another size is skipped; the others count, over all weights.
    const partial = weightStats(
      [Float32Array.of(2, 2), Float32Array.of(1)],
      [Float32Array.of(1, 1, 1), Float32Array.of(0)],
    );
    expect(partial.weightChange).toBeCloseTo(1 / 3, 14);
    expect(partial.potentiatedFraction).toBeCloseTo(1 / 3, 14);
    expect(weightStats([], null)).toEqual({
      meanWeight: 0,
      weightStd: 0,
      weightChange: 0,
      potentiatedFraction: 0,
      depressedFraction: 0,
    });
    expect(weightStats([new Float32Array(0)], [new Float32Array(0)]).weightChange).toBe(0);
  });

  it("the tracker measures change against a copy of the weights it last saw", () => {
    const w = Float32Array.of(1, -1);
    const t = new WeightTracker();
    expect(t.stats([w]).weightChange).toBe(0);
    w[0] = 3; // changed in place, as learners do
    const s = t.stats([w]);
    expect(s.weightChange).toBe(1);
    expect(s.potentiatedFraction).toBe(0.5);
    expect(t.stats([w]).weightChange).toBe(0);
  });
});
