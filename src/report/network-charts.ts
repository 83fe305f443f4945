/**
 * Charts of a network scenario's first seed: spike raster, population rate,
 * inter-spike-interval histogram, firing-rate distribution, state traces.
 * Histograms and binning are computed here so the specs carry small data.
 */
import { histogram, interSpikeIntervals, spikeCounts } from "../metrics/spike-stats.js";
import type { NetworkChartName } from "../scenario/network-schema.js";
import type { Recordings } from "../runs/run-network.js";
import { learnerPalette, type ChartDef, type VegaLiteSpec } from "./charts.js";

/** The raster keeps at most this many neurons per group and spikes in all, so the SVG stays light. */
const RASTER_MAX_NEURONS = 400;
const RASTER_MAX_SPIKES = 20_000;

function base(title: string, data: unknown[], groups: readonly string[]): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 520,
    height: 260,
    background: "white",
    config: { font: "DejaVu Sans, Helvetica, Arial, sans-serif" },
    data: { values: data },
    usermeta: { groups },
  };
}

function colorBy(groups: readonly string[]) {
  return {
    field: "group",
    type: "nominal",
    title: "group",
    scale: { domain: [...groups], range: learnerPalette.slice(0, Math.max(1, groups.length)) },
  };
}

export function buildNetworkCharts(
  rec: Recordings,
  durationMs: number,
  dtMs: number,
  charts: readonly NetworkChartName[],
): ChartDef[] {
  const groups = rec.spikes.map((s) => s.group);
  const defs: ChartDef[] = [];
  for (const id of charts) {
    if (id === "raster") {
      const points: { group: string; neuron: number; timeMs: number }[] = [];
      let shown = 0;
      for (const s of rec.spikes) {
        const keep = Math.min(s.size, RASTER_MAX_NEURONS);
        const stride = s.size / keep; // evenly spaced sample of neurons
        for (let k = 0; k < s.indices.length && points.length < RASTER_MAX_SPIKES; k++) {
          const i = s.indices[k]!;
          const slot = i / stride;
          if (Math.abs(slot - Math.round(slot)) > 1e-9) continue;
          points.push({ group: s.group, neuron: i, timeMs: Math.round(s.timesMs[k]! * 1000) / 1000 });
        }
        shown += keep;
      }
      if (points.length === 0) continue;
      defs.push({
        id,
        title: "Spike raster",
        caption: `Each dot is one spike (neuron against time)${rec.spikes.some((s) => s.size > RASTER_MAX_NEURONS) ? `; for legibility, at most ${RASTER_MAX_NEURONS} evenly spaced neurons per group are drawn` : ""}${points.length >= RASTER_MAX_SPIKES ? `; only the first ${RASTER_MAX_SPIKES} spikes drawn are shown` : ""}.`,
        spec: {
          ...base("Spike raster", points, groups),
          height: Math.min(400, Math.max(120, shown)),
          mark: { type: "point", filled: true, size: 4, opacity: 0.8 },
          encoding: {
            x: { field: "timeMs", type: "quantitative", title: "time (ms)", scale: { domain: [0, durationMs] } },
            y: { field: "neuron", type: "quantitative", title: "neuron index" },
            color: colorBy(groups),
            row: groups.length > 1 ? { field: "group", type: "nominal", title: null } : undefined,
          },
        },
      });
    } else if (id === "population-rate") {
      // Bin the per-step rate into ~400 bins (at least one step each) so the line is readable.
      const stepsPerBin = Math.max(1, Math.round(durationMs / dtMs / 400));
      const data: { group: string; timeMs: number; rateHz: number }[] = [];
      for (const r of rec.rates) {
        for (let b = 0; b * stepsPerBin < r.rateHz.length; b++) {
          let sum = 0;
          const end = Math.min(r.rateHz.length, (b + 1) * stepsPerBin);
          for (let k = b * stepsPerBin; k < end; k++) sum += r.rateHz[k]!;
          data.push({
            group: r.group,
            timeMs: Math.round(b * stepsPerBin * dtMs * 1000) / 1000,
            rateHz: sum / (end - b * stepsPerBin),
          });
        }
      }
      defs.push({
        id,
        title: "Population rate",
        caption: `Spikes per neuron per second in each group, averaged over bins of ${(stepsPerBin * dtMs).toFixed(2)} ms.`,
        spec: {
          ...base("Population rate", data, groups),
          mark: { type: "line", strokeWidth: 1 },
          encoding: {
            x: { field: "timeMs", type: "quantitative", title: "time (ms)" },
            y: { field: "rateHz", type: "quantitative", title: "population rate (Hz)" },
            color: colorBy(groups),
          },
        },
      });
    } else if (id === "isi-histogram") {
      const data: { group: string; lo: number; hi: number; count: number }[] = [];
      for (const s of rec.spikes) {
        const { isisMs } = interSpikeIntervals(s.indices, s.timesMs, s.size);
        if (isisMs.length === 0) continue;
        for (const b of histogram(isisMs, 40, 0)) data.push({ group: s.group, ...b });
      }
      if (data.length === 0) continue;
      defs.push({
        id,
        title: "Inter-spike intervals",
        caption: `Distribution of the intervals between successive spikes of the same neuron, pooled over each group (an exponential shape suggests irregular, Poisson-like firing)${rec.spikes.some((s) => s.truncated) ? `; from the first ${rec.spikes.find((s) => s.truncated)!.indices.length} spikes of a group with more (spikes.csv has them all)` : ""}.`,
        spec: {
          ...base("Inter-spike intervals", data, groups),
          mark: { type: "bar", opacity: 0.7 },
          encoding: {
            x: { field: "lo", type: "quantitative", title: "inter-spike interval (ms)", bin: { binned: true } },
            x2: { field: "hi" },
            y: { field: "count", type: "quantitative", title: "intervals", stack: null },
            color: colorBy(groups),
          },
        },
      });
    } else if (id === "rate-distribution") {
      const data: { group: string; lo: number; hi: number; count: number }[] = [];
      for (const s of rec.spikes) {
        const counts = s.counts ?? spikeCounts(s.indices, s.size);
        const rates = Float64Array.from(counts, (c) => c / (durationMs / 1000));
        for (const b of histogram(rates, 30, 0)) data.push({ group: s.group, ...b });
      }
      defs.push({
        id,
        title: "Firing-rate distribution",
        caption: "How many neurons fire at each rate over the whole run (spikes divided by duration).",
        spec: {
          ...base("Firing-rate distribution", data, groups),
          mark: { type: "bar", opacity: 0.7 },
          encoding: {
            x: { field: "lo", type: "quantitative", title: "firing rate (Hz)", bin: { binned: true } },
            x2: { field: "hi" },
            y: { field: "count", type: "quantitative", title: "neurons", stack: null },
            color: colorBy(groups),
          },
        },
      });
    } else if (id === "weight-distribution") {
      if (rec.weights.length === 0) continue;
      const data: { group: string; lo: number; hi: number; count: number }[] = [];
      for (const w of rec.weights)
        for (const b of histogram(w.values, 40)) data.push({ group: `${w.name} (${w.rule})`, ...b });
      const names = rec.weights.map((w) => `${w.name} (${w.rule})`);
      defs.push({
        id,
        title: "Weight distribution after the run",
        caption:
          "Final weights of each plastic synapse population (first seed). Additive STDP with competition drives weights to the bounds (Song, Miller & Abbott 2000).",
        spec: {
          ...base("Weight distribution after the run", data, names),
          mark: { type: "bar", opacity: 0.8 },
          encoding: {
            x: { field: "lo", type: "quantitative", title: "weight", bin: { binned: true } },
            x2: { field: "hi" },
            y: { field: "count", type: "quantitative", title: "synapses", stack: null },
            color: colorBy(names),
          },
        },
      });
    } else if (id === "voltage-traces") {
      if (rec.traces.length === 0) continue;
      const data: { trace: string; variable: string; timeMs: number; value: number }[] = [];
      // Keep at most ~2000 points per trace.
      for (const t of rec.traces) {
        const stride = Math.max(1, Math.ceil(t.values.length / 2000));
        for (let k = 0; k < t.values.length; k += stride) {
          data.push({
            trace: `${t.group}[${t.neuron}]`,
            variable: `${t.group}.${t.variable}`,
            timeMs: Math.round(t.timesMs[k]! * 1000) / 1000,
            value: t.values[k]!,
          });
        }
      }
      defs.push({
        id,
        title: "State traces",
        caption: "Recorded state variables of chosen neurons over time (one panel per variable; v in mV).",
        spec: {
          ...base("State traces", data, groups),
          height: 160,
          mark: { type: "line", strokeWidth: 1 },
          encoding: {
            x: { field: "timeMs", type: "quantitative", title: "time (ms)" },
            y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
            color: { field: "trace", type: "nominal", title: "neuron" },
            row: { field: "variable", type: "nominal", title: null },
          },
          resolve: { scale: { y: "independent" } },
        },
      });
    }
  }
  return defs;
}
