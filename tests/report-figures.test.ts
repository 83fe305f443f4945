// Figures that can be: bands clipped to what a metric allows, table cells that
// show the seeds' range where a 95% interval would leave it; the interaction
// added to every chart spec (legend toggle, time zoom, tooltips); network charts
// with one colour per group in scenario order, units in titles, readable rasters
// and long traces thinned or windowed without losing spikes.
import { describe, expect, it } from "vitest";
import { clip, metricBounds, RANGE_NOTE } from "../src/report/bounds.js";
import { lineChart } from "../src/report/charts.js";
import { makeInteractive, seriesOf } from "../src/report/interaction.js";
import { buildNetworkCharts, decimate, dotSize } from "../src/report/network-charts.js";
import { stateUnit } from "../src/report/state-units.js";
import { COLUMNS, formatFigure } from "../src/report/table.js";
import { confidenceInterval } from "../src/metrics/stats.js";
import type { MetricRow } from "../src/runs/results.js";
import { networkScenarioSchema } from "../src/scenario/network-schema.js";
import type { Recordings } from "../src/runs/run-network.js";

const column = (metric: string) => COLUMNS.find((c) => c.metric === metric)!;
const figure = (values: number[]) => ({ ...confidenceInterval(values), seeds: values.length });

describe("intervals that cannot read as impossible", () => {
  it("gives a training time whose interval would reach below zero as the mean and the seeds' range", () => {
    // 10, 12 and 56 ms: mean 26 ms, t(0.975, 2)·s/√3 = 64 ms, so mean − half-width < 0.
    const f = formatFigure(figure([10, 12, 56]), column("trainingTimeMs"));
    expect(f).toEqual({ text: "0.0260 [0.0100, 0.0560]", range: true });
  });

  it("keeps mean ± half-width where the interval stays inside", () => {
    // 10, 11 and 12 ms: 11 ± t(0.975, 2)·1/√3 = 11 ± 2.48 ms.
    expect(formatFigure(figure([10, 11, 12]), column("trainingTimeMs")).text).toBe("0.0110 ± 0.0025");
    // Every seed the same: "± 0", not "± 0.00e5".
    expect(formatFigure(figure([227000, 227000]), column("synapseCount")).text).toBe("227000 ± 0");
  });

  it("never shows an accuracy interval past 100%", () => {
    // 0.5, 1, 1: mean 83.3%, half-width 71.7 pp would reach 155%.
    expect(formatFigure(figure([0.5, 1, 1]), column("finalTestAccuracy")).text).toBe("83.33 [50.00, 100.00]");
    expect(RANGE_NOTE).toMatch(/range of the seeds' values/);
  });

  it("clips chart bands to the metric's range: loss at zero, accuracy at 100%", () => {
    const rows: MetricRow[] = [];
    for (const [seed, loss, acc] of [
      [0, 0.01, 1],
      [1, 0.02, 1],
      [2, 0.9, 0.6],
    ] as const)
      rows.push(
        { learner: "mlp", seed, epoch: 1, metric: "trainLoss", value: loss },
        { learner: "mlp", seed, epoch: 1, metric: "testAccuracy", value: acc },
      );
    const band = (id: "loss-curve" | "learning-curve") => {
      const values = (lineChart(id, rows, ["mlp"])!.spec["data"] as { values: { lo: number; hi: number }[] }).values;
      return values[0]!;
    };
    // Unclipped: loss 0.31 ± 1.27, accuracy 86.7 ± 57.4 %.
    expect(band("loss-curve").lo).toBe(0);
    expect(band("learning-curve").hi).toBe(100);
    expect(band("learning-curve").lo).toBeGreaterThan(0);
    expect(clip(-3, metricBounds("spikesPerSample"))).toBe(0);
    // Forgetting can be negative (backward transfer), but a difference of two accuracies stays within ±100 points.
    expect(clip(-0.3, metricBounds("forgetting"))).toBe(-0.3);
    expect(clip(-130, metricBounds("forgetting"), 100)).toBe(-100);
    expect(clip(110, metricBounds("forgetting"), 100)).toBe(100);
  });
});

const layered = {
  data: { values: [] },
  layer: [
    {
      mark: { type: "area", opacity: 0.2 },
      encoding: {
        x: { field: "epoch", type: "quantitative" },
        y: { field: "lo", type: "quantitative" },
        color: { field: "learner", type: "nominal", scale: { domain: ["mlp", "lsm"] } },
      },
    },
    {
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "epoch", type: "quantitative" },
        y: { field: "mean", type: "quantitative" },
        color: { field: "learner", type: "nominal", scale: { domain: ["mlp", "lsm"] } },
        tooltip: [{ field: "learner" }],
      },
    },
  ],
};

