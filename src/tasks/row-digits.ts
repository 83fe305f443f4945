/**
 * MNIST read row by row: each 28×28 digit is a sequence of 28 steps of 28
 * features (the image's rows, top to bottom), for recurrent learners. The data
 * and the fixed 8,000 / 2,000 split are exactly those of the `mnist` task
 * (row-major pixels are already step-major rows), so results compare directly.
 */
import { z } from "zod";
import type { Rng } from "../core/rng.js";
import { loadMnistSplit, MNIST_TEST_COUNT, MNIST_TRAIN_COUNT, takeFirst } from "./mnist.js";
import type { Task, TaskShape } from "./task.js";

const ROWS = 28;
const COLS = 28;

export const mnistRowsConfigSchema = z.strictObject({
  type: z.literal("mnist-rows"),
  trainSize: z
    .int()
    .min(1)
    .max(MNIST_TRAIN_COUNT)
    .optional()
    .describe("use only the first N of the 8,000 training digits"),
  testSize: z.int().min(1).max(MNIST_TEST_COUNT).optional().describe("use only the first N of the 2,000 test digits"),
});
export type MnistRowsConfig = z.infer<typeof mnistRowsConfigSchema>;

export const mnistRowsShape: TaskShape = {
  inputSize: ROWS * COLS,
  classes: 10,
  sequence: { steps: ROWS, features: COLS },
  featureRange: { min: 0, max: 1 },
};

/** The row-sequence MNIST task. The RNG is not used: the split is fixed. */
export function mnistRowsTask(config: MnistRowsConfig, _rng?: Rng): Task {
  const { train, test } = loadMnistSplit();
  const tr = takeFirst(train, config.trainSize, ROWS * COLS);
  const te = takeFirst(test, config.testSize, ROWS * COLS);
  return {
    name: "mnist-rows",
    description: `MNIST digits read row by row (28 steps × 28 pixels), same split as mnist (${tr.count} train / ${te.count} test)`,
    shape: mnistRowsShape,
    train: tr,
    test: te,
  };
}
