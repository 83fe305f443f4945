/**
 * Charts of a network scenario's first seed: spike raster, population rate,
 * inter-spike-interval histogram, firing-rate distribution, state traces,
 * final weights. Histograms and binning are computed here so the specs carry
 * small data.
 *
 * Every chart colours groups with one scale (domain: the recorded groups in
 * scenario order), and panels follow scenario order too, so a group keeps its
 * colour and place across the report. Synapse populations take the palette's
 * next colours, never a group's.
 */
import { histogram, interSpikeIntervals, spikeCounts } from "../metrics/spike-stats.js";
import type { NetworkScenario } from "../scenario/network-schema.js";
import type { Recordings } from "../runs/run-network.js";
import { learnerPalette, type ChartDef, type VegaLiteSpec } from "./charts.js";
import { formatSig } from "./format.js";
import { stateUnit, withUnit } from "./state-units.js";

/** The raster keeps at most this many neurons per group and spikes in all, so the page stays light. */
const RASTER_MAX_NEURONS = 400;
const RASTER_MAX_SPIKES = 20_000;
/** At most this many neurons per group: one row per neuron with a tick per spike (else dots on a neuron axis). */
const RASTER_ROWS_MAX = 30;
/** Area (px²) of a raster dot: large for a sparse raster, down to RASTER_DOT_MIN where spikes crowd. */
const RASTER_DOT_MAX = 36;
const RASTER_DOT_MIN = 8;
/** The raster's dot area shrinks as 1/spikes past this many spikes (so the ink of the raster stays about constant). */
const RASTER_DOT_SPIKES = 1500;
/** Points kept per trace and window: each bucket keeps its minimum and maximum, so spikes survive the thinning. */
const TRACE_MAX_POINTS = 2000;
/** A trace longer than this is drawn as its first and its last window of this length. */
const TRACE_WINDOW_MS = 1000;

function base(title: string, data: unknown[]): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 520,
    height: 260,
    background: "white",
    config: { font: "DejaVu Sans, Helvetica, Arial, sans-serif", legend: { symbolOpacity: 1, labelLimit: 360 } },
    data: { values: data },
  };
}

/** One colour per name, from the palette starting at `offset` (groups at 0, synapse populations after them). */
function colorBy(field: string, title: string, names: readonly string[], offset = 0) {
  return {
    field,
    type: "nominal",
    title,
    scale: {
      domain: [...names],
      range: names.map((_, i) => learnerPalette[(offset + i) % learnerPalette.length]!),
    },
  };
}

/** Indices of `times` (ascending) kept by min/max decimation within [fromMs, toMs]: at most `maxPoints`. */
export function decimate(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  fromMs: number,
  toMs: number,
  maxPoints: number,
): number[] {
  const inside: number[] = [];
  for (let k = 0; k < times.length; k++) if (times[k]! >= fromMs && times[k]! <= toMs) inside.push(k);
  if (inside.length <= maxPoints) return inside;
  const buckets = Math.floor(maxPoints / 2);
  const out: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * inside.length) / buckets);
    const hi = Math.floor(((b + 1) * inside.length) / buckets);
    let kMin = inside[lo]!;
    let kMax = kMin;
    for (let j = lo; j < hi; j++) {
      const k = inside[j]!;
      if (values[k]! < values[kMin]!) kMin = k;
      if (values[k]! > values[kMax]!) kMax = k;
    }
    // In time order, once each.
    if (kMin === kMax) out.push(kMin);
    else out.push(Math.min(kMin, kMax), Math.max(kMin, kMax));
  }
  return out;
}

const round3 = (t: number) => Math.round(t * 1000) / 1000;

/** The area of a raster dot for `spikes` dots (see RASTER_DOT_SPIKES). */
export function dotSize(spikes: number): number {
  const size = Math.round((RASTER_DOT_MAX * RASTER_DOT_SPIKES) / Math.max(1, spikes));
  return Math.max(RASTER_DOT_MIN, Math.min(RASTER_DOT_MAX, size));
}