describe("interaction added to a chart spec", () => {
  const spec = makeInteractive(layered) as { layer: Record<string, unknown>[] };

  it("binds one legend selection that starts with every series shown, and fades unselected marks to nothing", () => {
    const params = spec.layer.flatMap((l) => (l["params"] as { name: string }[] | undefined) ?? []);
    expect(params.filter((p) => p.name === "series")).toEqual([
      {
        name: "series",
        select: { type: "point", fields: ["learner"], toggle: "true", clear: false },
        bind: "legend",
        value: [{ learner: "mlp" }, { learner: "lsm" }],
      },
    ]);
    const opacity = spec.layer.map((l) => (l["encoding"] as Record<string, unknown>)["opacity"]);
    expect(opacity).toEqual([
      { condition: { param: "series", empty: false, value: 0.2 }, value: 0 },
      { condition: { param: "series", empty: false, value: 1 }, value: 0 },
    ]);
  });

  it("zooms an epoch axis (marks clipped) and gives every mark a tooltip", () => {
    const params = spec.layer.flatMap((l) => (l["params"] as { name: string; bind?: string }[] | undefined) ?? []);
    expect(params.filter((p) => p.bind === "scales").map((p) => p.name)).toEqual(["zoom"]);
    for (const l of spec.layer) expect((l["mark"] as { clip?: boolean }).clip).toBe(true);
    expect((spec.layer[0]!["mark"] as { tooltip?: unknown }).tooltip).toEqual({ content: "data" });
    expect((spec.layer[1]!["encoding"] as { tooltip?: unknown }).tooltip).toEqual([{ field: "learner" }]);
  });

  it("adds no zoom to a log or non-time axis, and no legend toggle without a legend", () => {
    const energy = makeInteractive({
      mark: "point",
      encoding: {
        x: { field: "energy", type: "quantitative", scale: { type: "log" } },
        color: { field: "learner", type: "nominal", scale: { domain: ["a"] }, legend: null },
      },
    });
    expect(energy["params"]).toBeUndefined();
    expect(seriesOf(energy)).toBeNull();
    // The input is never changed in place.
    expect((layered.layer[0]!.encoding as Record<string, unknown>)["opacity"]).toBeUndefined();
  });
});

