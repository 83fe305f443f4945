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

  /** `dtMs`: default the source's. */
  constructor(source: SpikeSource, dtMs?: number, opts: { keepSpikes?: boolean } = {}) {
    this.source = source;
    this.dtMs = dtMs ?? source.dtMs;
    this.counts = new Int32Array(source.size);
    this.keepSpikes = opts.keepSpikes ?? true;
  }

  /** Spikes recorded. */
  get count(): number {
    return this.n;
  }

  /** Total spikes counted (also when not keeping pairs). */
  totalSpikes(): number {
    let s = 0;
    for (let i = 0; i < this.counts.length; i++) s += this.counts[i]!;
    return s;
  }

  reserve(steps: number): void {
    if (!this.keepSpikes) return;
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
  }

  /** Samples recorded. */
  get samples(): number {
    return this.n;
  }

  reserve(steps: number): void {
    const need = this.n + Math.ceil(steps / this.every) + 1;
    const m = this.indices.length;
    this.data = this.data.map((d) => growFloat64(d, this.n * m, need * m));
    this.stp = growInt32(this.stp, this.n, need);
  }

  record(step: number): void {
    if (step % this.every !== 0) return;
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
