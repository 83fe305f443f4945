/**
 * IDX reader. Reference: fixtures written here byte by byte from the format's
 * definition (LeCun's MNIST page: 0x00 0x00, type 0x08, rank, big-endian
 * uint32 dimensions, data), plain and gzip-compressed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../src/core/errors.js";
import {
  idxConfigSchema,
  idxFilesTask,
  readIdx,
  readIdxDataset,
  readIdxImages,
  readIdxLabels,
} from "../src/tasks/idx.js";
import { fashionMnistConfigSchema, fashionMnistTask } from "../src/tasks/fashion-mnist.js";
import { runCli } from "./helpers/cli-capture.js";

const dir = mkdtempSync(join(tmpdir(), "neurocompare-idx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function idxBytes(dims: number[], data: number[], type = 0x08): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = type;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

function write(name: string, bytes: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

// Three 2×3 images with pixel values 0, 51, ..., 255 patterns, and their labels.
const pixels = [0, 255, 51, 102, 153, 204, 255, 0, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60];
const labelValues = [7, 0, 3];

function expectUserError(f: () => unknown, code: string, ...fragments: string[]): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).code).toBe(code);
    for (const s of fragments) expect((e as Error).message).toContain(s);
    return;
  }
  throw new Error("expected a UserError");
}

describe("IDX files", () => {
  it("reads plain images and labels: dims, values / 255, labels", () => {
    const imgs = write("img.idx", idxBytes([3, 2, 3], pixels));
    const labs = write("lab.idx", idxBytes([3], labelValues));
    const a = readIdx(imgs);
    expect(a.dims).toEqual([3, 2, 3]);
    const im = readIdxImages(imgs);
    expect([im.count, im.height, im.width]).toEqual([3, 2, 3]);
    expect(im.x.length).toBe(18);
    expect(im.x[1]).toBe(1);
    expect(im.x[2]).toBeCloseTo(0.2, 6);
    expect(im.x[12]).toBeCloseTo(10 / 255, 6);
    expect(Array.from(readIdxLabels(labs))).toEqual(labelValues);
  });

  it("reads gzip files (detected by their magic bytes) to the same values", () => {
    const plain = readIdxImages(write("img2.idx", idxBytes([3, 2, 3], pixels)));
    const gz = readIdxImages(write("img2.idx.gz", gzipSync(idxBytes([3, 2, 3], pixels))));
    expect(Array.from(gz.x)).toEqual(Array.from(plain.x));
    const ds = readIdxDataset(join(dir, "img2.idx.gz"), write("lab2.gz", gzipSync(idxBytes([3], labelValues))));
    expect(ds.count).toBe(3);
    expect(ds.classes).toBe(8);
  });

  it("names the file and the problem for a bad magic number", () => {
    const bad = idxBytes([3], labelValues);
    bad[0] = 0x12;
    const p = write("bad-magic.idx", bad);
    expectUserError(() => readIdx(p), "E_DATA_INVALID", p, "magic number", "0x12");
  });

  it("rejects unsupported types, truncated data, wrong rank, count mismatches and missing files", () => {
    const f = write("float.idx", idxBytes([2], [0, 0, 0, 0, 0, 0, 0, 0], 0x0d));
    expectUserError(() => readIdx(f), "E_DATA_INVALID", "0x0d", "float32");
    const t = write("short.idx", idxBytes([3, 2, 3], pixels.slice(0, 10)));
    expectUserError(() => readIdx(t), "E_DATA_INVALID", t, "18 data bytes, found 10");
    const l = write("labels-as-images.idx", idxBytes([3], labelValues));
    expectUserError(() => readIdxImages(l), "E_DATA_INVALID", "3 dimensions");
    const two = write("two-labels.idx", idxBytes([2], [1, 2]));
    expectUserError(() => readIdxDataset(join(dir, "img.idx"), two), "E_DATA_INVALID", "2 labels", "3 images");
    const missing = join(dir, "nope.idx");
    expectUserError(() => readIdx(missing), "E_DATA_MISSING", missing);
    const corrupt = write("corrupt.gz", Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    expectUserError(() => readIdx(corrupt), "E_DATA_INVALID", "gzip");
  });

  it("builds an `idx` task with an image shape and first-N limits", () => {
    const config = idxConfigSchema.parse({
      type: "idx",
      train: { imagesPath: join(dir, "img.idx"), labelsPath: join(dir, "lab.idx") },
      test: { imagesPath: join(dir, "img2.idx.gz"), labelsPath: join(dir, "lab2.gz") },
      classes: 10,
      trainSize: 2,
    });
    const task = idxFilesTask(config);
    expect(task.shape.image).toEqual({ height: 2, width: 3, channels: 1 });
    expect(task.shape.classes).toBe(10);
    expect(task.train.count).toBe(2);
    expect(Array.from(task.train.y)).toEqual([7, 0]);
    expect(task.test.count).toBe(3);
  });

  it("fashion-mnist: a missing directory says how to install the data", () => {
    const missingDir = join(dir, "no-fashion");
    expectUserError(
      () => fashionMnistTask(fashionMnistConfigSchema.parse({ type: "fashion-mnist", dir: missingDir })),
      "E_DATA_MISSING",
      missingDir,
      "train-images-idx3-ubyte.gz",
    );
    // The default directory's hint names the Debian package.
    const def = fashionMnistConfigSchema.parse({ type: "fashion-mnist" });
    expect(def.dir).toBe("/usr/share/datasets/fashion-mnist");
  });
});

describe("an idx scenario's file paths", () => {
  // Paths in a scenario file are relative to that file, as a "nir" learner's `path` is: the scenario below
  // names its IDX files by bare names beside it and is validated and run from another working directory
  // (this process's, the repository root), where those names resolve to nothing.
  const cli = (...argv: string[]) => runCli(argv);
  // 24 training and 12 test images of 2×3 pixels, two classes (bright left half or bright right half).
  const images = (n: number) =>
    idxBytes(
      [n, 2, 3],
      Array.from({ length: n * 6 }, (_, i) => ((Math.floor(i / 6) % 2 === 0) === i % 3 < 1 ? 230 : 20)),
    );
  const labels = (n: number) =>
    idxBytes(
      [n],
      Array.from({ length: n }, (_, i) => i % 2),
    );
  const folder = join(dir, "beside");
  mkdirSync(folder);
  writeFileSync(join(folder, "train-images.idx"), images(24));
  writeFileSync(join(folder, "train-labels.idx"), labels(24));
  writeFileSync(join(folder, "test-images.idx"), images(12));
  writeFileSync(join(folder, "test-labels.idx"), labels(12));
  const scenario = (train: string, test: string) => ({
    name: "idx-beside",
    task: {
      type: "idx",
      train: { imagesPath: `${train}images.idx`, labelsPath: `${train}labels.idx` },
      test: { imagesPath: `${test}images.idx`, labelsPath: `${test}labels.idx` },
    },
    learners: [{ type: "mlp", hidden: [4], batchSize: 4 }],
    epochs: 1,
    seeds: [1],
    charts: [],
  });

  it("resolve against the scenario file's folder, not the working directory; absolute paths stay", async () => {
    expect(existsSync("train-images.idx")).toBe(false);
    const file = join(folder, "idx-beside.json");
    writeFileSync(file, JSON.stringify(scenario("train-", "test-")));
    const v = await cli("validate", file);
    expect(v.code, v.output).toBe(0);
    const r = await cli("run", file, "--out", join(dir, "beside-results"), "--jobs", "1", "--quiet");
    expect(r.code, r.output).toBe(0);
    expect(readFileSync(join(dir, "beside-results", "metrics.csv"), "utf8")).toMatch(/^mlp,1,1,testAccuracy,/m);
    // The same files named absolutely, from a scenario in another folder.
    const other = join(dir, "idx-absolute.json");
    writeFileSync(other, JSON.stringify(scenario(join(folder, "train-"), join(folder, "test-"))));
    expect((await cli("validate", other)).code).toBe(0);
    // A name beside nothing is refused at its JSON path, naming the file it looked for beside the scenario.
    writeFileSync(other, JSON.stringify(scenario("train-", "test-")));
    const missing = await cli("validate", other);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain(join(dir, "train-images.idx"));
  }, 60_000);
});
