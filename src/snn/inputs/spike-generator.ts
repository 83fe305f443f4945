/**
 * Emits given spikes: neuron indices[k] at timesMs[k] (Brian2's
 * SpikeGeneratorGroup). Times go to the step grid as round(t / dt) after
 * `startStep`; a neuron may spike at most once per step (a duplicate is an
 * error, as in Brian2). `set` loads a new pattern, e.g. the next image's
 * latency code, starting at a given step.
 */
import { UserError } from "../../core/errors.js";
import type { NeuronGroup } from "../group.js";

/** Emits given spikes (neuron index, time in ms), as Brian2's SpikeGeneratorGroup. */
export class SpikeGeneratorGroup implements NeuronGroup {
  readonly name: string;
  readonly size: number;
  readonly state: Readonly<Record<string, Float32Array>> = {};
  readonly spiked: Int32Array;
  spikeCount = 0;
  readonly dtMs: number;
  private indices = new Int32Array(0);
  private steps = new Int32Array(0);
  private next = 0;

  constructor(
    name: string,
    size: number,
    indices: ArrayLike<number>,
    timesMs: ArrayLike<number>,
    dtMs: number,
    startStep = 0,
  ) {
    if (!Number.isInteger(size) || size < 0)
      throw new RangeError(`spike generator size must be a non-negative integer, got ${size}`);
    if (!(dtMs > 0)) throw new RangeError(`dtMs must be positive, got ${dtMs}`);
    this.name = name;
    this.size = size;
    this.dtMs = dtMs;
    this.spiked = new Int32Array(size);
    this.set(indices, timesMs, startStep);
  }

  /** Replaces the pattern; spike k fires at step startStep + round(timesMs[k] / dt). */
  set(indices: ArrayLike<number>, timesMs: ArrayLike<number>, startStep = 0): void {
    const n = indices.length;
    if (timesMs.length !== n)
      throw new UserError("E_CONFIG_INVALID", `${this.name}: ${n} indices but ${timesMs.length} times`);
    const steps = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const i = indices[k]!;
      const t = timesMs[k]!;
      if (!Number.isInteger(i) || i < 0 || i >= this.size) {
        throw new UserError("E_CONFIG_INVALID", `${this.name}: index[${k}] = ${i} is outside [0, ${this.size})`);
      }
      if (!(t >= 0) || !Number.isFinite(t))
        throw new UserError("E_CONFIG_INVALID", `${this.name}: time[${k}] = ${t} ms must be finite and >= 0`);
      steps[k] = startStep + Math.round(t / this.dtMs);
    }
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => steps[a]! - steps[b]! || a - b);
    this.indices = new Int32Array(n);
    this.steps = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      this.indices[k] = indices[order[k]!]!;
      this.steps[k] = steps[order[k]!]!;
    }
    // A neuron twice in one step is a mistake (Brian2 refuses it too).
    const lastStep = new Int32Array(this.size).fill(-1);
    for (let k = 0; k < n; k++) {
      const i = this.indices[k]!;
      if (lastStep[i] === this.steps[k]) {
        throw new UserError(
          "E_CONFIG_INVALID",
          `${this.name}: neuron ${i} spikes twice in step ${this.steps[k]} (dt ${this.dtMs} ms)`,
        );
      }
      lastStep[i] = this.steps[k]!;
    }
    this.next = 0;
  }

  /** Number of spikes in the pattern. */
  get patternSize(): number {
    return this.indices.length;
  }

  integrateAndThreshold(step: number): void {
    const steps = this.steps;
    const n = steps.length;
    let k = this.next;
    while (k < n && steps[k]! < step) k++;
    let count = 0;
    while (k < n && steps[k] === step) this.spiked[count++] = this.indices[k++]!;
    this.next = k;
    this.spikeCount = count;
  }

  reset(_step: number): void {}
}
