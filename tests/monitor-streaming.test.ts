/**
 * Streaming monitors. Reference: the same monitors without a sink, which keep
 * every spike and sample in memory; a streamed recording, put back together
 * from its chunks, must be identical, and statistics gathered chunk by chunk
 * must equal the one-pass figures bit for bit (same arithmetic, same order).
 */
import { describe, expect, it } from "vitest";
import { IsiAccumulator, interSpikeIntervals } from "../src/metrics/spike-stats.js";
import { Rng } from "../src/core/rng.js";
import { PoissonGroup } from "../src/snn/inputs/poisson.js";
import { SpikeMonitor, StateMonitor } from "../src/snn/monitors.js";
import { Network } from "../src/snn/network.js";
import { LifGroup } from "../src/snn/neurons/lif.js";
import { networkScenarioSchema } from "../src/scenario/network-schema.js";
import { MAX_CHART_SPIKES, MAX_TRACE_POINTS, runNetworkScenario } from "../src/runs/run-network.js";

function lif(n: number): LifGroup {
  const g = new LifGroup(
    "G",
    n,
    { tauMs: 10, elMv: -49, vThreshMv: -50, vResetMv: -60, refractoryMs: 2, tauEMs: 5, tauIMs: 10 },
    0.1,
  );
  g.v.fill(-55);
  return g;
}

describe("streaming monitors", () => {
  it("a spike monitor with a sink hands over exactly the spikes a keeping monitor keeps", () => {
    const src = new PoissonGroup("P", 50, 200, 0.1, Rng.fromSeed(3));
    const keep = new SpikeMonitor(src, 0.1);
    const idx: number[] = [];
    const steps: number[] = [];
    const stream = new SpikeMonitor(src, 0.1, {
      chunk: 7,
      sink: (c) => {
        idx.push(...c.indices);
        steps.push(...c.steps);
      },
    });
    new Network({ dtMs: 0.1, groups: [src], monitors: [keep, stream] }).run(200);
    stream.flush();
    expect(keep.count).toBeGreaterThan(100);
    expect(idx).toEqual(Array.from(keep.indices));
    expect(steps).toEqual(Array.from(keep.steps));
    expect(stream.count).toBe(keep.count);
    expect(Array.from(stream.counts)).toEqual(Array.from(keep.counts));
  });

  it("a state monitor with a sink hands over exactly the samples a keeping monitor keeps", () => {
    const g = lif(4);
    const keep = new StateMonitor({ group: g, vars: ["v", "ge"], indices: [0, 3], every: 3 }, 0.1);
    const chunks: { steps: number[]; v: number[]; ge: number[] } = { steps: [], v: [], ge: [] };
    const stream = new StateMonitor(
      {
        group: g,
        vars: ["v", "ge"],
        indices: [0, 3],
        every: 3,
        chunk: 5,
        sink: (c) => {
          chunks.steps.push(...c.steps);
          chunks.v.push(...c.values[0]!);
          chunks.ge.push(...c.values[1]!);
        },
      },
      0.1,
    );
    new Network({ dtMs: 0.1, groups: [g], monitors: [keep, stream] }).run(10);
    stream.flush();
    expect(stream.samples).toBe(keep.samples);
    expect(chunks.steps).toEqual(Array.from(keep.timesMs(), (t) => Math.round(t / 0.1)));
    expect(chunks.v).toEqual(Array.from(keep.values("v")));
    expect(chunks.ge).toEqual(Array.from(keep.values("ge")));
  });

  it("inter-spike statistics gathered in chunks equal the one-pass figures", () => {
    const rng = Rng.fromSeed(5);
    const n = 2000;
    const indices = Int32Array.from({ length: n }, () => Math.floor(rng.uniform(0, 20)));
    const times = Float64Array.from({ length: n }, (_, k) => k * 0.1);
    const one = interSpikeIntervals(indices, times, 20);
    const acc = new IsiAccumulator(20);
    for (let k = 0; k < n; k += 333) {
      const end = Math.min(n, k + 333);
      acc.add(indices.subarray(k, end), (j) => times[k + j]!);
    }
    expect(acc.meanCv()).toBe(one.meanCv);
    expect(Array.from(acc.isisMs())).toEqual(Array.from(one.isisMs));
  });
});

describe("network runs stream spikes.csv and state.csv", () => {
  const scenario = (extra: Record<string, unknown>) =>
    networkScenarioSchema.parse({
      kind: "network",
      name: "s",
      description: "d",
      durationMs: 200,
      groups: [{ name: "P", size: 40, model: { type: "poisson", rateHz: 50 } }],
      monitors: { state: [] },
      ...extra,
    });

  it("the CSV written as the run goes holds every spike the recordings hold", () => {
    let spikes = "";
    let state = "";
    const r = runNetworkScenario(scenario({}), "s.json", {
      files: { spikes: (t) => (spikes += t), state: (t) => (state += t) },
    });
    const lines = spikes.trimEnd().split("\n");
    expect(lines[0]).toBe("group,neuron,timeMs");
    const rec = r.recordings.spikes[0]!;
    expect(lines.slice(1)).toEqual(Array.from(rec.indices, (i, k) => `P,${i},${rec.timesMs[k]}`));
    expect(r.runs[0]!.groups[0]!.spikes).toBe(rec.indices.length);
    expect(state).toBe("group,variable,neuron,timeMs,value\n");
  });

  it("a long state recording streams whole to state.csv while the chart keeps at most MAX_TRACE_POINTS", () => {
    const s = networkScenarioSchema.parse({
      kind: "network",
      name: "long",
      description: "d",
      durationMs: 25_000,
      groups: [{ name: "G", size: 1, model: { type: "lif" } }],
      monitors: { spikes: [], state: [{ group: "G", variables: ["v"] }] },
    });
    let rows = 0;
    let last = "";
    const r = runNetworkScenario(s, "long.json", {
      files: {
        spikes: () => {},
        state: (t) => {
          rows += t.split("\n").length - 1;
          last = t;
        },
      },
    });
    expect(rows - 1).toBe(250_000); // every step, header excluded
    expect(last.trimEnd().split("\n").pop()).toMatch(/^G,v,0,24999\.9\d*,/);
    const trace = r.recordings.traces[0]!;
    expect(trace.values.length).toBeLessThanOrEqual(MAX_TRACE_POINTS);
    expect(trace.values.length).toBeGreaterThan(MAX_TRACE_POINTS / 2);
  });

  it("past MAX_CHART_SPIKES the charts keep the first spikes, and the statistics count them all", () => {
    // 1,000 Poisson neurons at 1 kHz for 1.2 s: about 1.2 million spikes.
    const s = scenario({
      durationMs: 1200,
      groups: [{ name: "P", size: 1000, model: { type: "poisson", rateHz: 1000 } }],
    });
    let rows = -1;
    const r = runNetworkScenario(s, "s.json", {
      files: { spikes: (t) => (rows += t.split("\n").length - 1), state: () => {} },
    });
    const rec = r.recordings.spikes[0]!;
    const total = r.runs[0]!.groups[0]!.spikes;
    expect(total).toBeGreaterThan(MAX_CHART_SPIKES);
    expect(rows).toBe(total);
    expect(rec.truncated).toBe(true);
    expect(rec.indices.length).toBe(MAX_CHART_SPIKES);
    expect(rec.counts!.reduce((a, b) => a + b, 0)).toBe(total);
  });
});
