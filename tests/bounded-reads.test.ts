/**
 * Bounded, typed reads. References: POSIX file types (a FIFO with no writer
 * blocks an ordinary open; /dev/zero never ends), RFC 1952 (a gzip file may
 * hold several members, decompressed one after the other, which is how a
 * small file is built here to inflate to gigabytes), and the IDX layout
 * (magic, dims, data: the header fixes the size). Every file is real: written
 * in a temporary folder, made with mkfifo, or the system's /dev/zero.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../src/core/errors.js";
import { READ_LIMITS, readRegularFile } from "../src/core/read-file.js";
import { loadAnyScenario } from "../src/scenario/load.js";
import { idxTask, readIdx, readIdxDataset, readIdxHeader, readIdxImages } from "../src/tasks/idx.js";

const dir = mkdtempSync(join(tmpdir(), "neurocompare-reads-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");

function idxBytes(dims: number[], data: Uint8Array | number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

function write(name: string, bytes: Buffer | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function fifo(name: string): string {
  const p = join(dir, name);
  execFileSync("mkfifo", [p]);
  return p;
}

function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected a UserError");
}

const hasDevZero = existsSync("/dev/zero");

describe("readRegularFile", () => {
  it("reads a regular file whole", () => {
    const p = write("small.txt", "hello");
    expect(readRegularFile(p, { what: "file", maxBytes: 10 }).toString()).toBe("hello");
  });

  it("refuses a file over the limit before reading it, naming both sizes", () => {
    const p = write("big.txt", "x".repeat(2048));
    const e = userError(() => readRegularFile(p, { what: "scenario file", maxBytes: 1024 }));
    expect(e.code).toBe("E_FILE_TOO_LARGE");
    expect(e.message).toContain("2.0 KiB");
    expect(e.message).toContain("1.0 KiB");
  });

  it.runIf(hasDevZero)("refuses /dev/zero (a device that never ends) at once", () => {
    const e = userError(() => readRegularFile("/dev/zero", { what: "scenario file", maxBytes: READ_LIMITS.scenario }));
    expect(e.code).toBe("E_FILE_UNREADABLE");
    expect(e.message).toContain("character device");
  });

  it("refuses a FIFO without waiting for a writer", () => {
    const p = fifo("pipe.json");
    const e = userError(() => readRegularFile(p, { what: "scenario file", maxBytes: READ_LIMITS.scenario }));
    expect(e.message).toContain("FIFO");
  });

  it("refuses a folder and names a missing file", () => {
    expect(userError(() => readRegularFile(dir, { what: "scenario file", maxBytes: 10 })).message).toContain(
      "directory",
    );
    expect(userError(() => readRegularFile(join(dir, "none"), { what: "scenario file", maxBytes: 10 })).code).toBe(
      "E_FILE_NOT_FOUND",
    );
  });

  it("scenario loading goes through it: a FIFO, /dev/zero and an oversized file are refused", () => {
    expect(userError(() => loadAnyScenario(fifo("s.json"))).message).toContain("FIFO");
    if (hasDevZero) expect(userError(() => loadAnyScenario("/dev/zero")).message).toContain("character device");
    const huge = write("huge.json", Buffer.alloc(READ_LIMITS.scenario + 1, 0x20));
    expect(userError(() => loadAnyScenario(huge)).code).toBe("E_FILE_TOO_LARGE");
  });

  it("the CLI answers a FIFO given as the scenario with exit 2 instead of hanging", () => {
    const p = fifo("cli.json");
    const r = spawnSync(process.execPath, [cli, "validate", p], { encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("FIFO");
  });
});

describe("IDX reads", () => {
  it("reads the header alone: dimensions and the exact decompressed size", () => {
    const h = readIdxHeader(write("h.gz", gzipSync(idxBytes([2, 3, 4], new Uint8Array(24)))));
    expect(h.dims).toEqual([2, 3, 4]);
    expect(h.gzip).toBe(true);
    expect(h.totalBytes).toBe(16 + 24);
  });

  it.runIf(hasDevZero)("refuses /dev/zero and a FIFO as IDX files", () => {
    expect(userError(() => readIdx("/dev/zero")).message).toContain("character device");
    expect(userError(() => readIdx(fifo("pipe.idx"))).message).toContain("FIFO");
  });

  it("stops a gzip bomb at the size its header promises", () => {
    // One member with a header promising 10 images of 28×28 (7,856 bytes), then 6,400 members
    // of 1 MiB of zeros each: a 6.5 MB file that would inflate to 6.4 GiB.
    const megabyte = gzipSync(Buffer.alloc(1024 * 1024));
    const head = gzipSync(idxBytes([10, 28, 28], new Uint8Array(0)));
    const bomb = write("bomb.idx.gz", Buffer.concat([head, ...Array<Buffer>(6400).fill(megabyte)]));
    const before = process.memoryUsage().arrayBuffers;
    const e = userError(() => readIdx(bomb));
    expect(e.code).toBe("E_DATA_INVALID");
    expect(e.message).toContain("inflates to more than the 7856 bytes");
    // The bound holds in memory too: far below the gigabytes the file would inflate to.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(256 * 1024 * 1024);
  });

  it("a gzip file exactly as long as its header promises reads whole", () => {
    const data = Uint8Array.from({ length: 24 }, (_, i) => i * 10);
    const a = readIdx(write("exact.gz", gzipSync(idxBytes([2, 3, 4], data))));
    expect(Array.from(a.data)).toEqual(Array.from(data));
  });

  it("refuses 0 images and 0×0 images before any training", () => {
    expect(userError(() => readIdxImages(write("zero.idx", idxBytes([0, 28, 28], [])))).message).toContain(
      "at least one image, found 0",
    );
    expect(userError(() => readIdxImages(write("empty.idx", idxBytes([5, 0, 0], [])))).message).toContain(
      "at least 1×1 pixels, found 0×0",
    );
  });

  it("refuses a header that declares more data than any IDX file may hold", () => {
    const e = userError(() => readIdx(write("vast.idx", idxBytes([65536, 65536, 2], []))));
    expect(e.code).toBe("E_FILE_TOO_LARGE");
  });

  const dataset = (name: string, labels: number[]) => {
    const images = write(`${name}-img.idx`, idxBytes([labels.length, 2, 2], new Uint8Array(4 * labels.length)));
    return readIdxDataset(images, write(`${name}-lab.idx`, idxBytes([labels.length], labels)));
  };

  it("a stray label 255 among digits is refused, not read as 256 classes", () => {
    const train = dataset("stray", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255]);
    const test = dataset("stray-test", [0, 1]);
    const e = userError(() => idxTask("t", "", train, test, { where: "train.idx" }));
    expect(e.message).toContain("run up to 255");
    expect(e.message).toContain("245 of them never occur (10, 11, 12, 13, 14, ...)");
    // With the class count given, the same label is named with its sample.
    const e2 = userError(() => idxTask("t", "", train, test, { where: "train.idx", classes: 10 }));
    expect(e2.message).toContain("train label 255 (sample 10) is not below the number of classes, 10");
  });

  it("a test label outside the training classes is refused", () => {
    const train = dataset("tr", [0, 1, 0, 1]);
    const test = dataset("te", [0, 2]);
    expect(userError(() => idxTask("t", "", train, test, { where: "x" })).message).toContain("test label 2 (sample 1)");
  });

  it("labels that cover every class are accepted", () => {
    const task = idxTask("t", "", dataset("ok", [0, 1, 2, 1]), dataset("ok-t", [2, 0]), { where: "x" });
    expect(task.shape.classes).toBe(3);
  });
});
