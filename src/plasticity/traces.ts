/**
 * Synaptic traces kept lazily: each trace stores its value at the step it was
 * last touched and decays exactly on read,
 *
 *   x(t) = x(t_last) · exp(-(t - t_last)·dt / tau),
 *
 * so a step costs nothing for neurons that did not spike (no per-step decay
 * loop over all neurons). At a spike the trace is bumped: "add" (x += 1,
 * all-to-all pairing: every earlier spike counts) or "set" (x = 1,
 * nearest-spike pairing: only the most recent spike counts).
 *
 * The decay factor exp(-age·dt/tau) of the first ages (up to 30 time
 * constants, at most 65,536 steps) is read from a table computed with the
 * same expression, `Math.exp(-age * rate)`, so a read returns the same
 * double as computing it and costs a load instead of an exp; older ages
 * compute it.
 *
 * The neurons whose trace is not 0 (bumped since the last reset) are also
 * listed in `active[0 .. activeCount)`, so a rule can visit only them when
 * few are (a trace never decays to exactly 0, so a neuron leaves the list
 * only at `reset`).
 */

export type TraceMode = "add" | "set";

/** Ages the decay table covers: 30 time constants (e^-30 ≈ 1e-13), at most 2^16 steps. */
function tableLength(rate: number): number {
  return Math.min(65_536, Math.ceil(30 / rate) + 1);
}

export class LazyTraces {
  readonly size: number;
  readonly value: Float64Array;
  readonly lastStep: Int32Array;
  /** dt / tau: the exponent per step. */
  readonly rate: number;
  readonly mode: TraceMode;
  /** decay[age] = Math.exp(-age * rate) for the first ages. */
  private readonly decay: Float64Array;
  /** Neurons bumped since the last reset: active[0 .. activeCount). */
  readonly active: Int32Array;
  activeCount = 0;
  private readonly isActive: Uint8Array;

  constructor(size: number, tauMs: number, dtMs: number, mode: TraceMode) {
    if (!(tauMs > 0)) throw new RangeError(`trace time constant must be > 0 ms, got ${tauMs}`);
    this.size = size;
    this.value = new Float64Array(size);
    this.lastStep = new Int32Array(size);
    this.rate = dtMs / tauMs;
    this.mode = mode;
    this.decay = new Float64Array(tableLength(this.rate));
    for (let k = 0; k < this.decay.length; k++) this.decay[k] = Math.exp(-k * this.rate);
    this.active = new Int32Array(size);
    this.isActive = new Uint8Array(size);
  }

  /** The trace of i at `step`. */
  read(i: number, step: number): number {
    const x = this.value[i]!;
    if (x === 0) return 0;
    const age = step - this.lastStep[i]!;
    if (age === 0) return x;
    return age > 0 && age < this.decay.length ? x * this.decay[age]! : x * Math.exp(-age * this.rate);
  }

  /** Registers a spike of i at `step`. */
  bump(i: number, step: number): void {
    this.value[i] = this.mode === "set" ? 1 : this.read(i, step) + 1;
    this.lastStep[i] = step;
    if (this.isActive[i] === 0) {
      this.isActive[i] = 1;
      this.active[this.activeCount++] = i;
    }
  }

  reset(): void {
    for (let k = 0; k < this.activeCount; k++) {
      const i = this.active[k]!;
      this.value[i] = 0;
      this.lastStep[i] = 0;
      this.isActive[i] = 0;
    }
    this.activeCount = 0;
  }
}
