/**
 * Recorders for the spiking engine. Each keeps flat, growable typed arrays
 * (doubling when full, never one object per spike or sample); the Network
 * calls `reserve(steps)` before a run so that recording inside the step loop
 * does not allocate.
 *
 * Each takes its time step from what it records (the group or spike source,
 * which the network has checked runs at the network's dt) unless one is
 * given; a monitor given a different dt than its network is refused when it
 * is added (src/snn/network.ts), so spike times cannot come out scaled.
 *
 * A SpikeMonitor or StateMonitor given a `sink` streams instead: it holds at
 * most `chunk` spikes or samples, hands each full chunk to the sink (which
 * writes it to disk, or folds it into statistics) and starts again, so its
 * memory stays fixed however long the run. `flush()` hands over the rest.
 *
 * When they record (Brian2's defaults):
 * - StateMonitor: "start", before the groups integrate, so sample k holds the
 *   state at time step·dt;
 * - SpikeMonitor and PopulationRateMonitor: "end", after threshold, delivery
 *   and reset; a spike found in step s has time s·dt.
 */
import type { SpikeSource } from "./synapses/synapses.js";
import type { NeuronGroup, StateArray } from "./group.js";
import { UserError } from "../core/errors.js";
import { stateVariable } from "./group.js";

/**
 * When a monitor records within a step: before the groups integrate (`"start"`) or after threshold, delivery and reset (`"end"`).
 */
export type RecordWhen = "start" | "end";

/** Anything the {@link Network} calls once per step to record (monitors, plasticity rules, pruning criteria). */
export interface Monitor {
  readonly when: RecordWhen;
  /** The time step the monitor converts steps with, ms, when it uses one (it must be its network's). */
  readonly dtMs?: number;
  /** Records the state or spikes of `step`. */
  record(step: number): void;
  /** Makes room for `steps` more steps of recording. */
  reserve(steps: number): void;
}

/** Doubles `a` to hold at least `n` entries, keeping its first `used`. */
function growInt32(a: Int32Array, used: number, n: number): Int32Array {
  if (n <= a.length) return a;
  const b = new Int32Array(Math.max(n, a.length * 2, 64));
  b.set(a.subarray(0, used));
  return b;
}

function growFloat64(a: Float64Array, used: number, n: number): Float64Array {
  if (n <= a.length) return a;
  const b = new Float64Array(Math.max(n, a.length * 2, 64));
  b.set(a.subarray(0, used));
  return b;
}

function growFloat32(a: Float32Array, used: number, n: number): Float32Array {
  if (n <= a.length) return a;
  const b = new Float32Array(Math.max(n, a.length * 2, 64));
  b.set(a.subarray(0, used));
  return b;
}

/** A chunk of spikes handed to a sink: neuron index and step per spike (views, valid during the call). */
export interface SpikeChunk {
  readonly indices: Int32Array;
  readonly steps: Int32Array;
}

/** Spikes (or samples) a streaming monitor holds before handing them to its sink. */
export const DEFAULT_CHUNK = 65_536;

/** How a SpikeMonitor keeps what it records: all pairs, counts only, or streamed in chunks to a sink. */
export interface SpikeMonitorOptions {
  /** Whether to keep (index, time) pairs; counts are always kept. */
  keepSpikes?: boolean;
  /** Stream the pairs to this sink in chunks instead of keeping them all. */
  sink?: (chunk: SpikeChunk) => void;
  /** Pairs held before a chunk goes to the sink (default DEFAULT_CHUNK). */
  chunk?: number;
}

/**
 * Records the spikes of a group (Brian2's SpikeMonitor): counts per neuron, and every (index, time) pair unless `keepSpikes` is false.
 */
export class SpikeMonitor implements Monitor {
  readonly when = "end" as const;
  readonly source: SpikeSource;
  readonly dtMs: number;
  /** Spikes per neuron since creation (or `clear`). */
  readonly counts: Int32Array;
  private idx: Int32Array = new Int32Array(0);
  private stp: Int32Array = new Int32Array(0);
  private n = 0;
  /** Whether to keep (index, time) pairs; counts are always kept. */
  readonly keepSpikes: boolean;
  private readonly sink: ((chunk: SpikeChunk) => void) | undefined;
  private readonly chunk: number;
  /** Pairs already handed to the sink. */
  private streamed = 0;

  /** `dtMs`: default the source's. */
  constructor(source: SpikeSource, dtMs?: number, opts: SpikeMonitorOptions = {}) {
    this.source = source;
    this.dtMs = dtMs ?? source.dtMs;
    this.counts = new Int32Array(source.size);
    this.sink = opts.sink;
    this.keepSpikes = (opts.keepSpikes ?? true) || this.sink !== undefined;
    this.chunk = Math.max(1, opts.chunk ?? DEFAULT_CHUNK);
    if (this.sink !== undefined) {
      // Room for one chunk plus one step's spikes (at most the group size), allocated once.
      this.idx = new Int32Array(this.chunk + source.size);
      this.stp = new Int32Array(this.chunk + source.size);
    }
  }

