/**
 * A minimal PNG encoder for 8-bit greyscale images (receptive-field grids):
 * signature, IHDR, one zlib-compressed IDAT with filter byte 0 per row, IEND.
 * Chunks carry the CRC-32 of their type and data, as the PNG spec requires.
 */
import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes `pixels` (row-major, width·height bytes, 0 black .. 255 white) as a PNG. */
export function encodeGreyPng(width: number, height: number, pixels: Uint8Array): Buffer {
  if (pixels.length !== width * height) throw new RangeError(`expected ${width * height} pixels, got ${pixels.length}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: greyscale
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/**
 * Tiles `count` images of width×height (floats) into a near-square grid, each
 * scaled to its own [min, max] (as receptive-field plots are), with a 1-pixel
 * white border, then magnified by `zoom` for legibility.
 */
export function tileImages(
  data: Float32Array,
  width: number,
  height: number,
  count: number,
  zoom = 3,
): { width: number; height: number; pixels: Uint8Array } {
  const cols = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / cols);
  const cellW = width + 1;
  const cellH = height + 1;
  const W = (cols * cellW + 1) * zoom;
  const H = (rows * cellH + 1) * zoom;
  const px = new Uint8Array(W * H).fill(255);
  for (let k = 0; k < count; k++) {
    const off = k * width * height;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < width * height; i++) {
      const v = data[off + i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const span = max > min ? max - min : 1;
    const x0 = ((k % cols) * cellW + 1) * zoom;
    const y0 = (Math.floor(k / cols) * cellH + 1) * zoom;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        // Strong weights dark, as ink on paper.
        const g = Math.round(255 * (1 - (data[off + y * width + x]! - min) / span));
        for (let dy = 0; dy < zoom; dy++)
          px.fill(g, (y0 + y * zoom + dy) * W + x0 + x * zoom, (y0 + y * zoom + dy) * W + x0 + (x + 1) * zoom);
      }
    }
  }
  return { width: W, height: H, pixels: px };
}