describe("network charts", () => {
  const scenario = networkScenarioSchema.parse({
    kind: "network",
    name: "n",
    description: "d",
    durationMs: 5000,
    dtMs: 0.5,
    groups: [
      { name: "zeta", size: 1, model: { type: "izhikevich", preset: "RS" } },
      { name: "alpha", size: 600, model: { type: "lif" } },
      {
        name: "eq",
        size: 1,
        model: {
          type: "equations",
          equations: "dv/dt = -v / tau : volt (unless refractory)\nI : amp",
          threshold: "v > 1",
          parameters: { tau: 10 },
        },
      },
    ],
  });
  const steps = 10_000;
  const spikeTrain = (size: number, n: number) => ({
    indices: Int32Array.from({ length: n }, (_, k) => k % size),
    timesMs: Float64Array.from({ length: n }, (_, k) => (k * 5000) / n),
  });
  const vTrace = Float64Array.from({ length: steps }, (_, k) => (k % 1000 === 500 ? 30 : -65));
  const rec: Recordings = {
    // Recorded in another order than the scenario's: the charts follow the scenario.
    spikes: [
      { group: "alpha", size: 600, ...spikeTrain(600, 3000) },
      { group: "zeta", size: 1, ...spikeTrain(1, 40) },
    ],
    rates: [
      { group: "alpha", rateHz: new Float32Array(steps) },
      { group: "zeta", rateHz: new Float32Array(steps) },
    ],
    traces: [
      {
        group: "eq",
        variable: "v",
        neuron: 0,
        timesMs: Float64Array.from({ length: steps }, (_, k) => k * 0.5),
        values: vTrace,
      },
      {
        group: "zeta",
        variable: "u",
        neuron: 0,
        timesMs: Float64Array.from({ length: steps }, (_, k) => k * 0.5),
        values: vTrace,
      },
    ],
    weights: [],
  };
  const charts = buildNetworkCharts(rec, {
    ...scenario,
    charts: ["raster", "population-rate", "voltage-traces", "rate-distribution", "isi-histogram"],
  });
  const json = (id: string) => JSON.stringify(charts.find((c) => c.id === id)!.spec);

  it("colours each group alike in every chart, in scenario order", () => {
    for (const c of charts) {
      const domain = JSON.stringify(c.spec).match(
        /"domain":\["zeta","alpha","eq"\],"range":\["#4c78a8","#f58518","#54a24b"\]/,
      );
      expect(domain, c.id).not.toBeNull();
    }
    expect(json("raster")).toContain('"sort":["zeta","alpha"]');
  });

  it("draws a large group's raster on an integer neuron axis with visible dots", () => {
    const raster = charts.find((c) => c.id === "raster")!.spec as { mark: { size: number }; encoding: { y: unknown } };
    expect(raster.encoding.y).toEqual({
      field: "neuron",
      type: "quantitative",
      title: "neuron index",
      axis: { format: "d", tickMinStep: 1 },
    });
    expect(raster.mark.size).toBeGreaterThanOrEqual(8);
  });

  it("grows raster dots where spikes are few and keeps them at the minimum where they crowd", () => {
    // Area in px²: 36 (about 7 px across) for a sparse raster, never under 8 (about 3 px) for a dense one.
    expect(dotSize(40)).toBe(36);
    expect(dotSize(1500)).toBe(36);
    expect(dotSize(3000)).toBe(18);
    expect(dotSize(20_000)).toBe(8);
    const raster = charts.find((c) => c.id === "raster")!.spec as {
      mark: { size: number };
      data: { values: { group: string; neuron: number }[] };
    };
    const drawn = raster.data.values;
    expect(raster.mark.size).toBe(dotSize(drawn.length));
    // 600 neurons: 400 evenly spaced ones drawn (every spike of those), the 40 spikes of the one-neuron group too.
    expect(new Set(drawn.filter((d) => d.group === "alpha").map((d) => d.neuron)).size).toBe(400);
    expect(drawn.length).toBe(2000 + 40);
  });

  it("bins every group's histogram on the same edges, so overlaid bars line up", () => {
    for (const id of ["rate-distribution", "isi-histogram"]) {
      const values = (charts.find((c) => c.id === id)!.spec.data as { values: { group: string; lo: number }[] }).values;
      const edges = (g: string) => JSON.stringify(values.filter((v) => v.group === g).map((v) => v.lo));
      expect(edges("zeta"), id).toBe(edges("alpha"));
      expect(values.some((v) => v.group === "zeta")).toBe(true);
    }
  });

  it("titles state panels with their units, and splits a 5 s trace into its first and last second", () => {
    const traces = json("voltage-traces");
    expect(traces).toContain("eq v (mV)"); // declared ": volt", shown at the project's scale
    expect(traces).toContain("zeta u (mV/ms)"); // Izhikevich 2003: u enters dv/dt directly
    expect(traces).toContain('"title":"first 1000 ms"');
    expect(traces).toContain('"title":"last 1000 ms"');
    expect(stateUnit({ type: "hodgkin-huxley", method: "exponential-euler" }, "m")).toBe("gating fraction");
    // A current declared in amps is held in the model's unit system: pA.
    expect(stateUnit(scenario.groups[2]!.model, "I")).toBe("pA");
  });

  it("thins a trace by keeping each bucket's minimum and maximum, so every spike peak survives", () => {
    const times = Float64Array.from({ length: steps }, (_, k) => k);
    const kept = decimate(times, vTrace, 0, steps, 200);
    expect(kept.length).toBeLessThanOrEqual(200);
    const peaks = kept.filter((k) => vTrace[k] === 30).length;
    expect(peaks).toBe(10); // all ten 30 mV samples among 10,000
    expect([...kept].sort((a, b) => a - b)).toEqual(kept); // in time order
  });
});