  /** Hands the pairs held so far to the sink (no-op without one). */
  flush(): void {
    if (this.sink === undefined || this.n === 0) return;
    this.sink({ indices: this.idx.subarray(0, this.n), steps: this.stp.subarray(0, this.n) });
    this.streamed += this.n;
    this.n = 0;
  }

  /** Spikes recorded (streamed ones included). */
  get count(): number {
    return this.streamed + this.n;
  }

  /** Total spikes counted (also when not keeping pairs). */
  totalSpikes(): number {
    let s = 0;
    for (let i = 0; i < this.counts.length; i++) s += this.counts[i]!;
    return s;
  }

  reserve(steps: number): void {
    if (!this.keepSpikes || this.sink !== undefined) return;
    // Room for a generous rate guess; growth past it is rare and amortised.
    const guess =
      this.n + Math.min(steps * this.source.size, Math.max(1024, Math.ceil(steps * this.source.size * 0.002)));
    this.idx = growInt32(this.idx, this.n, guess);
    this.stp = growInt32(this.stp, this.n, guess);
  }

  record(step: number): void {
    const c = this.source.spikeCount;
    if (c === 0) return;
    const sp = this.source.spiked;
    const counts = this.counts;
    for (let k = 0; k < c; k++) counts[sp[k]!]!++;
    if (this.keepSpikes) this.keep(step, c);
  }

  /** Appends this step's c (index, step) pairs (a separate method: the step loop inlines only what runs). */
  private keep(step: number, c: number): void {
    const sp = this.source.spiked;
    let n = this.n;
    if (this.sink !== undefined && n >= this.chunk) {
      this.flush();
      n = 0;
    }
    if (n + c > this.idx.length) {
      this.idx = growInt32(this.idx, n, n + c);
      this.stp = growInt32(this.stp, n, n + c);
    }
    const idx = this.idx;
    const stp = this.stp;
    for (let k = 0; k < c; k++) {
      idx[n] = sp[k]!;
      stp[n] = step;
      n++;
    }
    this.n = n;
  }

  /** Neuron index per spike (a view; valid until the next record). */
  get indices(): Int32Array {
    return this.idx.subarray(0, this.n);
  }

  /** Step per spike (a view). */
  get steps(): Int32Array {
    return this.stp.subarray(0, this.n);
  }

  /** Time per spike in ms (a new array). */
  timesMs(): Float64Array {
    const t = new Float64Array(this.n);
    for (let k = 0; k < this.n; k++) t[k] = this.stp[k]! * this.dtMs;
    return t;
  }

  /** Forgets every spike recorded so far. */
  clear(): void {
    this.n = 0;
    this.streamed = 0;
    this.counts.fill(0);
  }
}

/** What a {@link StateMonitor} records: the group, its variables, the neurons, and every how many steps. */
export interface StateMonitorConfig {
  group: NeuronGroup;
  vars: readonly string[];
  /** Neurons recorded; default all. */
  indices?: ArrayLike<number>;
  /** Record every `every` steps; default 1. */
  every?: number;
  /** Stream samples to this sink in chunks instead of keeping them all. */
  sink?: (chunk: StateChunk) => void;
  /** Samples held before a chunk goes to the sink (default: as many as fit DEFAULT_CHUNK values in all). */
  chunk?: number;
}

/** A chunk of samples handed to a sink (views, valid during the call). */
export interface StateChunk {
  /** Step of each sample. */
  readonly steps: Int32Array;
  /** Per variable (in `vars` order), row-major [sample][recorded neuron]. */
  readonly values: readonly Float64Array[];
}

/** Records state variables of chosen neurons at the start of each step (Brian2's StateMonitor). */
export class StateMonitor implements Monitor {
  readonly when = "start" as const;
  readonly group: NeuronGroup;
  readonly vars: readonly string[];
  readonly indices: Int32Array;
  readonly every: number;
  readonly dtMs: number;
  private readonly arrays: StateArray[];
  /** Samples in float64, so float64 state is recorded exactly. */
  private data: Float64Array[];
  private stp: Int32Array = new Int32Array(0);
  private n = 0;
  private readonly sink: ((chunk: StateChunk) => void) | undefined;
  private readonly chunk: number;
  private streamed = 0;

