/**
 * Runs a network scenario once per seed: build, simulate `durationMs`, and
 * collect per-group statistics (spikes, mean rate, ISI CV, active fraction).
 * Pure apart from the callbacks and, for a stored unit, its streamed files.
 *
 * The spike and state monitors stream: they hold one chunk at a time and
 * hand it over, so memory does not grow with the length of the run. Every
 * seed's spikes feed running statistics (counts, inter-spike intervals); the
 * first seed's chunks also go, as CSV text, to its files (spikes.csv and
 * state.csv, written as the simulation goes), and a bounded sample of them
 * is kept for the charts: up to MAX_CHART_SPIKES spikes per group (the
 * first ones) and up to MAX_TRACE_POINTS evenly spaced samples per trace.
 *
 * As a stored unit (runNetworkUnitAsync), a seed runs in slices with
 * checkpoints: the network, the running statistics and samples, and the
 * length each streamed file had reached, so a resumed unit cuts its files
 * back to that length and continues them.
 */
import type { StreamFile, StreamPosition } from "../core/files.js";
import { UserError } from "../core/errors.js";
import { captureState, decodeSnapshot, encodeSnapshot, restoreState } from "../core/snapshot.js";
import { IsiAccumulator } from "../metrics/spike-stats.js";
import { type BuiltNetwork, buildNetwork, type MonitorSinks } from "../scenario/build-network.js";
import type { NetworkScenario } from "../scenario/network-schema.js";
import type { NeuronGroup } from "../snn/group.js";
import type { SpikeChunk, StateChunk } from "../snn/monitors.js";

/** Spikes per group kept in memory for the charts (12 bytes each); spikes.csv has them all. */
export const MAX_CHART_SPIKES = 1_000_000;
/** Samples per state trace kept for the charts (evenly spaced); state.csv has them all. */
export const MAX_TRACE_POINTS = 100_000;

/** One group's firing in one seed: spikes, mean rate, ISI irregularity and the share of neurons that fired. */
export interface GroupStats {
  group: string;
  size: number;
  spikes: number;
  meanRateHz: number;
  /** Mean over neurons (≥ 3 spikes) of the coefficient of variation of their ISIs. */
  meanIsiCv: number;
  /** Fraction of neurons that spiked at least once. */
  activeFraction: number;
}

/** One plastic synapse population's final weights in one seed. */
export interface SynapseStats {
  name: string;
  rule: string;
  count: number;
  meanWeight: number;
  weightStd: number;
}

/** One seed of a network run: synapses, build and simulation times, per-group firing figures and plastic weights. */
export interface SeedRun {
  seed: number;
  /** Final weight statistics of the plastic synapse populations. */
  plastic: SynapseStats[];
  synapses: number;
  buildMs: number;
  simMs: number;
  groups: GroupStats[];
}

/** What the monitors recorded in the first seed: spikes, population rates, state traces and final plastic weights. */
export interface Recordings {
  /**
   * Spikes per group for the charts; `truncated` when the run had more than were kept (only the first
   * ones are here), in which case `counts` (spikes per neuron over the whole run) is present.
   */
  spikes: {
    group: string;
    size: number;
    indices: Int32Array;
    timesMs: Float64Array;
    counts?: Int32Array;
    truncated?: boolean;
  }[];
  rates: { group: string; rateHz: Float32Array }[];
  traces: { group: string; variable: string; neuron: number; timesMs: Float64Array; values: Float64Array }[];
  /** Final weights of plastic synapse populations (not rebuilt by `report`). */
  weights: { name: string; rule: string; values: Float32Array }[];
}

/** Everything a network run produced, in memory. */
export interface NetworkRunResult {
  scenario: NetworkScenario;
  seeds: number[];
  runs: SeedRun[];
  /** Recordings of the first seed. */
  recordings: Recordings;
}

