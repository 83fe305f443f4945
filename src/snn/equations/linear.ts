/**
 * Symbolic checks that pick and set up an integration method, run once at
 * compile time with mathjs (`derivative`) and expm.ts; nothing here runs in a step.
 *
 * - `selfCoefficient`: for exponential Euler, dx/dt = f must be linear in x
 *   (f = A + B·x, A and B free of x but possibly depending on other
 *   variables); B = ∂f/∂x, checked free of x.
 * - `linearSystem`: for "exact", the whole system must be linear with
 *   constant coefficients in the differential variables and the per-neuron
 *   constants: every ∂f_r/∂z_c must be free of all state variables, t and i.
 *   The affine system dz/dt = M·z over z = [x..., p..., 1] (p: per-neuron
 *   constants, 1: the constant term) is then solved over dt by the matrix
 *   exponential Φ = expm(M·dt), so z(t + dt) = Φ·z(t) exactly (up to
 *   rounding); rows for variables held while refractory are zeroed in a
 *   second matrix used for refractory neurons.
 */
import type { MathNode } from "mathjs";
import { expm } from "./expm.js";
import { math } from "./math.js";
import { termwiseDerivative } from "./derivative.js";
import { symbolsOf, type ParsedModel } from "./model.js";

/**
 * Replaces subexpression names by their (recursively inlined) definitions.
 * With `onlyDependingOn`, a subexpression is inlined only when it depends on
 * that variable; the others stay as names (computed once per neuron in the
 * generated code, and constant for a derivative with respect to that variable).
 */
export function inlineSubexpressions(node: MathNode, model: ParsedModel, onlyDependingOn?: string): MathNode {
  const defs = new Map(model.subexpressions.map((s) => [s.name, s.expr]));
  const full = new Map<string, MathNode>();
  const inline = (n: MathNode): MathNode =>
    n.transform((x: MathNode) => {
      if (x.type === "SymbolNode") {
        const name = (x as MathNode & { name: string }).name;
        const def = defs.get(name);
        if (def !== undefined) {
          let body = full.get(name);
          if (body === undefined) {
            body = inline(def);
            full.set(name, body);
          }
          if (onlyDependingOn === undefined || symbolsOf(body).has(onlyDependingOn))
            return new (math().ParenthesisNode)(body);
        }
      }
      return x;
    });
  return inline(node);
}

/** A scope for evaluating coefficient expressions at compile time. */
export function constantScope(model: ParsedModel, size: number): Record<string, unknown> {
  return {
    ...model.parameters,
    N: size,
    inf: Infinity,
    exprel: (x: number) => (Math.abs(x) < 1e-9 ? 1 + x / 2 : Math.expm1(x) / x),
    clip: (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi),
  };
}

export type SelfCoefficient =
  | { kind: "constant"; value: number }
  | { kind: "variable"; expr: MathNode }
  | { kind: "nonlinear"; reason: string };

/** ∂f/∂x for exponential Euler; f must have the subexpressions that depend on x inlined. */
export function selfCoefficient(f: MathNode, x: string, model: ParsedModel, size: number): SelfCoefficient {
  if (!symbolsOf(f).has(x)) return { kind: "constant", value: 0 };
  let b: MathNode;
  try {
    b = termwiseDerivative(f, x);
  } catch (e) {
    return { kind: "nonlinear", reason: `cannot differentiate with respect to ${x}: ${(e as Error).message}` };
  }
  const syms = symbolsOf(b);
  if (syms.has(x)) return { kind: "nonlinear", reason: `d${x}/dt is not linear in ${x} (∂/∂${x} = ${b.toString()})` };
  const state = stateNames(model);
  const subs = new Set(model.subexpressions.map((s) => s.name));
  if ([...syms].some((s) => state.has(s) || subs.has(s) || s === "t" || s === "i" || s === "dt")) {
    return { kind: "variable", expr: b };
  }
  const value = evaluateNumber(b, constantScope(model, size));
  return value === undefined ? { kind: "variable", expr: b } : { kind: "constant", value };
}

function stateNames(model: ParsedModel): Set<string> {
  return new Set([...model.differential.map((d) => d.name), ...model.perNeuron.map((p) => p.name)]);
}

function evaluateNumber(node: MathNode, scope: Record<string, unknown>): number | undefined {
  try {
    const v: unknown = node.evaluate({ ...scope });
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface LinearSystem {
  /** Column order of Φ: the differential variables, then per-neuron constants, then the constant 1. */
  columns: string[];
  /** Φ rows for the differential variables (k rows of k + p + 1). */
  phi: number[][];
  /** The same with the rows of `unless refractory` variables zeroed in M (those rows are then identity). */
  phiRefractory: number[][];
}

/** The exact propagator, or the reason (and equation) why the system is not linear with constant coefficients. */
export function linearSystem(
  model: ParsedModel,
  size: number,
  dtMs: number,
): { ok: true; system: LinearSystem } | { ok: false; reason: string; line: number } {
  const diff = model.differential.map((d) => d.name);
  const per = model.perNeuron.map((p) => p.name);
  const columns = [...diff, ...per];
  const state = new Set(columns);
  const scope = constantScope(model, size);
  const m = diff.length + per.length + 1;
  const M: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (let r = 0; r < diff.length; r++) {
    const eq = model.differential[r]!;
    const f = inlineSubexpressions(eq.expr, model);
    const syms = symbolsOf(f);
    for (const s of ["t", "i", "dt"]) {
      if (syms.has(s)) return { ok: false, reason: `d${eq.name}/dt depends on ${s}`, line: eq.source.line };
    }
    for (let c = 0; c < columns.length; c++) {
      const name = columns[c]!;
      if (!syms.has(name)) continue;
      let j: MathNode;
      try {
        j = termwiseDerivative(f, name);
      } catch (e) {
        return {
          ok: false,
          reason: `cannot differentiate d${eq.name}/dt with respect to ${name}: ${(e as Error).message}`,
          line: eq.source.line,
        };
      }
      const bad = [...symbolsOf(j)].find((s) => state.has(s));
      if (bad !== undefined) {
        return {
          ok: false,
          reason: `d${eq.name}/dt is not linear: ∂/∂${name} = ${j.toString()} depends on ${bad}`,
          line: eq.source.line,
        };
      }
      const v = evaluateNumber(j, scope);
      if (v === undefined)
        return { ok: false, reason: `∂(d${eq.name}/dt)/∂${name} is not a finite constant`, line: eq.source.line };
      M[r]![c] = v;
    }
    const zeros: Record<string, unknown> = { ...scope };
    for (const name of columns) zeros[name] = 0;
    const c0 = evaluateNumber(f, zeros);
    if (c0 === undefined)
      return { ok: false, reason: `d${eq.name}/dt has no finite constant term`, line: eq.source.line };
    M[r]![m - 1] = c0;
  }
  const propagate = (A: number[][]): number[][] => {
    const scaled = A.map((row) => row.map((x) => x * dtMs));
    const e = expm(scaled);
    return e.slice(0, diff.length).map((row) => row.slice());
  };
  const phi = propagate(M);
  const held = model.differential.map((d) => d.unlessRefractory);
  const phiRefractory = held.some((h) => h)
    ? propagate(M.map((row, r) => (r < diff.length && held[r] ? row.map(() => 0) : row)))
    : phi;
  return { ok: true, system: { columns: [...columns, "1"], phi, phiRefractory } };
}
