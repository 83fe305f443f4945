/**
 * Files of a network run. metrics.csv is tidy with columns
 * `group,seed,metric,value` (per group: spikes, meanRateHz, meanIsiCv,
 * activeFraction; group "network": synapses, buildMs, simMs). spikes.csv
 * (`group,neuron,timeMs`) and state.csv (`group,variable,neuron,timeMs,value`)
 * hold the first seed's recordings, from which `report` can redraw the charts.
 */
import { confidenceInterval, type Interval } from "../metrics/stats.js";
import type { NetworkScenario } from "../scenario/network-schema.js";
import type { Environment } from "./results.js";
import type { NetworkRunResult, Recordings } from "./run-network.js";

/**
 * The summary of a network run (summary.json): final figures per group, for the network and per plastic population, over seeds.
 */
export interface NetworkSummary {
  scenario: NetworkScenario;
  packageVersion: string;
  /** State and arithmetic of the neuron groups. */
  precision: NetworkScenario["precision"];
  seeds: number[];
  groups: { group: string; size: number; final: Record<string, Interval> }[];
  network: Record<string, Interval>;
  /** Final weight statistics of plastic synapse populations. */
  synapses: { name: string; final: Record<string, Interval> }[];
  /** Versions and platform the numbers came from (absent in summaries written before they were recorded). */
  environment?: Environment;
}

export const NETWORK_CSV_HEADER = "group,seed,metric,value";

export function networkRows(
  result: NetworkRunResult,
): { group: string; seed: number; metric: string; value: number }[] {
  return result.runs.flatMap((r) => seedRows(r));
}

function seedRows(
  r: NetworkRunResult["runs"][number],
): { group: string; seed: number; metric: string; value: number }[] {
  const rows: { group: string; seed: number; metric: string; value: number }[] = [];
  for (const g of r.groups) {
    for (const metric of ["spikes", "meanRateHz", "meanIsiCv", "activeFraction"] as const)
      rows.push({ group: g.group, seed: r.seed, metric, value: g[metric] });
  }
  for (const p of r.plastic) {
    rows.push({ group: `synapses:${p.name}`, seed: r.seed, metric: "meanWeight", value: p.meanWeight });
    rows.push({ group: `synapses:${p.name}`, seed: r.seed, metric: "weightStd", value: p.weightStd });
  }
  rows.push({ group: "network", seed: r.seed, metric: "synapses", value: r.synapses });
  rows.push({ group: "network", seed: r.seed, metric: "buildMs", value: r.buildMs });
  rows.push({ group: "network", seed: r.seed, metric: "simMs", value: r.simMs });
  return rows;
}

/** Parses a network metrics.csv; returns the rows or the first bad line. */
export function networkCsvToRows(
  text: string,
): { rows: NetworkRow[] } | { line: number; expected: string; found: string } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== NETWORK_CSV_HEADER)
    return { line: 1, expected: `the header "${NETWORK_CSV_HEADER}"`, found: JSON.stringify(lines[0] ?? "") };
  const rows: NetworkRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.split(",");
    const seed = Number(f[1]);
    const value = Number(f[3]);
    if (f.length !== 4 || !Number.isInteger(seed) || (Number.isNaN(value) && f[3] !== "NaN")) {
      return { line: i + 1, expected: "group,seed(integer),metric,value(number)", found: JSON.stringify(lines[i]) };
    }
    rows.push({ group: f[0]!, seed, metric: f[2]!, value });
  }
  return { rows };
}

export function networkRowsToCsv(rows: readonly NetworkRow[]): string {
  return `${[NETWORK_CSV_HEADER, ...rows.map((r) => `${r.group},${r.seed},${r.metric},${String(r.value)}`)].join("\n")}\n`;
}

export type NetworkRow = ReturnType<typeof networkRows>[number];

export function summarizeNetwork(
  result: NetworkRunResult,
  packageVersion: string,
  environment?: Environment,
): NetworkSummary {
  return summarizeNetworkRows(networkRows(result), result.scenario, result.seeds, packageVersion, environment);
}

