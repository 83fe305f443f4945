/**
 * Hands the reference side of the parity harness exactly what our side
 * trains on: the fixed MNIST split (src/tasks/mnist.ts; the row-sequence task
 * "mnist-rows" holds the same bytes, read as 28 rows of 28) and, per learner
 * and seed, the order in which our scenario runner visits the training set in
 * each epoch (src/runs/learning-unit.ts draws it from
 * Rng.fromSeed(seed).fork(`learner:NAME`).fork("order"), one permutation per
 * epoch, through tasks/task.ts's epochOrder).
 *
 * Files (little-endian, no header; shapes in manifest.json):
 *   train-x.f32  [8000 × 784] float32 pixels in 0..1, row-major
 *   train-y.i32  [8000] int32 labels
 *   test-x.f32   [2000 × 784],  test-y.i32 [2000]
 *   order-NAME-seedS.i32  [epochs × trainCount] int32 indices into the first
 *                trainCount training samples, epoch by epoch
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileComponent, outputPath } from "../../core/paths.js";
import { Rng } from "../../core/rng.js";
import { loadMnistSplit, MNIST_TEST_COUNT, MNIST_TRAIN_COUNT } from "../../tasks/mnist.js";
import { epochOrder, type TaskShape } from "../../tasks/task.js";
import { createLearner, type LearnerConfig } from "../../learners/registry.js";

export const PARITY_DATA_FORMAT = "neurocompare-parity-data/1";

export interface ExportedSplit {
  dir: string;
  manifest: string;
  trainCount: number;
  testCount: number;
}

function bytesOf(a: Float32Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Writes the split and its manifest (with each file's SHA-256) into `dir`. */
export function exportMnistSplit(dir: string): ExportedSplit {
  mkdirSync(dir, { recursive: true });
  const { train, test } = loadMnistSplit();
  const files: Record<string, string> = {};
  const put = (name: string, a: Float32Array | Int32Array) => {
    const buf = bytesOf(a);
    writeFileSync(outputPath(dir, name), buf);
    files[name] = createHash("sha256").update(buf).digest("hex");
  };
  put("train-x.f32", train.x);
  put("train-y.i32", train.y);
  put("test-x.f32", test.x);
  put("test-y.i32", test.y);
  const manifest = outputPath(dir, "manifest.json");
  writeFileSync(
    manifest,
    `${JSON.stringify(
      {
        format: PARITY_DATA_FORMAT,
        pixels: 784,
        image: { height: 28, width: 28, channels: 1 },
        rows: { steps: 28, features: 28 },
        train: { count: MNIST_TRAIN_COUNT, x: "train-x.f32", y: "train-y.i32" },
        test: { count: MNIST_TEST_COUNT, x: "test-x.f32", y: "test-y.i32" },
        sha256: files,
      },
      null,
      2,
    )}\n`,
  );
  return { dir, manifest, trainCount: train.count, testCount: test.count };
}

/**
 * The epoch orders our runner uses for learner `name` (its scenario name,
 * sweep base) and `seed` over `trainCount` samples: [epochs × trainCount].
 */
export function runnerOrders(name: string, seed: number, epochs: number, trainCount: number): Int32Array {
  const rng = Rng.fromSeed(seed).fork(`learner:${name}`).fork("order");
  const out = new Int32Array(epochs * trainCount);
  for (let e = 0; e < epochs; e++) out.set(epochOrder(rng, trainCount), e * trainCount);
  return out;
}

/** Writes runnerOrders(...) to `dir` and returns the file's path. */
export function exportOrders(dir: string, name: string, seed: number, epochs: number, trainCount: number): string {
  const file = outputPath(dir, `order-${fileComponent(name)}-seed${seed}.i32`);
  writeFileSync(file, bytesOf(runnerOrders(name, seed, epochs, trainCount)));
  return file;
}

/**
 * The initial parameters our learner starts from for `seed` (built as the
 * scenario runner builds it: Rng.fromSeed(seed).fork(`learner:NAME`).fork("init")),
 * for a reference that starts from the same weights: init-NAME-seedS.f32, every
 * parameter's float32 values one after the other in our order, and
 * init-NAME-seedS.json with each one's name and [rows, cols] (ours are
 * [in × out]; a torch.nn.Linear weight is the transpose).
 */
export function exportInitialParams(
  dir: string,
  learner: LearnerConfig,
  shape: TaskShape,
  seed: number,
): { values: string; layout: string } {
  const name = learner.name ?? learner.type;
  const l = createLearner(learner, shape, Rng.fromSeed(seed).fork(`learner:${name}`).fork("init"));
  const params = l.params();
  const layout = params.map((p) => ({ name: p.name, length: p.value.length }));
  const all = new Float32Array(params.reduce((n, p) => n + p.value.length, 0));
  let off = 0;
  for (const p of params) {
    all.set(p.value, off);
    off += p.value.length;
  }
  const stem = `init-${fileComponent(name)}-seed${seed}`;
  const values = outputPath(dir, `${stem}.f32`);
  writeFileSync(values, bytesOf(all));
  const layoutFile = outputPath(dir, `${stem}.json`);
  writeFileSync(layoutFile, `${JSON.stringify(layout)}\n`);
  return { values, layout: layoutFile };
}