  /** `dtMs`: default the group's. */
  constructor(cfg: StateMonitorConfig, dtMs?: number) {
    this.group = cfg.group;
    this.vars = [...cfg.vars];
    this.every = cfg.every ?? 1;
    if (!Number.isInteger(this.every) || this.every < 1)
      throw new RangeError(`state monitor: every must be a positive integer, got ${this.every}`);
    this.dtMs = dtMs ?? cfg.group.dtMs;
    this.indices =
      cfg.indices === undefined
        ? Int32Array.from({ length: cfg.group.size }, (_, i) => i)
        : Int32Array.from(cfg.indices);
    for (const i of this.indices)
      if (i < 0 || i >= cfg.group.size) throw new RangeError(`state monitor index ${i} outside [0, ${cfg.group.size})`);
    this.arrays = this.vars.map((v) => {
      const a = stateVariable(cfg.group, v);
      if (a === undefined)
        throw new UserError("E_CONFIG_INVALID", `state monitor: group ${cfg.group.name} has no variable "${v}"`);
      return a;
    });
    this.data = this.vars.map(() => new Float64Array(0));
    this.sink = cfg.sink;
    // A chunk holds about DEFAULT_CHUNK values in all, however many variables and neurons are recorded.
    const width = Math.max(1, this.indices.length * this.vars.length);
    this.chunk = Math.max(1, cfg.chunk ?? Math.ceil(DEFAULT_CHUNK / width));
    if (this.sink !== undefined) {
      this.data = this.vars.map(() => new Float64Array(this.chunk * this.indices.length));
      this.stp = new Int32Array(this.chunk);
    }
  }

  /** Samples recorded (streamed ones included). */
  get samples(): number {
    return this.streamed + this.n;
  }

  /** Hands the samples held so far to the sink (no-op without one). */
  flush(): void {
    if (this.sink === undefined || this.n === 0) return;
    const m = this.indices.length;
    this.sink({ steps: this.stp.subarray(0, this.n), values: this.data.map((d) => d.subarray(0, this.n * m)) });
    this.streamed += this.n;
    this.n = 0;
  }

  reserve(steps: number): void {
    if (this.sink !== undefined) return;
    const need = this.n + Math.ceil(steps / this.every) + 1;
    const m = this.indices.length;
    this.data = this.data.map((d) => growFloat64(d, this.n * m, need * m));
    this.stp = growInt32(this.stp, this.n, need);
  }

  record(step: number): void {
    if (step % this.every !== 0) return;
    if (this.sink !== undefined && this.n === this.chunk) this.flush();
    const m = this.indices.length;
    const n = this.n;
    if (n + 1 > this.stp.length) this.reserve(Math.max(64, n) * this.every);
    const idx = this.indices;
    for (let v = 0; v < this.arrays.length; v++) {
      const src = this.arrays[v]!;
      const dst = this.data[v]!;
      const off = n * m;
      for (let k = 0; k < m; k++) dst[off + k] = src[idx[k]!]!;
    }
    this.stp[n] = step;
    this.n = n + 1;
  }

  /** Samples of `name`, row-major [sample][recorded neuron] (a view). */
  values(name: string): Float64Array {
    const v = this.vars.indexOf(name);
    if (v < 0) throw new RangeError(`state monitor does not record "${name}"`);
    return this.data[v]!.subarray(0, this.n * this.indices.length);
  }

  /** The trace of recorded neuron k (position in `indices`) for `name` (a new array). */
  trace(name: string, k: number): Float64Array {
    const all = this.values(name);
    const m = this.indices.length;
    const out = new Float64Array(this.n);
    for (let s = 0; s < this.n; s++) out[s] = all[s * m + k]!;
    return out;
  }

  /** Time of each sample in ms (a new array). */
  timesMs(): Float64Array {
    const t = new Float64Array(this.n);
    for (let k = 0; k < this.n; k++) t[k] = this.stp[k]! * this.dtMs;
    return t;
  }
}

/** Population rate per step: spikes / N / dt, in Hz (Brian2's PopulationRateMonitor). */
export class PopulationRateMonitor implements Monitor {
  readonly when = "end" as const;
  readonly source: SpikeSource;
  readonly dtMs: number;
  private rate: Float32Array = new Float32Array(0);
  private n = 0;
  private readonly scale: number;

  /** `dtMs`: default the source's. */
  constructor(source: SpikeSource, dtMs?: number) {
    this.source = source;
    this.dtMs = dtMs ?? source.dtMs;
    this.scale = source.size > 0 ? 1000 / (source.size * this.dtMs) : 0;
  }

  get samples(): number {
    return this.n;
  }

  reserve(steps: number): void {
    this.rate = growFloat32(this.rate, this.n, this.n + steps);
  }

  record(_step: number): void {
    if (this.n === this.rate.length) this.rate = growFloat32(this.rate, this.n, this.n + 1);
    this.rate[this.n++] = this.source.spikeCount * this.scale;
  }

  /** Rate per recorded step in Hz (a view). */
  get rateHz(): Float32Array {
    return this.rate.subarray(0, this.n);
  }

  /** Mean rate over the recorded steps, Hz. */
  meanHz(): number {
    let s = 0;
    for (let k = 0; k < this.n; k++) s += this.rate[k]!;
    return this.n > 0 ? s / this.n : 0;
  }
}
