/**
 * Physical units for equation models, used at parse time only (a step never
 * sees a unit). A dimension is the vector of exponents of the seven SI base
 * quantities, in Brian2's order: metre, kilogram, second, ampere, kelvin,
 * mole, candela.
 *
 * The unit names are Brian2's default namespace (brian2.core.namespace
 * DEFAULT_UNITS): every SI base and derived unit with its long name (volt,
 * amp, siemens, farad, ohm, hertz, ...), each with the SI prefixes y z a f p
 * n u m k M G T P E Z Y (litre also c d da h), each also squared and cubed
 * (metre2, umetre3; the litre has no powers), and the short names of
 * brian2.units.stdunits (mV, ms, nS, pA, pF, uF, Hz, kHz, um, cm2, mM, ...;
 * not "mS", which Brian2's namespace leaves out).
 * tests/units.test.ts checks every one of Brian2's 1,710 names against this
 * table (dimension and value).
 *
 * The model's unit system. Brian2 converts every quantity to SI (volts,
 * seconds); this project's step functions run in
 *
 *   ms, mV, pA, nS, pF, GΩ (= mV/pA), µm, mM (amount in amol), kHz (= 1/ms)
 *
 * which is coherent: nS·mV = pA, pF·mV/ms = pA, mV/GΩ = pA, so equations need
 * no conversion factors, and the numbers are the ones neuroscientists write
 * (-65 mV, 20 ms). A quantity of SI value x and dimension d becomes
 * x / modelScale(d). Every unit is an exact power of ten in SI, and so is
 * modelScale, so a unit's model value is computed as one power of ten and
 * read back exactly: mV is 1, second is 1000, Hz is 0.001.
 */

/** Exponents of metre, kilogram, second, ampere, kelvin, mole, candela. */
export type Dimension = readonly number[];

export const DIMENSIONLESS: Dimension = [0, 0, 0, 0, 0, 0, 0];
const SECOND: Dimension = [0, 0, 1, 0, 0, 0, 0];

export interface UnitDef {
  dim: Dimension;
  /** log10 of the unit's value in SI (integral for every named unit). */
  log10Si: number;
}

/**
 * log10 of one model unit of each base quantity in SI: µm, 1e-12 kg (so that
 * kg·m²·s⁻³·A⁻¹ is a mV), ms, pA, K, 1e-18 mol (so that mol/m³ is a mM), cd.
 */
const MODEL_BASE_LOG10 = [-6, -12, -3, -12, 0, -18, 0] as const;

export function dimMul(a: Dimension, b: Dimension): Dimension {
  return a.map((x, k) => x + b[k]!);
}

export function dimDiv(a: Dimension, b: Dimension): Dimension {
  return a.map((x, k) => x - b[k]!);
}

export function dimPow(a: Dimension, p: number): Dimension {
  return a.map((x) => x * p);
}

export function dimEqual(a: Dimension, b: Dimension): boolean {
  return a.every((x, k) => Math.abs(x - b[k]!) < 1e-12);
}

export function isDimensionless(a: Dimension): boolean {
  return dimEqual(a, DIMENSIONLESS);
}

/** The time dimension (second). */
export function timeDimension(): Dimension {
  return SECOND;
}

/** 10^k, correctly rounded (the decimal literal "1ek" read by the JavaScript parser). */
function powerOfTen(k: number): number {
  return Number.isInteger(k) ? Number(`1e${k}`) : 10 ** k;
}

/** log10 of one model unit of dimension `d`, in SI. */
function modelLog10(d: Dimension): number {
  return d.reduce((s, x, k) => s + x * MODEL_BASE_LOG10[k]!, 0);
}

/** The value, in the model's unit system, of one `unit`. */
export function modelValue(unit: UnitDef): number {
  return powerOfTen(unit.log10Si - modelLog10(unit.dim));
}

/** A model-unit value of dimension `d`, in SI. */
export function modelToSi(x: number, d: Dimension): number {
  return x * powerOfTen(modelLog10(d));
}

/** An SI value of dimension `d`, in the model's unit system. */
export function siToModel(x: number, d: Dimension): number {
  return x / powerOfTen(modelLog10(d));
}