/** Receivers of the first seed's recordings as CSV text, in order (header first). */
export interface RecordingFiles {
  /** Receives spikes.csv's text (`group,neuron,timeMs` lines). */
  spikes(text: string): void;
  /** Receives state.csv's text (`group,variable,neuron,timeMs,value` lines). */
  state(text: string): void;
}

export const SPIKES_CSV_HEADER = "group,neuron,timeMs";
export const STATE_CSV_HEADER = "group,variable,neuron,timeMs,value";

/** Samples a state monitor will take over `steps` steps when it samples every `every` steps from step 0. */
export function stateSamples(steps: number, every: number): number {
  return steps > 0 ? Math.floor((steps - 1) / every) + 1 : 0;
}

/** A growable list of numbers in a typed array (a checkpoint stores its bytes, not one JSON number per entry). */
class Float64List {
  data = new Float64Array(0);
  n = 0;
  push(x: number): void {
    if (this.n === this.data.length) {
      const grown = new Float64Array(Math.max(64, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.n++] = x;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.n);
  }
}

/** Keeps the first `limit` spikes of one group for the charts. */
class SpikeSample {
  private readonly idx = new Float64List();
  private readonly t = new Float64List();
  truncated = false;
  constructor(private readonly limit: number) {}
  add(c: SpikeChunk, dtMs: number): void {
    const room = Math.min(c.indices.length, this.limit - this.idx.n);
    for (let k = 0; k < room; k++) {
      this.idx.push(c.indices[k]!);
      this.t.push(c.steps[k]! * dtMs);
    }
    if (room < c.indices.length) this.truncated = true;
  }
  indices(): Int32Array {
    return Int32Array.from(this.idx.toArray());
  }
  timesMs(): Float64Array {
    return this.t.toArray();
  }
}

interface TraceSample {
  group: string;
  variable: string;
  neuron: number;
  t: Float64List;
  v: Float64List;
}

/** Everything the monitors' sinks fold chunks into, as plain data a checkpoint captures. */
interface RecorderState {
  /** Running ISI statistics per group. */
  isi: Map<string, IsiAccumulator>;
  /** The first seed's spikes kept for the charts, per group. */
  kept: Map<string, SpikeSample>;
  /** The first seed's trace samples, per state monitor. */
  traces: TraceSample[][];
  /** Samples each state monitor has taken so far (its stride counter). */
  samples: number[];
}

interface Recorder {
  state: RecorderState;
  sinks: MonitorSinks;
}

/**
 * The sinks a seed's monitors stream into. They look their state up through
 * `state` at every chunk, so a checkpoint restored into it (in place or by
 * replacement) is what they continue from.
 */
function recorder(s: NetworkScenario, record: boolean, files: () => RecordingFiles | undefined): Recorder {
  const steps = Math.round(s.durationMs / s.dtMs);
  const dtMs = s.dtMs;
  const state: RecorderState = { isi: new Map(), kept: new Map(), traces: [], samples: [] };
  const sinks: MonitorSinks = {
    spikes: (g: NeuronGroup) => {
      state.isi.set(g.name, new IsiAccumulator(g.size, 0));
      if (record) state.kept.set(g.name, new SpikeSample(MAX_CHART_SPIKES));
      return (c: SpikeChunk) => {
        state.isi.get(g.name)!.add(c.indices, (k) => c.steps[k]! * dtMs);
        state.kept.get(g.name)?.add(c, dtMs);
        const out = files();
        if (out !== undefined) {
          const lines: string[] = [];
          for (let k = 0; k < c.indices.length; k++) lines.push(`${g.name},${c.indices[k]},${c.steps[k]! * dtMs}`);
          out.spikes(`${lines.join("\n")}\n`);
        }
      };
    },
    state: (i: number, g: NeuronGroup) => {
      if (!record) return () => {}; // later seeds' traces are not kept: stream them nowhere
      const m = s.monitors.state[i]!;
      const total = stateSamples(steps, m.everySteps);
      const stride = Math.max(1, Math.ceil(total / MAX_TRACE_POINTS));
      state.traces[i] = m.variables.flatMap((variable) =>
        m.indices.map((neuron) => ({ group: g.name, variable, neuron, t: new Float64List(), v: new Float64List() })),
      );
      state.samples[i] = 0;
      const width = m.indices.length;
      return (c: StateChunk) => {
        const mine = state.traces[i]!;
        const out = files();
        const lines: string[] = [];
        let sampleIndex = state.samples[i]!;
        for (let j = 0; j < c.steps.length; j++, sampleIndex++) {
          const t = c.steps[j]! * dtMs;
          const keep = sampleIndex % stride === 0;
          for (let v = 0; v < m.variables.length; v++) {
            const values = c.values[v]!;
            for (let k = 0; k < width; k++) {
              const value = values[j * width + k]!;
              if (out !== undefined) lines.push(`${g.name},${m.variables[v]},${m.indices[k]},${t},${value}`);
              if (keep) {
                const tr = mine[v * width + k]!;
                tr.t.push(t);
                tr.v.push(value);
              }
            }
          }
        }
        state.samples[i] = sampleIndex;
        if (lines.length > 0) out?.state(`${lines.join("\n")}\n`);
      };
    },
  };
  return { state, sinks };
}

/**
 * Stops a network whose state has become NaN or infinite: it would go on
 * reporting 0 Hz (NaN never crosses a threshold) or a spike every step as if
 * they were results. Checked between slices, so the message bounds the time
 * of the first non-finite value by the slice in which it was found; a value
 * that overflows and is reset within the same step (a time constant of 0
 * under a reset) leaves no trace here.
 */
export function checkFinite(built: BuiltNetwork, file: string, fromStep: number, toStep: number, dtMs: number): void {
  for (const g of built.groups) {
    for (const variable of Object.keys(g.state)) {
      const a = g.state[variable]!;
      for (let i = 0; i < a.length; i++) {
        if (Number.isFinite(a[i]!)) continue;
        // Times to 12 significant digits: 3 steps of 0.1 ms are 0.3 ms, not 0.30000000000000004.
        const ms = (step: number) => Number((step * dtMs).toPrecision(12));
        const when = fromStep === 0 ? `by t = ${ms(toStep)} ms` : `between t = ${ms(fromStep)} ms and ${ms(toStep)} ms`;
        throw new UserError(
          "E_NETWORK_DIVERGED",
          `${file}: group "${g.name}", variable ${variable}, neuron ${i} became ${a[i]} ${when} (the network's state is checked every ${toStep - fromStep} steps); the figures would be meaningless, so the run stops. Check the equations and parameters (a division by a zero time constant, a square root or logarithm of a negative value) or use a smaller dtMs`,
        );
      }
    }
  }
}

/**
 * Room for the whole run's population rates at once. Reserved slice by slice,
 * the arrays would double as they grow (up to twice the room, plus the copy
 * while growing): measured on one neuron for an hour at 0.1 ms, 36 million
 * steps, a peak RSS of 823 MiB against 137 MiB of rates.
 */
function reserveRates(built: BuiltNetwork, totalSteps: number): void {
  for (const m of built.rateMonitors) m.reserve(totalSteps - m.samples);
}

/** Hands every monitor's held chunk to its sink. */
function flushMonitors(built: BuiltNetwork): void {
  for (const m of built.spikeMonitors) m.flush();
  for (const { monitor } of built.stateMonitors) monitor.flush();
}

/**
 * One unit of a network scenario: one seed built and simulated; its recordings when `record` (the first seed),
 * streamed as CSV to `files` when given.
 */
export function runNetworkSeed(
  s: NetworkScenario,
  file: string,
  seed: number,
  record: boolean,
  files?: RecordingFiles,
): { run: SeedRun; recordings: Recordings | null } {
  const out = record ? files : undefined;
  let started = false;
  const rec = recorder(s, record, () => (started ? out : undefined));
  const t0 = performance.now();
  const built = buildNetwork(s, seed, file, rec.sinks);
  // Built, so the scenario is sound: the files start now.
  started = true;
  out?.spikes(`${SPIKES_CSV_HEADER}\n`);
  out?.state(`${STATE_CSV_HEADER}\n`);
  const t1 = performance.now();
  const total = Math.round(s.durationMs / s.dtMs);
  const slice = Math.max(1, Math.ceil(total / NETWORK_SLICES));
  reserveRates(built, total);
  // In the slices a stored unit runs (bit for bit the same as one call), checked between them.
  while (built.network.step < total) {
    const from = built.network.step;
    built.network.runSteps(Math.min(slice, total - from));
    checkFinite(built, file, from, built.network.step, s.dtMs);
  }
  flushMonitors(built);
  const t2 = performance.now();
  return seedResult(s, built, rec.state, seed, record, t1 - t0, t2 - t1);
}

/** Slices a network unit's simulation is cut into: progress events, Ctrl-C checks and checkpoints fall between them. */
export const NETWORK_SLICES = 100;
/**
 * Least wall time between two checkpoints of a network unit. Capturing a
 * network is cheap but not free (measured: 64 ms and 5.8 MB before
 * compression for CUBA's 4,000 neurons and 320,000 synapses, most of it the
 * synapse arrays), so checkpoints are taken by elapsed time rather than at
 * every slice: a killed unit loses at most this much simulation, plus a slice.
 */
export const NETWORK_CHECKPOINT_MS = 5_000;

/** Checkpoint layout: 2 added the recorder's state and the streamed files' lengths. */
const CHECKPOINT_VERSION = 2;

interface NetworkCheckpointMeta {
  kind: "network-checkpoint";
  version: number;
  seed: number;
  step: number;
  buildMs: number;
  simMs: number;
  /** Lengths of the first seed's streamed spikes.csv and state.csv when the checkpoint was taken. */
  files: { spikes: StreamPosition; state: StreamPosition } | null;
}

/** Where a stored unit streams its recordings (its folder's spikes.csv and state.csv). */
export interface NetworkUnitFiles {
  /** A new streamed file. */
  open(name: "spikes.csv" | "state.csv"): StreamFile;
  /** The partial file a stopped attempt left, cut back to `at`; null when it cannot be continued. */
  resume(name: "spikes.csv" | "state.csv", at: StreamPosition): StreamFile | null;
}

/** What runNetworkUnitAsync needs: the unit, its last checkpoint, and how to save the next one. */
export interface NetworkUnitContext {
  scenario: NetworkScenario;
  file: string;
  seed: number;
  /** Keep the recordings (the first seed). */
  record: boolean;
  checkpoint: Uint8Array | null;
  saveCheckpoint(bytes: Uint8Array): void;
  shouldStop(): boolean;
  /** Fraction of the simulation done, after every slice. */
  onProgress?(fraction: number): void;
  /** Least wall time between checkpoints (default NETWORK_CHECKPOINT_MS). */
  checkpointEveryMs?: number;
  /** Where the first seed's spikes.csv and state.csv stream (none: recordings in memory only). */
  files?: NetworkUnitFiles;
}

export type NetworkUnitOutcome =
  | { status: "stopped" }
  | {
      status: "finished";
      run: SeedRun;
      recordings: Recordings | null;
      /** Streamed files that stopped at their size limit (committed, incomplete). */
      truncatedFiles: { path: string; bytes: number }[];
    };

/**
 * One network unit with checkpoints: builds the network (or rebuilds it and
 * puts back the state of its last checkpoint: every neuron, synapse, monitor
 * and random stream, core/snapshot.ts), simulates it slice by slice, and
 * saves a checkpoint when `checkpointEveryMs` have passed since the last one,
 * or when asked to stop. The step counter carries across slices, so a
 * simulation cut into slices, or interrupted and resumed, gives the same
 * spikes, traces and weights bit for bit as one run. The event loop turns
 * after every slice, so a Ctrl-C handler runs between them. A checkpoint
 * whose streamed files are gone (or shorter than it recorded), or one of an
 * older layout, is set aside and the unit starts again.
 */
export async function runNetworkUnitAsync(ctx: NetworkUnitContext): Promise<NetworkUnitOutcome> {
  const { scenario: s, seed } = ctx;
  const record = ctx.record;
  let streams: { spikes: StreamFile; state: StreamFile } | null = null;
  const text: RecordingFiles = {
    spikes: (t) => streams?.spikes.write(t),
    state: (t) => streams?.state.write(t),
  };
  const rec = recorder(s, record, () => (streams !== null ? text : undefined));
  const t0 = performance.now();
  const built = buildNetwork(s, seed, ctx.file, rec.sinks);
  let buildMs = performance.now() - t0;
  let simMs = 0;
  const files = record ? ctx.files : undefined;
  if (ctx.checkpoint !== null) {
    const { snap, meta } = decodeSnapshot(ctx.checkpoint);
    const m = meta as Partial<NetworkCheckpointMeta> | null;
    if (m?.kind !== "network-checkpoint" || m.seed !== seed)
      throw new Error(`internal: checkpoint of ${m?.kind} seed ${m?.seed} offered to network seed ${seed}`);
    if (m.version !== CHECKPOINT_VERSION) return runNetworkUnitAsync({ ...ctx, checkpoint: null });
    if (files !== undefined) {
      if (m.files === null || m.files === undefined) return runNetworkUnitAsync({ ...ctx, checkpoint: null });
      const spikes = files.resume("spikes.csv", m.files.spikes);
      const state = spikes === null ? null : files.resume("state.csv", m.files.state);
      if (spikes === null || state === null) {
        spikes?.close();
        return runNetworkUnitAsync({ ...ctx, checkpoint: null });
      }
      streams = { spikes, state };
    }
    restoreState({ built, recorder: rec.state }, snap);
    buildMs = m.buildMs ?? buildMs;
    simMs = m.simMs ?? 0;
  } else if (files !== undefined) {
    // Built, so the scenario is sound: the files start now.
    streams = { spikes: files.open("spikes.csv"), state: files.open("state.csv") };
    streams.spikes.write(`${SPIKES_CSV_HEADER}\n`);
    streams.state.write(`${STATE_CSV_HEADER}\n`);
  }
  const net = built.network;
  const total = Math.round(s.durationMs / s.dtMs);
  const slice = Math.max(1, Math.ceil(total / NETWORK_SLICES));
  reserveRates(built, total);
  const every = ctx.checkpointEveryMs ?? NETWORK_CHECKPOINT_MS;
  const save = () => {
    // Everything recorded so far goes to the sinks and files first: the checkpoint holds no chunk in flight.
    flushMonitors(built);
    const meta: NetworkCheckpointMeta = {
      kind: "network-checkpoint",
      version: CHECKPOINT_VERSION,
      seed,
      step: net.step,
      buildMs,
      simMs,
      files: streams === null ? null : { spikes: streams.spikes.position(), state: streams.state.position() },
    };
    ctx.saveCheckpoint(encodeSnapshot(captureState({ built, recorder: rec.state }), meta));
  };
  try {
    let lastSave = performance.now();
    const resumedAt = net.step;
    while (net.step < total) {
      if (ctx.shouldStop()) {
        if (net.step > resumedAt) save();
        streams?.spikes.close();
        streams?.state.close();
        return { status: "stopped" };
      }
      const t = performance.now();
      const from = net.step;
      net.runSteps(Math.min(slice, total - net.step));
      simMs += performance.now() - t;
      checkFinite(built, ctx.file, from, net.step, s.dtMs);
      ctx.onProgress?.(net.step / total);
      if (net.step < total && performance.now() - lastSave >= every) {
        save();
        lastSave = performance.now();
      }
      await new Promise((done) => setImmediate(done));
    }
    flushMonitors(built);
  } catch (e) {
    streams?.spikes.abort();
    streams?.state.abort();
    throw e;
  }
  const truncatedFiles: { path: string; bytes: number }[] = [];
  for (const f of streams === null ? [] : [streams.spikes, streams.state]) {
    f.commit();
    if (f.truncated) truncatedFiles.push({ path: f.path, bytes: f.bytes });
  }
  return { status: "finished", ...seedResult(s, built, rec.state, seed, record, buildMs, simMs), truncatedFiles };
}

/** A simulated seed's figures (and its recordings when `record`). */
function seedResult(
  s: NetworkScenario,
  built: BuiltNetwork,
  rec: RecorderState,
  seed: number,
  record: boolean,
  buildMs: number,
  simMs: number,
): { run: SeedRun; recordings: Recordings | null } {
  const durationS = s.durationMs / 1000;
  const groups: GroupStats[] = built.spikeMonitors.map((m) => {
    const size = m.source.size;
    const counts = m.counts;
    let active = 0;
    for (let i = 0; i < size; i++) if (counts[i]! > 0) active++;
    return {
      group: m.source.name,
      size,
      spikes: m.count,
      meanRateHz: m.count / size / durationS,
      meanIsiCv: rec.isi.get(m.source.name)!.meanCv(),
      activeFraction: active / size,
    };
  });
  const plastic: SynapseStats[] = built.plastic.map((p) => {
    const w = p.synapses.matrix.weight.subarray(0, p.synapses.matrix.count);
    let sum = 0;
    let sq = 0;
    for (let k = 0; k < w.length; k++) {
      sum += w[k]!;
      sq += w[k]! * w[k]!;
    }
    const mean = w.length > 0 ? sum / w.length : 0;
    return {
      name: p.name,
      rule: p.rule.rule,
      count: w.length,
      meanWeight: mean,
      weightStd: Math.sqrt(Math.max(0, w.length > 0 ? sq / w.length - mean * mean : 0)),
    };
  });
  const run: SeedRun = {
    seed,
    plastic,
    synapses: built.synapses.reduce((a, syn) => a + syn.matrix.count, 0),
    buildMs,
    simMs,
    groups,
  };
  if (!record) return { run, recordings: null };
  const recordings: Recordings = {
    spikes: built.spikeMonitors.map((m) => {
      const sample = rec.kept.get(m.source.name)!;
      return {
        group: m.source.name,
        size: m.source.size,
        indices: sample.indices(),
        timesMs: sample.timesMs(),
        ...(sample.truncated ? { counts: m.counts.slice(), truncated: true } : {}),
      };
    }),
    rates: built.rateMonitors.map((m) => ({ group: m.source.name, rateHz: m.rateHz.slice() })),
    traces: rec.traces.flat().map((tr) => ({
      group: tr.group,
      variable: tr.variable,
      neuron: tr.neuron,
      timesMs: tr.t.toArray(),
      values: tr.v.toArray(),
    })),
    weights: built.plastic.map((p) => ({
      name: p.name,
      rule: p.rule.rule,
      values: p.synapses.matrix.weight.slice(0, p.synapses.matrix.count),
    })),
  };
  return { run, recordings };
}

/**
 * Builds and simulates a validated network scenario once per seed, in memory (no files written).
 *
 * @param file - names the scenario in messages.
 */
export function runNetworkScenario(
  s: NetworkScenario,
  file: string,
  options: { seeds?: number[]; onSeed?: (run: SeedRun) => void; files?: RecordingFiles } = {},
): NetworkRunResult {
  const seeds = options.seeds ?? s.seeds;
  const runs: SeedRun[] = [];
  let recordings: Recordings | null = null;
  for (const seed of seeds) {
    const r = runNetworkSeed(s, file, seed, recordings === null, options.files);
    runs.push(r.run);
    options.onSeed?.(r.run);
    recordings ??= r.recordings;
  }
  return { scenario: s, seeds, runs, recordings: recordings! };
}