/** An x axis over histogram bin edges: labels that would collide are dropped (vega does not drop them on binned axes). */
const BIN_AXIS = { labelOverlap: "greedy", labelFlush: true } as const;

function rasterChart(rec: Recordings, groups: readonly string[], durationMs: number): ChartDef | null {
  const recorded = groups
    .map((g) => rec.spikes.find((s) => s.group === g))
    .filter((s): s is Recordings["spikes"][number] => s !== undefined && s.size > 0);
  if (recorded.length === 0) return null;
  // Each group gets an even share of the spike budget; past it, the group's later spikes are not drawn.
  const budget = Math.floor(RASTER_MAX_SPIKES / recorded.length);
  const points: { group: string; neuron: number; timeMs: number }[] = [];
  const cut: string[] = [];
  let maxShown = 0;
  for (const s of recorded) {
    const keep = Math.min(s.size, RASTER_MAX_NEURONS);
    maxShown = Math.max(maxShown, keep);
    // An evenly spaced sample of `keep` distinct neurons: floor(j * size / keep) for j < keep.
    const drawn = new Uint8Array(s.size);
    for (let j = 0; j < keep; j++) drawn[Math.floor((j * s.size) / keep)] = 1;
    let n = 0;
    for (let k = 0; k < s.indices.length; k++) {
      const i = s.indices[k]!;
      if (drawn[i] !== 1) continue;
      if (n === budget) {
        cut.push(`${s.group} after ${formatSig(s.timesMs[k]!)} ms`);
        break;
      }
      points.push({ group: s.group, neuron: i, timeMs: round3(s.timesMs[k]!) });
      n++;
    }
  }
  if (points.length === 0) return null;
  const names = recorded.map((s) => s.group);
  const rows = maxShown <= RASTER_ROWS_MAX;
  const x = { field: "timeMs", type: "quantitative", title: "time (ms)", scale: { domain: [0, durationMs] } };
  // Few neurons: one row per neuron and a tick per spike, tall enough to see; many: a dot per spike on a neuron axis.
  const y = rows
    ? { field: "neuron", type: "ordinal", title: "neuron", sort: "ascending" }
    : { field: "neuron", type: "quantitative", title: "neuron index", axis: { format: "d", tickMinStep: 1 } };
  const notes = [
    ...(recorded.some((s) => s.size > RASTER_MAX_NEURONS)
      ? [`at most ${RASTER_MAX_NEURONS} evenly spaced neurons per group are drawn`]
      : []),
    ...(cut.length > 0 ? [`to keep the page light, spikes are not drawn for ${cut.join(", ")}`] : []),
    ...recorded
      .filter((s) => s.truncated)
      .map(
        (s) =>
          `the run kept only the first ${s.indices.length} spikes of ${s.group} for the charts (spikes.csv has them all)`,
      ),
  ];
  return {
    id: "raster",
    title: "Spike raster",
    caption: `Each ${rows ? "tick" : "dot"} is one spike (neuron against time), one panel per group in scenario order${notes.length > 0 ? `; ${notes.join("; ")}` : ""}.`,
    spec: {
      ...base("Spike raster", points),
      height: rows ? { step: 16 } : Math.min(400, Math.max(120, maxShown)),
      mark: rows
        ? { type: "tick", orient: "vertical", thickness: 2 }
        : { type: "point", filled: true, size: dotSize(points.length), opacity: 0.8 },
      encoding: {
        x,
        y,
        color: colorBy("group", "group", groups),
        tooltip: [{ field: "group" }, { field: "neuron" }, { field: "timeMs", title: "time (ms)", format: ".4~f" }],
        ...(names.length > 1
          ? {
              row: {
                field: "group",
                type: "nominal",
                title: null,
                sort: names,
                header: { labelAngle: 0, labelAlign: "left" },
              },
            }
          : {}),
      },
      ...(names.length > 1 ? { resolve: { scale: { y: "independent" } } } : {}),
    },
  };
}

