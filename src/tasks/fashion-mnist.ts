/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60,000 training and 10,000 test
 * 28×28 grey images of clothing in 10 classes, read from the IDX files that
 * Debian's `dataset-fashion-mnist` package installs in
 * /usr/share/datasets/fashion-mnist/ (train-images-idx3-ubyte.gz,
 * train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz).
 * The files' own train/test split is used; `trainSize`/`testSize` take the
 * first N of each (the files are already in random order).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { UserError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import { idxTask, readIdxDataset, type IdxDataset } from "./idx.js";
import type { Task } from "./task.js";

export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
export const FASHION_MNIST_FILES = {
  trainImages: "train-images-idx3-ubyte.gz",
  trainLabels: "train-labels-idx1-ubyte.gz",
  testImages: "t10k-images-idx3-ubyte.gz",
  testLabels: "t10k-labels-idx1-ubyte.gz",
} as const;

export const fashionMnistConfigSchema = z.strictObject({
  type: z.literal("fashion-mnist"),
  dir: z.string().min(1).default(FASHION_MNIST_DIR).describe("directory with the four Fashion-MNIST IDX files"),
  trainSize: z.int().min(1).max(60000).optional().describe("use only the first N of the 60,000 training images"),
  testSize: z.int().min(1).max(10000).optional().describe("use only the first N of the 10,000 test images"),
});
export type FashionMnistConfig = z.infer<typeof fashionMnistConfigSchema>;

const cache = new Map<string, { train: IdxDataset; test: IdxDataset }>();

export function loadFashionMnist(dir: string = FASHION_MNIST_DIR): { train: IdxDataset; test: IdxDataset } {
  const hit = cache.get(dir);
  if (hit !== undefined) return hit;
  const f = FASHION_MNIST_FILES;
  const missing = Object.values(f).filter((name) => !existsSync(join(dir, name)));
  if (missing.length > 0) {
    const hint =
      dir === FASHION_MNIST_DIR
        ? "install it with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu)"
        : "point `dir` at a directory with the Fashion-MNIST IDX files";
    throw new UserError("E_DATA_MISSING", `Fashion-MNIST not found in ${dir} (missing ${missing.join(", ")}): ${hint}`);
  }
  const data = {
    train: readIdxDataset(join(dir, f.trainImages), join(dir, f.trainLabels)),
    test: readIdxDataset(join(dir, f.testImages), join(dir, f.testLabels)),
  };
  cache.set(dir, data);
  return data;
}

/** The Fashion-MNIST task. The RNG is not used: the files fix the split. */
export function fashionMnistTask(config: FashionMnistConfig, _rng?: Rng): Task {
  const { train, test } = loadFashionMnist(config.dir);
  return idxTask("fashion-mnist", "Fashion-MNIST clothing images (Zalando), 10 classes", train, test, {
    classes: 10,
    trainSize: config.trainSize,
    testSize: config.testSize,
    where: config.dir,
  });
}