/** The unprefixed units, as Brian2 names them, with their dimensions. */
const BASE: readonly {
  names: readonly string[];
  dim: Dimension;
  log10Si?: number;
  /** The litre: also c, d, da, h, and no squared or cubed names. */
  litre?: boolean;
}[] = [
  { names: ["metre", "meter"], dim: [1, 0, 0, 0, 0, 0, 0] },
  { names: ["gram", "gramme"], dim: [0, 1, 0, 0, 0, 0, 0], log10Si: -3 },
  { names: ["second"], dim: [0, 0, 1, 0, 0, 0, 0] },
  { names: ["amp", "ampere"], dim: [0, 0, 0, 1, 0, 0, 0] },
  { names: ["mole", "mol"], dim: [0, 0, 0, 0, 0, 1, 0] },
  { names: ["candle"], dim: [0, 0, 0, 0, 0, 0, 1] },
  { names: ["radian", "steradian"], dim: [0, 0, 0, 0, 0, 0, 0] },
  { names: ["hertz", "becquerel"], dim: [0, 0, -1, 0, 0, 0, 0] },
  { names: ["newton"], dim: [1, 1, -2, 0, 0, 0, 0] },
  { names: ["pascal"], dim: [-1, 1, -2, 0, 0, 0, 0] },
  { names: ["joule"], dim: [2, 1, -2, 0, 0, 0, 0] },
  { names: ["watt"], dim: [2, 1, -3, 0, 0, 0, 0] },
  { names: ["coulomb"], dim: [0, 0, 1, 1, 0, 0, 0] },
  { names: ["volt"], dim: [2, 1, -3, -1, 0, 0, 0] },
  { names: ["farad"], dim: [-2, -1, 4, 2, 0, 0, 0] },
  { names: ["ohm"], dim: [2, 1, -3, -2, 0, 0, 0] },
  { names: ["siemens"], dim: [-2, -1, 3, 2, 0, 0, 0] },
  { names: ["weber"], dim: [2, 1, -2, -1, 0, 0, 0] },
  { names: ["tesla"], dim: [0, 1, -2, -1, 0, 0, 0] },
  { names: ["henry"], dim: [2, 1, -2, -2, 0, 0, 0] },
  { names: ["lumen"], dim: [0, 0, 0, 0, 0, 0, 1] },
  { names: ["lux"], dim: [-2, 0, 0, 0, 0, 0, 1] },
  { names: ["gray", "sievert"], dim: [2, 0, -2, 0, 0, 0, 0] },
  { names: ["katal"], dim: [0, 0, -1, 0, 0, 1, 0] },
  { names: ["liter", "litre"], dim: [3, 0, 0, 0, 0, 0, 0], log10Si: -3, litre: true },
  { names: ["molar"], dim: [-3, 0, 0, 0, 0, 1, 0], log10Si: 3 },
];

const PREFIXES: Readonly<Record<string, number>> = {
  y: -24,
  z: -21,
  a: -18,
  f: -15,
  p: -12,
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
  Z: 21,
  Y: 24,
};
/** Prefixes Brian2 gives only to the litre. */
const EXTRA_PREFIXES: Readonly<Record<string, number>> = { c: -2, d: -1, da: 1, h: 2 };

/** The short names of brian2.units.stdunits that Brian2's namespace holds, as (name, long name). */
const SHORT: readonly (readonly [string, string])[] = [
  ["mV", "mvolt"],
  ["mA", "mamp"],
  ["uA", "uamp"],
  ["nA", "namp"],
  ["pA", "pamp"],
  ["pF", "pfarad"],
  ["uF", "ufarad"],
  ["nF", "nfarad"],
  ["nS", "nsiemens"],
  ["uS", "usiemens"],
  ["ms", "msecond"],
  ["us", "usecond"],
  ["Hz", "hertz"],
  ["kHz", "khertz"],
  ["MHz", "Mhertz"],
  ["cm", "metre"],
  ["cm2", "metre2"],
  ["cm3", "metre3"],
  ["mm", "mmetre"],
  ["mm2", "mmetre2"],
  ["mm3", "mmetre3"],
  ["um", "umetre"],
  ["um2", "umetre2"],
  ["um3", "umetre3"],
  ["mM", "mmolar"],
  ["uM", "umolar"],
  ["nM", "nmolar"],
];