function populationRateChart(
  rec: Recordings,
  groups: readonly string[],
  durationMs: number,
  dtMs: number,
): ChartDef | null {
  // Bin the per-step rate into ~400 bins (at least one step each) so the line is readable.
  const stepsPerBin = Math.max(1, Math.round(durationMs / dtMs / 400));
  const data: { group: string; timeMs: number; rateHz: number }[] = [];
  for (const g of groups) {
    const r = rec.rates.find((x) => x.group === g);
    if (r === undefined) continue;
    for (let b = 0; b * stepsPerBin < r.rateHz.length; b++) {
      let sum = 0;
      const end = Math.min(r.rateHz.length, (b + 1) * stepsPerBin);
      for (let k = b * stepsPerBin; k < end; k++) sum += r.rateHz[k]!;
      data.push({ group: r.group, timeMs: round3(b * stepsPerBin * dtMs), rateHz: sum / (end - b * stepsPerBin) });
    }
  }
  if (data.length === 0) return null;
  return {
    id: "population-rate",
    title: "Population rate",
    caption: `Spikes per neuron per second in each group, averaged over bins of ${formatSig(stepsPerBin * dtMs)} ms.`,
    spec: {
      ...base("Population rate", data),
      mark: { type: "line", strokeWidth: 1 },
      encoding: {
        x: { field: "timeMs", type: "quantitative", title: "time (ms)" },
        y: { field: "rateHz", type: "quantitative", title: "population rate (Hz)" },
        color: colorBy("group", "group", groups),
        tooltip: [
          { field: "group" },
          { field: "timeMs", title: "bin start (ms)", format: ".4~f" },
          { field: "rateHz", title: "rate (Hz)", format: ".4~g" },
        ],
      },
    },
  };
}

function histogramChart(
  id: "isi-histogram" | "rate-distribution",
  rec: Recordings,
  groups: readonly string[],
  durationMs: number,
): ChartDef | null {
  // Every group is binned on the same edges (0 to the largest value of any group), so overlaid bars line up.
  const values: { group: string; values: Float64Array }[] = [];
  for (const g of groups) {
    const s = rec.spikes.find((x) => x.group === g);
    if (s === undefined) continue;
    if (id === "isi-histogram") {
      const { isisMs } = interSpikeIntervals(s.indices, s.timesMs, s.size);
      if (isisMs.length > 0) values.push({ group: s.group, values: Float64Array.from(isisMs) });
    } else {
      // Counts over the whole run, which a recording cut at its spike limit keeps beside the first spikes.
      const counts = s.counts ?? spikeCounts(s.indices, s.size);
      values.push({ group: s.group, values: Float64Array.from(counts, (c) => c / (durationMs / 1000)) });
    }
  }
  let hi = 0;
  for (const v of values) for (const x of v.values) hi = Math.max(hi, x);
  const data: { group: string; lo: number; hi: number; count: number }[] = [];
  for (const v of values)
    for (const b of histogram(v.values, id === "isi-histogram" ? 40 : 30, 0, hi > 0 ? hi : 1))
      data.push({ group: v.group, ...b });
  if (data.length === 0) return null;
  const isi = id === "isi-histogram";
  const truncated = rec.spikes.filter((s) => s.truncated && groups.includes(s.group));
  const title = isi ? "Inter-spike intervals" : "Firing-rate distribution";
  const xTitle = isi ? "inter-spike interval (ms)" : "firing rate (Hz)";
  const yTitle = isi ? "intervals" : "neurons";
  return {
    id,
    title,
    caption: isi
      ? `Distribution of the intervals between successive spikes of the same neuron, pooled over each group (an exponential shape suggests irregular, Poisson-like firing)${truncated.length > 0 ? `; for ${truncated.map((t) => `${t.group} from its first ${t.indices.length} spikes`).join(", ")} (the run kept no more for the charts; spikes.csv has them all)` : ""}.`
      : "How many neurons fire at each rate over the whole run (spikes divided by duration).",
    spec: {
      ...base(title, data),
      mark: { type: "bar", opacity: 0.7 },
      encoding: {
        x: { field: "lo", type: "quantitative", title: xTitle, bin: { binned: true }, axis: BIN_AXIS },
        x2: { field: "hi" },
        y: { field: "count", type: "quantitative", title: yTitle, stack: null },
        color: colorBy("group", "group", groups),
        tooltip: [
          { field: "group" },
          { field: "lo", title: `from (${isi ? "ms" : "Hz"})`, format: ".4~g" },
          { field: "hi", title: `to (${isi ? "ms" : "Hz"})`, format: ".4~g" },
          { field: "count", title: yTitle },
        ],
      },
    },
  };
}