/** Per-group and network-wide intervals over seeds, from the tidy rows. */
export function summarizeNetworkRows(
  rows: readonly NetworkRow[],
  scenario: NetworkScenario,
  seeds: number[],
  packageVersion: string,
  environment?: Environment,
): NetworkSummary {
  const sizes = new Map(scenario.groups.map((g) => [g.name, g.size] as const));
  const intervals = (group: string) => {
    const out: Record<string, Interval> = {};
    const metrics = [...new Set(rows.filter((r) => r.group === group).map((r) => r.metric))];
    for (const m of metrics)
      out[m] = confidenceInterval(
        rows.filter((r) => r.group === group && r.metric === m && Number.isFinite(r.value)).map((r) => r.value),
      );
    return out;
  };
  const groups = [...new Set(rows.map((r) => r.group))].filter((g) => g !== "network" && !g.startsWith("synapses:"));
  const plastic = [...new Set(rows.map((r) => r.group))].filter((g) => g.startsWith("synapses:"));
  return {
    scenario,
    packageVersion,
    precision: scenario.precision,
    seeds,
    groups: groups.map((g) => ({ group: g, size: sizes.get(g) ?? 0, final: intervals(g) })),
    network: intervals("network"),
    synapses: plastic.map((g) => ({ name: g.slice("synapses:".length), final: intervals(g) })),
    ...(environment === undefined ? {} : { environment }),
  };
}

export function spikesToCsv(rec: Recordings): string {
  const lines = ["group,neuron,timeMs"];
  for (const s of rec.spikes)
    for (let k = 0; k < s.indices.length; k++) lines.push(`${s.group},${s.indices[k]},${s.timesMs[k]}`);
  return `${lines.join("\n")}\n`;
}

export function stateToCsv(rec: Recordings): string {
  const lines = ["group,variable,neuron,timeMs,value"];
  for (const t of rec.traces)
    for (let k = 0; k < t.values.length; k++)
      lines.push(`${t.group},${t.variable},${t.neuron},${t.timesMs[k]},${t.values[k]}`);
  return `${lines.join("\n")}\n`;
}

/** Rebuilds recordings from spikes.csv and state.csv (population rates are recomputed per step). */
export function recordingsFromCsv(s: NetworkScenario, spikesCsv: string, stateCsv: string | null): Recordings {
  const sizes = new Map(s.groups.map((g) => [g.name, g.size] as const));
  const monitored = s.monitors.spikes ?? s.groups.map((g) => g.name);
  const byGroup = new Map<string, { idx: number[]; t: number[] }>(monitored.map((g) => [g, { idx: [], t: [] }]));
  for (const line of spikesCsv.split("\n").slice(1)) {
    if (line.length === 0) continue;
    const [group, neuron, time] = line.split(",");
    byGroup.get(group!)?.idx.push(Number(neuron));
    byGroup.get(group!)?.t.push(Number(time));
  }
  const steps = Math.round(s.durationMs / s.dtMs);
  const spikes = [...byGroup.entries()].map(([group, v]) => ({
    group,
    size: sizes.get(group) ?? 0,
    indices: Int32Array.from(v.idx),
    timesMs: Float64Array.from(v.t),
  }));
  const rates = spikes.map((sp) => {
    const r = new Float32Array(steps);
    const scale = 1000 / (Math.max(1, sp.size) * s.dtMs);
    for (let k = 0; k < sp.timesMs.length; k++) {
      const step = Math.min(steps - 1, Math.round(sp.timesMs[k]! / s.dtMs));
      r[step]! += scale;
    }
    return { group: sp.group, rateHz: r };
  });
  const traceMap = new Map<string, { group: string; variable: string; neuron: number; t: number[]; v: number[] }>();
  for (const line of (stateCsv ?? "").split("\n").slice(1)) {
    if (line.length === 0) continue;
    const [group, variable, neuron, time, value] = line.split(",");
    const key = `${group}\u0000${variable}\u0000${neuron}`;
    let tr = traceMap.get(key);
    if (tr === undefined)
      traceMap.set(key, (tr = { group: group!, variable: variable!, neuron: Number(neuron), t: [], v: [] }));
    tr.t.push(Number(time));
    tr.v.push(Number(value));
  }
  const traces = [...traceMap.values()].map((tr) => ({
    group: tr.group,
    variable: tr.variable,
    neuron: tr.neuron,
    timesMs: Float64Array.from(tr.t),
    values: Float64Array.from(tr.v),
  }));
  // Final weights are not written to CSV: a rebuilt report omits the weight-distribution chart.
  return { spikes, rates, traces, weights: [] };
}
