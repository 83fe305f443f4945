/**
 * Rate coding of a sample as a spike source: channel i fires in a step with
 * probability p_i = min(x_i, 1) · rateHz · dt (a Poisson train at
 * x_i · rateHz, as Brian2's PoissonGroup; Diehl & Cook 2015 show pixel
 * intensity / 4 Hz on 0..255, i.e. rateHz 63.75 for x in [0, 1]).
 *
 * Only the channels with x_i > 0 draw, so silent channels cost nothing: on
 * MNIST about 19% of the pixels are non-zero and a step costs that many
 * draws instead of 784. Each draw is u, a uniform number from an xorshift128
 * stream (32 bits) seeded by `rng.uint32Seeds(4)`, and the channel fires when
 * u < p_i, p_i kept in float32: the same stream and comparison as the fused
 * Diehl & Cook kernel (src/learners/diehl-cook/network.ts) draws its input
 * with, so the two produce the same input spikes from the same seed.
 */
import type { Rng } from "../../core/rng.js";
import { UINT32_TO_UNIT } from "../../core/xorshift.js";
import type { NeuronGroup } from "../group.js";

export class RateInputGroup implements NeuronGroup {
  readonly name: string;
  readonly size: number;
  readonly dtMs: number;
  readonly state: Readonly<Record<string, Float32Array>> = {};
  readonly spiked: Int32Array;
  spikeCount = 0;
  /** The xorshift128 state (4 words). */
  readonly noise: Uint32Array;
  /** Channels that draw (x > 0) and their spike probability per step. */
  private readonly activeIdx: Int32Array;
  private readonly activeProb: Float32Array;
  private nActive = 0;

  constructor(name: string, size: number, dtMs: number, rng: Rng) {
    if (!Number.isInteger(size) || size < 0)
      throw new RangeError(`rate input size must be a non-negative integer, got ${size}`);
    if (!(dtMs > 0)) throw new RangeError(`dtMs must be positive, got ${dtMs}`);
    this.name = name;
    this.size = size;
    this.dtMs = dtMs;
    this.spiked = new Int32Array(size);
    this.noise = rng.uint32Seeds(4);
    this.activeIdx = new Int32Array(size);
    this.activeProb = new Float32Array(size);
  }

  /** Channels drawing now (x > 0). */
  get activeCount(): number {
    return this.nActive;
  }

  /**
   * Shows the sample x[offset .. offset + size): channel i fires at
   * min(x_i, 1) · rateHz (nothing where x_i ≤ 0) until the next `show` or `silence`.
   */
  show(x: ArrayLike<number>, offset: number, rateHz: number): void {
    if (!(rateHz >= 0)) throw new RangeError(`${this.name}: rate must be >= 0 Hz, got ${rateHz}`);
    const pScale = (rateHz * this.dtMs) / 1000;
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      const u = x[offset + i]!;
      if (u > 0) {
        this.activeIdx[n] = i;
        this.activeProb[n] = (u > 1 ? 1 : u) * pScale;
        n++;
      }
    }
    this.nActive = n;
  }

  /** Every channel silent (no draws) until the next `show`. */
  silence(): void {
    this.nActive = 0;
  }

  /** The generator's state (a copy). */
  generatorState(): Uint32Array {
    return this.noise.slice();
  }

  /** Restores a state from {@link RateInputGroup.generatorState}. */
  setGeneratorState(state: Uint32Array): void {
    if (state.length !== 4) throw new RangeError(`${this.name}: a generator state has 4 words, got ${state.length}`);
    this.noise.set(state);
  }

  integrateAndThreshold(_step: number): void {
    const { activeIdx, activeProb, noise, spiked } = this;
    const n = this.nActive;
    let count = 0;
    if (n > 0) {
      // xorshiftNextUint32 (core/xorshift.ts) with its four words in locals: the same stream.
      let s0 = noise[0]!;
      let s1 = noise[1]!;
      let s2 = noise[2]!;
      let s3 = noise[3]!;
      for (let a = 0; a < n; a++) {
        let t = s3;
        const x = s0;
        s3 = s2;
        s2 = s1;
        s1 = x;
        t ^= t << 11;
        t ^= t >>> 8;
        s0 = (t ^ x ^ (x >>> 19)) >>> 0;
        if (s0 * UINT32_TO_UNIT < activeProb[a]!) spiked[count++] = activeIdx[a]!;
      }
      noise[0] = s0;
      noise[1] = s1;
      noise[2] = s2;
      noise[3] = s3;
    }
    this.spikeCount = count;
  }

  reset(_step: number): void {}
}
