/**
 * xorshift128 (Marsaglia 2003): a fast 32-bit generator for hot loops and
 * large builds (Poisson spike trains, random connectivity, dropout masks).
 * It is never seeded on its own: the four state words come from
 * `rng.uint32Seeds(4)` of a labelled fork, so its stream is as reproducible,
 * and as independent of other streams, as the Rng it came from.
 *
 * Two forms of one algorithm: `xorshiftNext` steps a bare Uint32Array state
 * (for loops that keep the state in a typed array), and `Xorshift128` wraps
 * the state with convenience draws.
 */
import type { Rng } from "./rng.js";

/** 2^-32: turns a uint32 into [0, 1). */
export const UINT32_TO_UNIT = 1 / 4294967296;

/** Advances the state in place and returns the next uint32. */
export function xorshiftNextUint32(s: Uint32Array): number {
  let t = s[3]!;
  const x = s[0]!;
  s[3] = s[2]!;
  s[2] = s[1]!;
  s[1] = x;
  t ^= t << 11;
  t ^= t >>> 8;
  const r = (t ^ x ^ (x >>> 19)) >>> 0;
  s[0] = r;
  return r;
}

/** Advances the state in place and returns a uniform number in [0, 1). */
export function xorshiftNext(s: Uint32Array): number {
  return xorshiftNextUint32(s) * UINT32_TO_UNIT;
}

export class Xorshift128 {
  /** The four state words; never all zero. */
  readonly s: Uint32Array;

  constructor(seeds: Uint32Array) {
    if (seeds.length < 4) throw new RangeError(`xorshift128 needs 4 seed words, got ${seeds.length}`);
    this.s = new Uint32Array(4);
    this.s.set(seeds.subarray(0, 4));
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 0x9e3779b9;
  }

  static fromRng(rng: Rng): Xorshift128 {
    return new Xorshift128(rng.uint32Seeds(4));
  }

  /** Next uint32. */
  nextUint32(): number {
    return xorshiftNextUint32(this.s);
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return xorshiftNextUint32(this.s) * UINT32_TO_UNIT;
  }

  /** Uniform in (0, 1]: safe under Math.log. */
  nextOpen0(): number {
    return (xorshiftNextUint32(this.s) + 1) * UINT32_TO_UNIT;
  }

  /** Uniform integer in [0, n), n ≤ 2^32. */
  int(n: number): number {
    return Math.floor(xorshiftNextUint32(this.s) * UINT32_TO_UNIT * n);
  }
}
