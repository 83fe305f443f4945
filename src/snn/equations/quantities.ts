/**
 * Units in an equation model, resolved at parse time (model.ts calls
 * `resolveUnits` once the text is parsed; nothing here runs in a step).
 *
 * A model is "written with units" when any expression (equations,
 * parameters, threshold, reset, refractory) names a unit: `-50*mV`, `20*ms`,
 * `(v**2)/ms`. Then, as in Brian2:
 *   - every differential equation, subexpression and per-neuron variable
 *     declares its unit after ":" with a base unit (`volt`, `amp`,
 *     `siemens/metre**2`, `Hz`, `1`; `mV` is refused: use `volt`);
 *   - a parameter given as a number is dimensionless; one with a unit is a
 *     string expression (`"20*ms"`, `"C/gL"`, `"VT + 5*DeltaT"`), which may
 *     use other parameters;
 *   - dimensions are checked everywhere and a mismatch names the terms
 *     (dimensions.ts);
 *   - each unit in an expression becomes its value in the model's unit
 *     system (units.ts: ms, mV, pA, nS, ...), so `-50*mV` is -50 and
 *     `0.01*second` is 10; parameters are converted the same way.
 * A model with no unit anywhere is read as before: numbers are in the
 * model's unit system and the declarations after ":" are documentation.
 *
 * The declared unit fixes only the dimension of a variable: its value is
 * stored in the model's unit system (v in mV for `: volt`).
 */
import type { MathNode } from "mathjs";
import { math } from "./math.js";
import { DimensionMismatch, analyse, children, type NameLookup, type Quantity } from "./dimensions.js";
import {
  DIMENSIONLESS,
  dimDiv,
  dimEqual,
  formatDimension,
  isDimensionless,
  modelToSi,
  modelValue,
  timeDimension,
  unitTable,
  type Dimension,
} from "./units.js";

export interface UnitModel<S> {
  differential: readonly { name: string; expr: MathNode; unit: string | undefined; source: S }[];
  /** In dependency order. */
  subexpressions: readonly { name: string; expr: MathNode; unit: string | undefined; source: S }[];
  perNeuron: readonly { name: string; unit: string | undefined; source: S }[];
  /** Parameters given as numbers. */
  numbers: Readonly<Record<string, number>>;
  /** Parameters given as expressions. */
  expressions: readonly { name: string; expr: MathNode; source: S }[];
  threshold: { expr: MathNode; source: S };
  reset: readonly { target: string; op: string; expr: MathNode; source: S }[];
  refractory: { expr: MathNode; source: S } | undefined;
}

export interface ResolvedUnits {
  /** Whether the model is written with units (and was checked). */
  withUnits: boolean;
  /** Every parameter's value in the model's unit system. */
  parameters: Record<string, number>;
  /** The refractory expression's value in ms, if one was given. */
  refractoryMs: number | undefined;
  /** An expression with each unit replaced by its value in the model's unit system. */
  convert(expr: MathNode): MathNode;
}

type Fail<S> = (source: S, message: string) => Error;

/** Names an expression refers to, function names excluded (iterative walk). */
function namesIn(root: MathNode): Set<string> {
  const out = new Set<string>();
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === "SymbolNode") out.add((n as MathNode & { name: string }).name);
    stack.push(...children(n));
  }
  return out;
}

const BUILTIN_DIMENSIONS: Readonly<Record<string, { dim: Dimension; value: number | undefined }>> = {
  t: { dim: timeDimension(), value: undefined },
  dt: { dim: timeDimension(), value: undefined },
  i: { dim: DIMENSIONLESS, value: undefined },
  N: { dim: DIMENSIONLESS, value: undefined },
  pi: { dim: DIMENSIONLESS, value: Math.PI },
  e: { dim: DIMENSIONLESS, value: Math.E },
  inf: { dim: DIMENSIONLESS, value: Number.POSITIVE_INFINITY },
};

/** A built-in name's dimension (own keys only: a name such as "constructor" is not one). */
function builtin(name: string): { dim: Dimension; value: number | undefined } | undefined {
  return Object.hasOwn(BUILTIN_DIMENSIONS, name) ? BUILTIN_DIMENSIONS[name] : undefined;
}