let table: ReadonlyMap<string, UnitDef> | undefined;

/** Every unit name an equation may use, built on first use. */
export function unitTable(): ReadonlyMap<string, UnitDef> {
  if (table !== undefined) return table;
  const t = new Map<string, UnitDef>();
  const add = (name: string, dim: Dimension, log10Si: number, powers = true): void => {
    for (const p of powers ? [1, 2, 3] : [1])
      t.set(p === 1 ? name : `${name}${p}`, { dim: dimPow(dim, p), log10Si: log10Si * p });
  };
  for (const b of BASE) {
    const base = b.log10Si ?? 0;
    for (const name of b.names) {
      add(name, b.dim, base, !b.litre);
      const prefixes = b.litre ? { ...PREFIXES, ...EXTRA_PREFIXES } : PREFIXES;
      for (const [p, k] of Object.entries(prefixes)) add(`${p}${name}`, b.dim, base + k, !b.litre);
    }
  }
  // kilogram is the SI base unit itself; kelvin takes no prefix.
  for (const name of ["kilogram", "kilogramme"]) add(name, [0, 1, 0, 0, 0, 0, 0], 0);
  add("kelvin", [0, 0, 0, 0, 1, 0, 0], 0);
  for (const [short, long] of SHORT) {
    // "cm" is centi-metre, which Brian2 names only in its short form.
    const def = short.startsWith("cm") ? { ...t.get(long)!, log10Si: -2 * Number(short.slice(2) || 1) } : t.get(long)!;
    t.set(short, def);
  }
  table = t;
  return t;
}

/** Named dimensions for messages, most familiar first. */
const NAMED: readonly (readonly [string, Dimension])[] = [
  ["volt", [2, 1, -3, -1, 0, 0, 0]],
  ["amp", [0, 0, 0, 1, 0, 0, 0]],
  ["second", [0, 0, 1, 0, 0, 0, 0]],
  ["siemens", [-2, -1, 3, 2, 0, 0, 0]],
  ["farad", [-2, -1, 4, 2, 0, 0, 0]],
  ["ohm", [2, 1, -3, -2, 0, 0, 0]],
  ["hertz", [0, 0, -1, 0, 0, 0, 0]],
  ["metre", [1, 0, 0, 0, 0, 0, 0]],
  ["kilogram", [0, 1, 0, 0, 0, 0, 0]],
  ["coulomb", [0, 0, 1, 1, 0, 0, 0]],
  ["mole", [0, 0, 0, 0, 0, 1, 0]],
  ["molar", [-3, 0, 0, 0, 0, 1, 0]],
  ["kelvin", [0, 0, 0, 0, 1, 0, 0]],
  ["candle", [0, 0, 0, 0, 0, 0, 1]],
  ["joule", [2, 1, -2, 0, 0, 0, 0]],
  ["watt", [2, 1, -3, 0, 0, 0, 0]],
];

const BASE_SYMBOLS = ["m", "kg", "s", "A", "K", "mol", "cd"];

/** A dimension as a reader knows it: "volt", "volt/second", "siemens/metre^2", or base units "m^2 kg s^-3 A^-1". */
export function formatDimension(d: Dimension): string {
  if (isDimensionless(d)) return "1";
  for (const [name, n] of NAMED) if (dimEqual(d, n)) return name;
  for (const [name, n] of NAMED) {
    for (const [other, o] of NAMED.slice(0, 8)) {
      if (other === name) continue;
      for (const p of [1, 2]) {
        const suffix = p === 1 ? other : `${other}^${p}`;
        if (dimEqual(d, dimDiv(n, dimPow(o, p)))) return `${name}/${suffix}`;
      }
    }
  }
  return d
    .map((x, k) => (x === 0 ? "" : x === 1 ? BASE_SYMBOLS[k] : `${BASE_SYMBOLS[k]}^${x}`))
    .filter((s) => s !== "")
    .join(" ");
}
