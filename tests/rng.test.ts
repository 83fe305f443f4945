// Reference: the RNG contract of src/core/rng.ts — same seed, same stream; a fork
// depends on its label and parent key only, never on the parent's draws.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";

const draw = (r: Rng, n: number) => Array.from({ length: n }, () => r.next());

describe("Rng", () => {
  it("gives the same stream for the same seed, including seed 0", () => {
    expect(draw(Rng.fromSeed(0), 50)).toEqual(draw(Rng.fromSeed(0), 50));
    expect(draw(Rng.fromSeed(0), 5)).not.toEqual(draw(Rng.fromSeed(1), 5));
  });

  it("forks by label independently of how much the parent has drawn", () => {
    const a = Rng.fromSeed(7);
    const b = Rng.fromSeed(7);
    draw(b, 1000); // the parent's consumption must not matter
    b.fork("learner:other"); // nor a sibling's existence
    expect(draw(a.fork("learner:mlp").fork("init"), 20)).toEqual(draw(b.fork("learner:mlp").fork("init"), 20));
  });

  it("gives different streams to different labels and seeds", () => {
    const r = Rng.fromSeed(3);
    expect(draw(r.fork("a"), 5)).not.toEqual(draw(r.fork("b"), 5));
    expect(draw(Rng.fromSeed(3).fork("a"), 5)).not.toEqual(draw(Rng.fromSeed(4).fork("a"), 5));
  });

  it("draws uniforms in [0,1) with mean 1/2 and normals with mean 0, variance 1", () => {
    const r = Rng.fromSeed(11);
    const n = 100_000;
    let s = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      s += u;
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.005); // 5 standard errors
    let m = 0;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      m += z;
      m2 += z * z;
    }
    expect(Math.abs(m / n)).toBeLessThan(0.02);
    expect(Math.abs(m2 / n - 1)).toBeLessThan(0.03);
  });

  it("makes permutations that contain every index once", () => {
    const p = Rng.fromSeed(5).permutation(1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Rng.fromSeed(5).permutation(1000)).toEqual(p);
  });

  it("is the only randomness in src/: Math.random appears nowhere", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ts$/.test(f) && readFileSync(p, "utf8").includes("Math.random")) offenders.push(p);
      }
    };
    walk(join(import.meta.dirname, "..", "src"));
    expect(offenders).toEqual([]);
  });
});
