/**
 * IDX files (the format of LeCun's MNIST and of Fashion-MNIST), plain or
 * gzip-compressed (detected by the gzip magic bytes, not the file name).
 *
 * Layout: two zero bytes, a type byte (0x08 = unsigned byte, the only one
 * image datasets use and the only one read here), a byte with the number of
 * dimensions, then each dimension as a big-endian uint32, then the data.
 * Images are [count, rows, cols] and become Float32 in 0..1 (value / 255);
 * labels are [count].
 */
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { UserError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import { takeFirst } from "./mnist.js";
import type { Dataset, Task } from "./task.js";

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  8: "unsigned byte",
  9: "signed byte",
  11: "int16",
  12: "int32",
  13: "float32",
  14: "float64",
};

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, "0")}`;
}

/** Reads an IDX file of unsigned bytes. Throws a UserError naming the file and the problem. */
export function readIdx(file: string): IdxArray {
  if (!existsSync(file)) throw new UserError("E_DATA_MISSING", `${file}: IDX file not found`);
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new UserError("E_DATA_MISSING", `${file}: cannot read IDX file (${(e as Error).message})`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new UserError("E_DATA_INVALID", `${file}: gzip data is corrupt (${(e as Error).message})`);
    }
  }
  if (buf.length < 4)
    throw new UserError("E_DATA_INVALID", `${file}: too short for an IDX header (${buf.length} bytes)`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: not an IDX file: the magic number must start with two zero bytes, found ${hex(buf[0]!)} ${hex(buf[1]!)}`,
    );
  }
  const type = buf[2]!;
  if (type !== 0x08) {
    const name = TYPE_NAMES[type];
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: IDX data type ${hex(type)}${name ? ` (${name})` : " (unknown)"} is not supported; expected 0x08 (unsigned byte)`,
    );
  }
  const rank = buf[3]!;
  if (rank === 0) throw new UserError("E_DATA_INVALID", `${file}: IDX header declares 0 dimensions`);
  const headerLen = 4 + 4 * rank;
  if (buf.length < headerLen) {
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: IDX header declares ${rank} dimensions but the file ends after ${buf.length} bytes`,
    );
  }
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = buf.readUInt32BE(4 + 4 * i);
    dims.push(d);
    size *= d;
  }
  const have = buf.length - headerLen;
  if (have !== size) {
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: IDX dimensions [${dims.join(", ")}] need ${size} data bytes, found ${have}`,
    );
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + headerLen, size) };
}

/** Images [count, rows, cols] → Float32 0..1, sample-major, row-major. */
export function readIdxImages(file: string): { x: Float32Array; count: number; height: number; width: number } {
  const a = readIdx(file);
  if (a.dims.length !== 3) {
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: expected images with 3 dimensions [count, rows, cols], found [${a.dims.join(", ")}]`,
    );
  }
  const x = new Float32Array(a.data.length);
  const s = 1 / 255;
  for (let i = 0; i < x.length; i++) x[i] = a.data[i]! * s;
  return { x, count: a.dims[0]!, height: a.dims[1]!, width: a.dims[2]! };
}

/** Labels [count] → Int32. */
export function readIdxLabels(file: string): Int32Array {
  const a = readIdx(file);
  if (a.dims.length !== 1) {
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: expected labels with 1 dimension [count], found [${a.dims.join(", ")}]`,
    );
  }
  return Int32Array.from(a.data);
}

export interface IdxDataset extends Dataset {
  readonly height: number;
  readonly width: number;
  /** Largest label + 1. */
  readonly classes: number;
}

/** An images file and its labels file; their counts must agree. */
export function readIdxDataset(imagesPath: string, labelsPath: string): IdxDataset {
  const img = readIdxImages(imagesPath);
  const y = readIdxLabels(labelsPath);
  if (y.length !== img.count) {
    throw new UserError(
      "E_DATA_INVALID",
      `${labelsPath}: ${y.length} labels, but ${imagesPath} holds ${img.count} images`,
    );
  }
  let maxLabel = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > maxLabel) maxLabel = y[i]!;
  return { x: img.x, y, count: img.count, height: img.height, width: img.width, classes: maxLabel + 1 };
}

const idxFilesSchema = z.strictObject({
  imagesPath: z.string().min(1).describe("IDX images file (optionally gzip), relative to the working directory"),
  labelsPath: z.string().min(1).describe("IDX labels file (optionally gzip)"),
});

export const idxConfigSchema = z.strictObject({
  type: z.literal("idx"),
  name: z.string().min(1).default("idx").describe("task label in results"),
  train: idxFilesSchema,
  test: idxFilesSchema,
  classes: z.int().min(2).max(1000).optional().describe("number of classes; default largest label + 1"),
  trainSize: z.int().min(1).optional().describe("use only the first N training samples"),
  testSize: z.int().min(1).optional().describe("use only the first N test samples"),
});
export type IdxConfig = z.infer<typeof idxConfigSchema>;

/** Builds a task from train and test IDX datasets (shared by `idx` and `fashion-mnist`). */
export function idxTask(
  name: string,
  description: string,
  train: IdxDataset,
  test: IdxDataset,
  opts: { classes?: number | undefined; trainSize?: number | undefined; testSize?: number | undefined; where: string },
): Task {
  if (train.height !== test.height || train.width !== test.width) {
    throw new UserError(
      "E_DATA_INVALID",
      `${opts.where}: train images are ${train.height}×${train.width} but test images are ${test.height}×${test.width}`,
    );
  }
  const found = Math.max(train.classes, test.classes);
  const classes = opts.classes ?? found;
  if (found > classes) {
    throw new UserError("E_DATA_INVALID", `${opts.where}: labels go up to ${found - 1} but classes is ${classes}`);
  }
  const inputSize = train.height * train.width;
  return {
    name,
    description,
    shape: {
      inputSize,
      classes,
      image: { height: train.height, width: train.width, channels: 1 },
      featureRange: { min: 0, max: 1 },
    },
    train: takeFirst(train, opts.trainSize, inputSize),
    test: takeFirst(test, opts.testSize, inputSize),
  };
}

/** The `idx` task: any IDX image dataset on disk. The RNG is not used (the files fix the split). */
export function idxFilesTask(config: IdxConfig, _rng?: Rng): Task {
  const train = readIdxDataset(config.train.imagesPath, config.train.labelsPath);
  const test = readIdxDataset(config.test.imagesPath, config.test.labelsPath);
  return idxTask(config.name, `IDX images from ${config.train.imagesPath} and ${config.test.imagesPath}`, train, test, {
    classes: config.classes,
    trainSize: config.trainSize,
    testSize: config.testSize,
    where: config.train.imagesPath,
  });
}
