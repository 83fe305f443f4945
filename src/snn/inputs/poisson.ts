/**
 * A Poisson spike source: neuron i spikes in a step with probability
 * rateHz[i]·dt (Brian2's PoissonGroup). Each step draws one uint32 per neuron
 * from an inlined xorshift128 stream seeded by `rng.uint32Seeds(4)` and spikes
 * when u < rate·dt·2^32, so a step costs one multiply and one compare per
 * neuron and allocates nothing. Rates are the `rateHz` state variable: change
 * them in place (or with `setRates`) between steps.
 */
import type { Rng } from "../../core/rng.js";
import type { NeuronGroup } from "../group.js";

/** Poisson spike sources with per-neuron rates in Hz, as Brian2's PoissonGroup. */
export class PoissonGroup implements NeuronGroup {
  readonly name: string;
  readonly size: number;
  readonly state: Readonly<Record<string, Float32Array>>;
  readonly rateHz: Float32Array;
  readonly spiked: Int32Array;
  spikeCount = 0;
  readonly dtMs: number;
  private readonly seed: Uint32Array;

  constructor(name: string, size: number, rateHz: number | Float32Array, dtMs: number, rng: Rng) {
    if (!Number.isInteger(size) || size < 0)
      throw new RangeError(`Poisson group size must be a non-negative integer, got ${size}`);
    if (!(dtMs > 0)) throw new RangeError(`dtMs must be positive, got ${dtMs}`);
    this.name = name;
    this.size = size;
    this.dtMs = dtMs;
    this.rateHz = new Float32Array(size);
    this.state = { rateHz: this.rateHz };
    this.spiked = new Int32Array(size);
    this.seed = rng.uint32Seeds(4);
    this.setRates(rateHz);
  }

  /** The generator's state (a copy), to replay the same spike trains later with `setGeneratorState`. */
  generatorState(): Uint32Array {
    return this.seed.slice();
  }

  /** Restores a state from {@link PoissonGroup.generatorState}: the same spike trains follow. */
  setGeneratorState(state: Uint32Array): void {
    if (state.length !== 4) throw new RangeError(`${this.name}: a generator state has 4 words, got ${state.length}`);
    this.seed.set(state);
  }

  /** Copies rates (Hz) in; a number sets every neuron. */
  setRates(rateHz: number | ArrayLike<number>): void {
    if (typeof rateHz === "number") {
      if (!(rateHz >= 0)) throw new RangeError(`rates must be >= 0 Hz, got ${rateHz}`);
      this.rateHz.fill(rateHz);
      return;
    }
    if (rateHz.length !== this.size)
      throw new RangeError(`${this.name}: expected ${this.size} rates, got ${rateHz.length}`);
    for (let i = 0; i < this.size; i++) {
      const r = rateHz[i]!;
      if (!(r >= 0)) throw new RangeError(`${this.name}: rate[${i}] must be >= 0 Hz, got ${r}`);
      this.rateHz[i] = r;
    }
  }

  integrateAndThreshold(_step: number): void {
    const rate = this.rateHz;
    const spiked = this.spiked;
    const scale = this.dtMs * 1e-3 * 4294967296; // rate·dt as a fraction of 2^32
    const st = this.seed;
    let x = st[0]! | 0;
    let y = st[1]! | 0;
    let z = st[2]! | 0;
    let w = st[3]! | 0;
    let count = 0;
    const n = this.size;
    for (let i = 0; i < n; i++) {
      const t = x ^ (x << 11);
      x = y;
      y = z;
      z = w;
      w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
      if (w >>> 0 < rate[i]! * scale) spiked[count++] = i;
    }
    st[0] = x;
    st[1] = y;
    st[2] = z;
    st[3] = w;
    this.spikeCount = count;
  }

  reset(_step: number): void {}
}