/** Checks and converts the units of a parsed model; throws `fail(source, message)` at the first problem. */
export function resolveUnits<S>(m: UnitModel<S>, fail: Fail<S>): ResolvedUnits {
  const units = unitTable();
  const modelNames = new Set<string>([
    ...m.differential.map((d) => d.name),
    ...m.subexpressions.map((s) => s.name),
    ...m.perNeuron.map((p) => p.name),
    ...Object.keys(m.numbers),
    ...m.expressions.map((p) => p.name),
    ...Object.keys(BUILTIN_DIMENSIONS),
  ]);
  const isUnit = (name: string): boolean => !modelNames.has(name) && units.has(name);

  // Is the model written with units? The first unit found is named in messages.
  const all: { expr: MathNode; source: S }[] = [
    ...m.differential,
    ...m.subexpressions,
    ...m.expressions,
    m.threshold,
    ...m.reset,
    ...(m.refractory !== undefined ? [m.refractory] : []),
  ];
  let firstUnit: string | undefined;
  for (const x of all) {
    firstUnit = [...namesIn(x.expr)].find(isUnit);
    if (firstUnit !== undefined) break;
  }
  const withUnits = firstUnit !== undefined;

  /** A hint for a mismatch in `expr` when it uses parameters given as plain numbers in a model with units. */
  const hint = (expr: MathNode): string => {
    if (!withUnits) return "";
    const plain = [...namesIn(expr)].filter((n) => Object.hasOwn(m.numbers, n));
    return plain.length === 0
      ? ""
      : ` (parameters given as numbers are dimensionless: ${plain.map((n) => `"${n}"`).join(", ")}; give a unit as a string, e.g. "${plain[0]}": "10*ms")`;
  };
  const wrap = <T>(source: S, f: () => T, expr?: MathNode): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof DimensionMismatch) throw fail(source, e.message + (expr === undefined ? "" : hint(expr)));
      throw e;
    }
  };

  // Parameters, in dependency order (an expression may use parameters defined before or after it).
  const params = new Map<string, { dim: Dimension; value: number }>();
  for (const [name, value] of Object.entries(m.numbers)) params.set(name, { dim: DIMENSIONLESS, value });
  const pending = new Map(m.expressions.map((p) => [p.name, p]));
  const unitOf = (name: string): { dim: Dimension; value: number } | undefined => {
    const u = units.get(name);
    return u === undefined ? undefined : { dim: withUnits ? u.dim : DIMENSIONLESS, value: modelValue(u) };
  };
  const visiting: string[] = [];
  const resolveParameter = (p: { name: string; expr: MathNode; source: S }): void => {
    if (params.has(p.name)) return;
    if (visiting.includes(p.name)) {
      throw fail(p.source, `parameters refer to each other in a cycle: ${[...visiting, p.name].join(" -> ")}`);
    }
    visiting.push(p.name);
    for (const n of namesIn(p.expr)) {
      const dep = pending.get(n);
      if (dep !== undefined) resolveParameter(dep);
      else if (!params.has(n) && !isUnit(n) && !(n === "pi" || n === "e" || n === "inf")) {
        throw fail(p.source, `"${n}" is not a parameter or a unit: a parameter's value may use only those`);
      }
    }
    visiting.pop();
    const q = wrap(p.source, () => analyse(p.expr, (n) => params.get(n) ?? unitOf(n) ?? builtin(n))) as Quantity;
    if (q.kind !== "number" || q.value === undefined || !Number.isFinite(q.value)) {
      throw fail(p.source, `parameter "${p.name}" must have a finite value, found "${p.expr.toString()}"`);
    }
    params.set(p.name, { dim: q.dim, value: q.value });
  };
  for (const p of m.expressions) resolveParameter(p);

  // Variables: their declared dimensions (with units), or dimensionless.
  const declared = new Map<string, Dimension>();
  const declare = (x: { name: string; unit: string | undefined; source: S }): void => {
    if (!withUnits) {
      declared.set(x.name, DIMENSIONLESS);
      return;
    }
    if (x.unit === undefined) {
      throw fail(
        x.source,
        `the model uses units ("${firstUnit}"), so every equation declares the unit of its variable after ":", as in Brian2: e.g. ": volt", ": amp" or ": 1"`,
      );
    }
    declared.set(x.name, declaredDimension(x.unit, x.source, fail));
  };
  m.differential.forEach(declare);
  m.perNeuron.forEach(declare);
  m.subexpressions.forEach(declare);

  const lookup: NameLookup = (n) => {
    if (declared.has(n)) return { dim: declared.get(n)!, value: undefined };
    const q = params.get(n) ?? (isUnit(n) ? unitOf(n) : undefined) ?? builtin(n);
    // Without units every quantity is a plain number (t and dt in ms).
    return q === undefined || withUnits ? q : { dim: DIMENSIONLESS, value: q.value };
  };
  const numberOf = (x: { expr: MathNode; source: S }): Quantity =>
    wrap(x.source, () => analyse(x.expr, lookup), x.expr);

  for (const s of m.subexpressions) {
    const q = numberOf(s);
    const want = declared.get(s.name)!;
    if (withUnits && (q.kind !== "number" || !dimEqual(q.dim, want))) {
      throw fail(
        s.source,
        `"${s.expr.toString()}" has ${describe(q)}, but ${s.name} is declared as ${formatDimension(want)}${hint(s.expr)}`,
      );
    }
  }
  for (const d of m.differential) {
    const q = numberOf(d);
    const want = dimDiv(declared.get(d.name)!, timeDimension());
    if (withUnits && (q.kind !== "number" || !dimEqual(q.dim, want))) {
      throw fail(
        d.source,
        `"${d.expr.toString()}" has ${describe(q)}, but d${d.name}/dt needs ${formatDimension(want)} (${d.name} is declared as ${formatDimension(declared.get(d.name)!)})${hint(d.expr)}`,
      );
    }
  }
  numberOf(m.threshold);
  for (const r of m.reset) {
    const q = numberOf(r);
    const target = declared.get(r.target) ?? DIMENSIONLESS;
    const want = r.op === "*=" || r.op === "/=" ? DIMENSIONLESS : target;
    if (withUnits && (q.kind !== "number" || !dimEqual(q.dim, want))) {
      throw fail(
        r.source,
        `the right-hand side "${r.expr.toString()}" has ${describe(q)}, but "${r.target} ${r.op}" needs ${formatDimension(want)}${hint(r.expr)}`,
      );
    }
  }
  let refractoryMs: number | undefined;
  if (m.refractory !== undefined) {
    const r = m.refractory;
    const q = numberOf(r);
    if (q.kind !== "number" || (withUnits && !dimEqual(q.dim, timeDimension()))) {
      throw fail(r.source, `the refractory period must be a duration (e.g. 5*ms), found ${describe(q)}`);
    }
    if (q.value === undefined || !(q.value >= 0) || !Number.isFinite(q.value)) {
      throw fail(
        r.source,
        `the refractory period must be a constant non-negative duration (numbers, parameters and units), found "${r.expr.toString()}"`,
      );
    }
    refractoryMs = q.value;
  }

  const parameters: Record<string, number> = {};
  for (const [name, p] of params) parameters[name] = p.value;
  return {
    withUnits,
    parameters,
    refractoryMs,
    convert: (expr) =>
      withUnits
        ? expr.transform((n: MathNode, path: string) => {
            if (n.type !== "SymbolNode" || path === "fn") return n;
            const name = (n as MathNode & { name: string }).name;
            return isUnit(name) ? new (math().ConstantNode)(modelValue(units.get(name)!)) : n;
          })
        : expr,
  };
}

