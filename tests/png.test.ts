// References: the PNG specification (signature, IHDR layout, CRC-32 of each
// chunk; the empty IEND chunk's CRC is the well-known AE 42 60 82) and zlib.
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, encodeGreyPng, tileImages } from "../src/report/png.js";

describe("PNG encoder", () => {
  it("computes CRC-32 as the PNG spec does", () => {
    expect(crc32(Buffer.from("IEND", "ascii"))).toBe(0xae426082);
    expect(crc32(Buffer.from("123456789", "ascii"))).toBe(0xcbf43926); // the standard check value
  });

  it("writes a greyscale image whose pixels inflate back exactly", () => {
    const pixels = Uint8Array.from([0, 50, 100, 150, 200, 250]);
    const png = encodeGreyPng(3, 2, pixels);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.toString("ascii", 12, 16)).toBe("IHDR");
    expect(png.readUInt32BE(16)).toBe(3);
    expect(png.readUInt32BE(20)).toBe(2);
    const idatLen = png.readUInt32BE(33);
    expect(png.toString("ascii", 37, 41)).toBe("IDAT");
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect([...raw]).toEqual([0, 0, 50, 100, 0, 150, 200, 250]); // filter byte 0 before each row
    expect(png.readUInt32BE(41 + idatLen)).toBe(crc32(png.subarray(37, 41 + idatLen)));
    expect([...png.subarray(png.length - 4)]).toEqual([0xae, 0x42, 0x60, 0x82]);
  });

  it("tiles images into a grid, darkest where the weight is largest", () => {
    const data = Float32Array.from([0, 1, 0, 0, /* second */ 0, 0, 0, 1]);
    const g = tileImages(data, 2, 2, 2, 1);
    expect(g.width).toBe(2 * 3 + 1);
    expect(g.height).toBe(1 * 3 + 1);
    expect(g.pixels[1 * g.width + 2]).toBe(0); // image 0, pixel (1,0): the max -> black
    expect(g.pixels[1 * g.width + 1]).toBe(255); // image 0, pixel (0,0): the min -> white
  });
});
