/**
 * The unit table against Brian2's own (tests/fixtures/brian2/units.py dumps
 * brian2.core.namespace.DEFAULT_UNITS from Debian's python3-brian): the same
 * 1,710 names, each with the same dimension and SI value (to 1e-12
 * relative: Brian2's values are float64 products of prefixes). And the
 * model's unit system: each unit's value there is an exact power of ten, so
 * mV, ms, nS, pA, pF, um, mM are exactly 1.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatDimension, modelValue, siToModel, unitTable } from "../src/snn/equations/units.js";
import { PYTHON, pythonReference, requireReference } from "./helpers/python-reference.js";

const script = fileURLToPath(new URL("./fixtures/brian2/units.py", import.meta.url));
const brian2 = pythonReference("brian2", "python3-brian");

describe("units", () => {
  it.skipIf(brian2.skip)(`has exactly Brian2's default unit names, dimensions and values${brian2.why}`, () => {
    requireReference(brian2);
    const run = spawnSync(PYTHON, [script], { encoding: "utf8", timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const ref = JSON.parse(run.stdout.trim().split("\n").pop()!) as {
      units: Record<string, { dim: number[]; si: number }>;
    };
    const table = unitTable();
    expect([...table.keys()].sort()).toEqual(Object.keys(ref.units).sort());
    for (const [name, u] of Object.entries(ref.units)) {
      const ours = table.get(name)!;
      expect(ours.dim, name).toEqual(u.dim);
      expect(Math.abs(10 ** ours.log10Si - u.si) / u.si, name).toBeLessThan(1e-12);
    }
  });

  it("puts values in the model's unit system: ms, mV, pA, nS, pF, um, mM are 1", () => {
    const t = unitTable();
    const v = (n: string) => modelValue(t.get(n)!);
    for (const n of ["ms", "mV", "pA", "nS", "pF", "um", "mM", "msecond", "mvolt", "pamp", "nsiemens"]) {
      expect(v(n), n).toBe(1);
    }
    expect(v("second")).toBe(1000);
    expect(v("volt")).toBe(1000);
    expect(v("Hz")).toBe(0.001);
    expect(v("kHz")).toBe(1);
    expect(v("nA")).toBe(1000);
    expect(v("Mohm")).toBe(0.001); // GΩ is the model's resistance unit
    expect(v("cm2")).toBe(1e8);
    expect(siToModel(0.01, t.get("second")!.dim)).toBe(10);
  });

  it("names dimensions as a reader knows them", () => {
    const t = unitTable();
    expect(formatDimension(t.get("volt")!.dim)).toBe("volt");
    expect(formatDimension(t.get("Hz")!.dim)).toBe("hertz");
    expect(formatDimension(t.get("radian")!.dim)).toBe("1");
    expect(formatDimension(t.get("kelvin2")!.dim)).toBe("K^2");
  });
});
