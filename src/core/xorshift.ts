/**
 * xorshift128 (Marsaglia 2003) as a flat Uint32Array state of four words, for
 * hot loops that draw millions of uniforms per second (Poisson spike trains).
 * Seed it from the scenario RNG (`rng.uint32Seeds(4)`), so it stays
 * deterministic and forked by label like every other stream.
 */

/** Advances the state in place and returns a uniform number in [0, 1). */
export function xorshiftNext(s: Uint32Array): number {
  let t = s[3]!;
  const x = s[0]!;
  s[3] = s[2]!;
  s[2] = s[1]!;
  s[1] = x;
  t ^= t << 11;
  t ^= t >>> 8;
  const r = (t ^ x ^ (x >>> 19)) >>> 0;
  s[0] = r;
  return r / 4294967296;
}