function describe(q: Quantity): string {
  return q.kind === "condition" ? "no unit (it is a condition)" : `unit ${formatDimension(q.dim)}`;
}

/** The dimension of a declared unit (`volt`, `siemens/metre**2`, `1`); only unprefixed units, as in Brian2. */
function declaredDimension<S>(text: string, source: S, fail: Fail<S>): Dimension {
  const units = unitTable();
  let node: MathNode;
  try {
    node = math().parse(text.replace(/\*\*/g, "^"));
  } catch (e) {
    throw fail(source, `cannot read the unit "${text}": ${(e as Error).message}`);
  }
  for (const n of namesIn(node)) {
    if (!units.has(n)) throw fail(source, `"${n}" in the unit "${text}" is not a unit`);
  }
  let q: Quantity;
  try {
    q = analyse(node, (n) => {
      const u = units.get(n);
      return u === undefined ? undefined : { dim: u.dim, value: modelValue(u) };
    });
  } catch (e) {
    if (e instanceof DimensionMismatch) throw fail(source, `cannot read the unit "${text}": ${e.message}`);
    throw e;
  }
  if (q.kind !== "number" || q.value === undefined) throw fail(source, `cannot read the unit "${text}"`);
  const si = modelToSi(q.value, q.dim);
  if (Math.abs(si - 1) > 1e-9) {
    throw fail(
      source,
      `the unit "${text}" is not a base unit: declare "${isDimensionless(q.dim) ? "1" : formatDimension(q.dim)}" (the value is stored in the model's units, e.g. mV for volt, either way)`,
    );
  }
  return q.dim;
}
