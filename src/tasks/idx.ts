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
import { constants as zlibConstants, gunzipSync } from "node:zlib";
import { z } from "zod";
import { UserError } from "../core/errors.js";
import { formatBytes, READ_LIMITS, readRegularFile } from "../core/read-file.js";
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

/** Compressed bytes inflated to find the header: at most ~64 MiB out (deflate expands at most ~1032:1). */
const GZIP_HEADER_PREFIX = 64 * 1024;
/** The largest IDX payload read (header + data); a Node Buffer holds at most 2^31 - 1 bytes on every platform. */
export const MAX_IDX_BYTES = 2 ** 31 - 1;

export interface IdxHeader {
  readonly dims: readonly number[];
  readonly headerBytes: number;
  /** headerBytes + the product of dims: the exact size of the (decompressed) file. */
  readonly totalBytes: number;
  readonly gzip: boolean;
}

function readIdxBytes(file: string): Buffer {
  return readRegularFile(file, { what: "IDX file", maxBytes: READ_LIMITS.idx, missingCode: "E_DATA_MISSING" });
}

/** Parses the header at the start of `head` (the file, or its first decompressed bytes). */
function parseHeader(file: string, head: Buffer, complete: boolean, gzip: boolean): IdxHeader {
  const cut = complete ? "the file ends" : "the first decompressed bytes end";
  if (head.length < 4)
    throw new UserError("E_DATA_INVALID", `${file}: too short for an IDX header (${head.length} bytes)`);
  if (head[0] !== 0 || head[1] !== 0) {
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: not an IDX file: the magic number must start with two zero bytes, found ${hex(head[0]!)} ${hex(head[1]!)}`,
    );
  }
  const type = head[2]!;
  if (type !== 0x08) {
    const name = TYPE_NAMES[type];
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: IDX data type ${hex(type)}${name ? ` (${name})` : " (unknown)"} is not supported; expected 0x08 (unsigned byte)`,
    );
  }
  const rank = head[3]!;
  if (rank === 0) throw new UserError("E_DATA_INVALID", `${file}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (head.length < headerBytes) {
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: IDX header declares ${rank} dimensions but ${cut} after ${head.length} bytes`,
    );
  }
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = head.readUInt32BE(4 + 4 * i);
    dims.push(d);
    size *= d;
  }
  const totalBytes = headerBytes + size;
  if (totalBytes > MAX_IDX_BYTES) {
    throw new UserError(
      "E_FILE_TOO_LARGE",
      `${file}: IDX dimensions [${dims.join(", ")}] declare ${formatBytes(size)} of data, more than the ${formatBytes(MAX_IDX_BYTES)} an IDX file may hold`,
    );
  }
  return { dims, headerBytes, totalBytes, gzip };
}

function isGzip(buf: Buffer): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

function gzipError(file: string, e: unknown): UserError {
  return new UserError("E_DATA_INVALID", `${file}: gzip data is corrupt (${(e as Error).message})`);
}

function headerOf(file: string, buf: Buffer): IdxHeader {
  if (!isGzip(buf)) return parseHeader(file, buf, true, false);
  const complete = buf.length <= GZIP_HEADER_PREFIX;
  let head: Buffer;
  try {
    // A prefix, flushed without requiring the end of the stream: enough for any header, bounded in output.
    head = gunzipSync(buf.subarray(0, GZIP_HEADER_PREFIX), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (e) {
    throw gzipError(file, e);
  }
  return parseHeader(file, head, complete, true);
}

/** The header of an IDX file (plain or gzip) without reading its data: dimensions and size. */
export function readIdxHeader(file: string): IdxHeader {
  return headerOf(file, readIdxBytes(file));
}

/**
 * Reads an IDX file of unsigned bytes. A gzip file is inflated only up to the
 * size its header promises (zlib's maxOutputLength), so a small file that
 * would expand to gigabytes (a gzip bomb) is refused at that size. Throws a
 * UserError naming the file and the problem.
 */
export function readIdx(file: string): IdxArray {
  let buf = readIdxBytes(file);
  const header = headerOf(file, buf);
  if (header.gzip) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: header.totalBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
        throw new UserError(
          "E_DATA_INVALID",
          `${file}: gzip data inflates to more than the ${header.totalBytes} bytes its IDX header [${header.dims.join(", ")}] promises; decompression stopped there`,
        );
      }
      throw gzipError(file, e);
    }
  }
  const size = header.totalBytes - header.headerBytes;
  const have = buf.length - header.headerBytes;
  if (have !== size) {
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: IDX dimensions [${header.dims.join(", ")}] need ${size} data bytes, found ${have}`,
    );
  }
  return { dims: header.dims, data: new Uint8Array(buf.buffer, buf.byteOffset + header.headerBytes, size) };
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
  const [count, rows, cols] = a.dims as [number, number, number];
  if (count === 0)
    throw new UserError(
      "E_DATA_INVALID",
      `${file}: expected at least one image, found 0 (dimensions [0, ${rows}, ${cols}])`,
    );
  if (rows === 0 || cols === 0)
    throw new UserError("E_DATA_INVALID", `${file}: expected images of at least 1×1 pixels, found ${rows}×${cols}`);
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
  imagesPath: z
    .string()
    .min(1)
    .describe("IDX images file (optionally gzip), relative to the scenario file (or absolute)"),
  labelsPath: z
    .string()
    .min(1)
    .describe("IDX labels file (optionally gzip), relative to the scenario file (or absolute)"),
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

/** The largest number of classes a dataset's labels may imply when the scenario does not say. */
const MAX_INFERRED_CLASSES = 1000;

/**
 * The class count implied by the training labels (largest + 1), accepted only
 * when every class below it occurs: a stray label (255 in a digits file)
 * would otherwise silently make a 256-class problem with 245 empty classes.
 */
function inferClasses(train: IdxDataset, where: string): number {
  const seen = new Uint8Array(Math.min(train.classes, MAX_INFERRED_CLASSES + 1));
  for (let i = 0; i < train.count; i++) if (train.y[i]! < seen.length) seen[train.y[i]!] = 1;
  const missing: number[] = [];
  for (let c = 0; c < seen.length; c++) if (seen[c] === 0) missing.push(c);
  if (train.classes > MAX_INFERRED_CLASSES || missing.length > 0 || train.classes < 2) {
    const why =
      train.classes < 2
        ? "only one class"
        : train.classes > MAX_INFERRED_CLASSES
          ? `more than ${MAX_INFERRED_CLASSES} classes`
          : `${missing.length} of them never occur (${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""})`;
    throw new UserError(
      "E_DATA_INVALID",
      `${where}: the training labels run up to ${train.classes - 1}, which implies ${train.classes} classes, but ${why}; set the task's "classes" to the number of classes, or correct the labels file`,
    );
  }
  return train.classes;
}

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
  const classes = opts.classes ?? inferClasses(train, opts.where);
  for (const [side, ds] of [
    ["train", train],
    ["test", test],
  ] as const) {
    const k = ds.y.findIndex((label) => label >= classes);
    if (k >= 0) {
      throw new UserError(
        "E_DATA_INVALID",
        `${opts.where}: ${side} label ${ds.y[k]} (sample ${k}) is not below the number of classes, ${classes}${opts.classes === undefined ? " (the largest training label + 1)" : ""}`,
      );
    }
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