/** The unit of a synapse population's weight: that of the target variable it is added to. */
function weightUnit(s: NetworkScenario, population: string): string | undefined {
  const syn = s.synapses.find((c) => (c.name ?? `${c.source}->${c.target}:${c.targetVar}`) === population);
  if (syn === undefined) return undefined;
  return stateUnit(s.groups.find((g) => g.name === syn.target)?.model, syn.targetVar);
}

function weightChart(rec: Recordings, s: NetworkScenario, groups: readonly string[]): ChartDef | null {
  if (rec.weights.length === 0) return null;
  const units = [...new Set(rec.weights.map((w) => weightUnit(s, w.name)))];
  const xTitle =
    units.length === 1 && units[0] !== undefined
      ? withUnit("weight", units[0])
      : "weight (in the unit of each population's target variable)";
  const data: { population: string; lo: number; hi: number; count: number }[] = [];
  const names = rec.weights.map((w) => `${w.name} (${w.rule})`);
  // One set of bin edges for every population, so overlaid bars line up.
  let lo = Infinity;
  let hi = -Infinity;
  for (const w of rec.weights)
    for (const x of w.values) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
  rec.weights.forEach((w, i) => {
    for (const b of histogram(w.values, 40, lo, hi)) data.push({ population: names[i]!, ...b });
  });
  return {
    id: "weight-distribution",
    title: "Weight distribution after the run",
    caption:
      "Final weights of each plastic synapse population (first seed). Additive STDP with competition drives weights to the bounds (Song, Miller & Abbott 2000).",
    spec: {
      ...base("Weight distribution after the run", data),
      mark: { type: "bar", opacity: 0.8 },
      encoding: {
        x: { field: "lo", type: "quantitative", title: xTitle, bin: { binned: true }, axis: BIN_AXIS },
        x2: { field: "hi" },
        y: { field: "count", type: "quantitative", title: "synapses", stack: null },
        color: colorBy("population", "synapses (rule)", names, groups.length),
        tooltip: [
          { field: "population", title: "synapses" },
          { field: "lo", title: "from", format: ".4~g" },
          { field: "hi", title: "to", format: ".4~g" },
          { field: "count", title: "synapses" },
        ],
      },
    },
  };
}

/**
 * State traces, one panel per recorded neuron and variable, groups in
 * scenario order, coloured by group. A trace longer than
 * TRACE_WINDOW_MS is drawn as its first and last window side by side; each
 * window keeps at most TRACE_MAX_POINTS points per trace by min/max
 * decimation, so spikes are never thinned away.
 */
