/**
 * The one source of randomness: a seeded alea generator (seedrandom) that is
 * created from the scenario seed in one place and passed explicitly.
 *
 * `fork(label)` derives an independent child from this generator's *key* (the
 * seed and the chain of labels), never from its current state: a child's
 * numbers do not depend on how many numbers the parent or its siblings have
 * drawn. Adding a learner therefore never shifts another learner's numbers.
 *
 *     const root = Rng.fromSeed(0);             // seed 0 is a valid seed
 *     const init = root.fork("learner:mlp").fork("init");
 */
import seedrandom from "seedrandom";

/** Where a generator stands: alea's four state words and the spare normal, enough to continue it exactly. */
export interface RngState {
  alea: seedrandom.State.Alea;
  spareNormal: number;
  hasSpareNormal: boolean;
}

/**
 * The one seeded random generator: created from a seed, passed explicitly and forked by label, so that adding a
 * learner never shifts another one's numbers.
 *
 * ```ts
 * const root = Rng.fromSeed(0);
 * const init = root.fork("learner:mlp").fork("init");
 * ```
 */
export class Rng {
  /** The derivation key: "seed:<n>/label/label...". Reproduces this stream. */
  readonly key: string;
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  private spareNormal = 0;
  private hasSpareNormal = false;

  private constructor(key: string) {
    this.key = key;
    this.prng = seedrandom.alea(key, { state: true });
  }

  /** This generator's position (a checkpoint): `setState` continues it from here, bit for bit. */
  getState(): RngState {
    return { alea: this.prng.state(), spareNormal: this.spareNormal, hasSpareNormal: this.hasSpareNormal };
  }

  /** Continues from a position `getState` returned (of a generator with the same key). */
  setState(state: RngState): void {
    this.prng = seedrandom.alea("", { state: { ...state.alea } });
    this.spareNormal = state.spareNormal;
    this.hasSpareNormal = state.hasSpareNormal;
  }

  /** The root generator of a seed (any integer; 0 is a valid seed). */
  static fromSeed(seed: number): Rng {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    return new Rng(`seed:${seed}`);
  }

  /** An independent generator named by `label`, derived from this one's key. */
  fork(label: string): Rng {
    return new Rng(`${this.key}/${label}`);
  }

  /** Uniform in [0, 1) with 53 bits of precision. */
  next(): number {
    return this.prng.double();
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.prng.double();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng.double() * n);
  }

  /** Standard normal (Marsaglia polar method; the spare value is kept). */
  normal(): number {
    if (this.hasSpareNormal) {
      this.hasSpareNormal = false;
      return this.spareNormal;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = 2 * this.prng.double() - 1;
      v = 2 * this.prng.double() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    this.hasSpareNormal = true;
    return u * f;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng.double() * (i + 1));
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** Fills `out` with normal(mean, std) samples. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean: number, std: number): T {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** Fills `out` with uniform [lo, hi) samples. */
  fillUniform<T extends Float32Array | Float64Array>(out: T, lo: number, hi: number): T {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.prng.double();
    return out;
  }

  /**
   * A fast 32-bit state for hot loops (Poisson spike trains): seeds an
   * xorshift128 stream from this generator, so hot loops can draw without a
   * method call through seedrandom. Deterministic given this generator's key.
   */
  uint32Seeds(count: number): Uint32Array {
    const s = new Uint32Array(count);
    for (let i = 0; i < count; i++) s[i] = this.prng.int32() >>> 0 || 0x9e3779b9;
    return s;
  }
}