function traceChart(rec: Recordings, s: NetworkScenario, groups: readonly string[]): ChartDef | null {
  if (rec.traces.length === 0) return null;
  const order = (g: string) => (groups.includes(g) ? groups.indexOf(g) : groups.length);
  const traces = [...rec.traces].sort((a, b) => order(a.group) - order(b.group) || a.neuron - b.neuron);
  const endMs = Math.max(...traces.map((t) => (t.timesMs.length > 0 ? t.timesMs[t.timesMs.length - 1]! : 0)));
  const startMs = Math.min(...traces.map((t) => (t.timesMs.length > 0 ? t.timesMs[0]! : 0)));
  const windowed = endMs - startMs > 2 * TRACE_WINDOW_MS;
  const windows: { name: string; from: number; to: number }[] = windowed
    ? [
        { name: `first ${formatSig(TRACE_WINDOW_MS)} ms`, from: startMs, to: startMs + TRACE_WINDOW_MS },
        { name: `last ${formatSig(TRACE_WINDOW_MS)} ms`, from: endMs - TRACE_WINDOW_MS, to: endMs },
      ]
    : [{ name: "whole run", from: startMs, to: endMs }];
  // One panel per trace: neurons of a group share its colour, so overlaid they could not be told apart.
  const sizes = new Map(s.groups.map((g) => [g.name, g.size] as const));
  const panelOf = (t: (typeof traces)[number]) => {
    const model = s.groups.find((g) => g.name === t.group)?.model;
    const who = (sizes.get(t.group) ?? 1) > 1 ? `${t.group}[${t.neuron}]` : t.group;
    return `${who} ${withUnit(t.variable, stateUnit(model, t.variable))}`;
  };
  const panels = [...new Set(traces.map(panelOf))];
  const data: { window: string; panel: string; group: string; neuron: number; timeMs: number; value: number }[] = [];
  for (const w of windows) {
    for (const t of traces) {
      const panel = panelOf(t);
      for (const k of decimate(t.timesMs, t.values, w.from, w.to, TRACE_MAX_POINTS)) {
        data.push({
          window: w.name,
          panel,
          group: t.group,
          neuron: t.neuron,
          timeMs: round3(t.timesMs[k]!),
          value: t.values[k]!,
        });
      }
    }
  }
  const view = (w: (typeof windows)[number]) => ({
    ...(windowed ? { title: w.name, data: { values: data.filter((d) => d.window === w.name) } } : {}),
    width: windowed ? 300 : 520,
    height: panels.length > 4 ? 90 : 130,
    mark: { type: "line", strokeWidth: 1 },
    encoding: {
      x: { field: "timeMs", type: "quantitative", title: "time (ms)", scale: { domain: [w.from, w.to], nice: false } },
      y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
      color: colorBy("group", "group", groups),
      row: {
        field: "panel",
        type: "nominal",
        title: null,
        sort: panels,
        header: { labelAngle: 0, labelAlign: "left" },
      },
      tooltip: [
        { field: "group" },
        { field: "neuron" },
        { field: "panel", title: "variable" },
        { field: "timeMs", title: "time (ms)", format: ".4~f" },
        { field: "value", format: ".4~g" },
      ],
    },
    resolve: { scale: { y: "independent" } },
  });
  const duration = formatSig(endMs - startMs);
  const caption = windowed
    ? `Recorded state variables of chosen neurons, one panel per neuron and variable (units in the panel names). The run lasts ${duration} ms, too long to read as one line: the first and the last ${formatSig(TRACE_WINDOW_MS)} ms are drawn side by side (state.csv has every sample); zoom in either window for detail.`
    : `Recorded state variables of chosen neurons over the run, one panel per neuron and variable (units in the panel names)${data.length < traces.reduce((n, t) => n + t.values.length, 0) ? `; at most ${TRACE_MAX_POINTS} points per trace are drawn, each bucket's minimum and maximum, so spikes are kept` : ""}.`;
  const { data: _unused, ...top } = base("State traces", []);
  const spec: VegaLiteSpec = windowed
    ? { ...top, hconcat: windows.map(view) }
    : { ...base("State traces", data), ...view(windows[0]!) };
  return { id: "voltage-traces", title: "State traces", caption, spec };
}

export function buildNetworkCharts(rec: Recordings, s: NetworkScenario): ChartDef[] {
  // The colour domain: the groups any recording mentions, in scenario order.
  const mentioned = new Set([
    ...rec.spikes.map((x) => x.group),
    ...rec.rates.map((x) => x.group),
    ...rec.traces.map((x) => x.group),
  ]);
  const groups = s.groups.map((g) => g.name).filter((g) => mentioned.has(g));
  const defs: ChartDef[] = [];
  for (const id of s.charts) {
    const chart =
      id === "raster"
        ? rasterChart(rec, groups, s.durationMs)
        : id === "population-rate"
          ? populationRateChart(rec, groups, s.durationMs, s.dtMs)
          : id === "isi-histogram" || id === "rate-distribution"
            ? histogramChart(id, rec, groups, s.durationMs)
            : id === "weight-distribution"
              ? weightChart(rec, s, groups)
              : traceChart(rec, s, groups);
    if (chart !== null) defs.push(chart);
  }
  return defs;
}
