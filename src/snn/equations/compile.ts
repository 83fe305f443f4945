/**
 * Compiles a parsed model ONCE into plain JavaScript (`new Function`) over the
 * group's state arrays (Float64Array, or Float32Array with precision
 * "float32"). Parameters, dt, N, the refractory step count and all
 * dt-constants (exact propagators, exponential-Euler factors with constant
 * coefficients) are hoisted out of the neuron loop as literals; the loop reads
 * each state variable once, integrates, writes back, then evaluates the
 * threshold on the stored values. mathjs never runs in a step.
 *
 * Methods (per step of length dt, all from the state at the start of the step):
 *   euler              x' = x + dt·f(x)
 *   rk4                classic fourth-order Runge-Kutta (t advances in the stages)
 *   exponential-euler  per variable, f linear in its own variable x (f = A + B·x,
 *                      other variables held over the step): x' = x + f·expm1(B·dt)/B
 *                      (x + dt·f when B = 0). Exact for one linear equation with
 *                      constant inputs; B constant is computed once.
 *   exact              linear systems with constant coefficients: z' = Φ·z with
 *                      Φ = expm(M·dt) (see linear.ts); coupled variables (v driven
 *                      by decaying ge) are solved jointly, as Brian2's "exact".
 * `unless refractory` variables keep their value while refractory (their
 * derivative is 0, as Brian2 multiplies it by not_refractory); a neuron that
 * spiked in step s is refractory while step - s < R (Brian2's semantics).
 */
import { UserError } from "../../core/errors.js";
import { refractorySteps } from "../neurons/common.js";
import { jsName, numberLiteral, toJs } from "./expression.js";
import { inlineSubexpressions, linearSystem, selfCoefficient } from "./linear.js";
import { describeSource, symbolsOf, type EquationMethod, type ParsedModel } from "./model.js";
import type { MathNode } from "mathjs";
import type { StateArray } from "../group.js";

export interface CompiledKernel {
  /** Steps 1-2 of the schedule: integrate, threshold; returns the spike count written to `spiked`. */
  integrate(step: number): number;
  /** Step 4: reset the first `count` neurons of `spiked` and start their refractory period. */
  reset(step: number, count: number): void;
}

export interface CompiledModel {
  method: EquationMethod;
  /** State variable order of the `arrays` argument: differential variables, then per-neuron constants. */
  stateNames: string[];
  refractorySteps: number;
  /** The generated JavaScript, for inspection. */
  code: string;
  bind(arrays: StateArray[], lastSpikeStep: Int32Array, spiked: Int32Array): CompiledKernel;
}

type Factory = (arrays: StateArray[], lastSpikeStep: Int32Array, spiked: Int32Array, math: Math) => CompiledKernel;

export function compileModel(model: ParsedModel, size: number, dtMs: number): CompiledModel {
  const diff = model.differential;
  const stateNames = [...diff.map((d) => d.name), ...model.perNeuron.map((p) => p.name)];
  const subByName = new Map(model.subexpressions.map((s) => [s.name, s]));
  const refSteps = refractorySteps(model.refractoryMs, dtMs);
  const hasRefractory = refSteps > 0;

  // Method: as asked, or Brian2's default order (exact if the system allows it, else euler).
  const linear = linearSystem(model, size, dtMs);
  let method: EquationMethod;
  if (model.method === undefined) method = linear.ok ? "exact" : "euler";
  else method = model.method;
  if (method === "exact" && !linear.ok) {
    const eq = diff.find((d) => d.source.line === linear.line) ?? diff[0]!;
    throw new UserError(
      "E_EQUATION_INVALID",
      `${describeSource(eq.source)}: method "exact" needs a linear system with constant coefficients: ${linear.reason}; use "exponential-euler", "rk4" or "euler"`,
    );
  }

  /** Subexpressions needed (transitively) by some expressions, in dependency order. */
  const neededSubs = (exprs: MathNode[]): string[] => {
    const need = new Set<string>();
    // An explicit work list, not recursion: a chain of subexpressions may be as long as the model allows.
    const todo: string[] = [];
    for (const e of exprs) todo.push(...symbolsOf(e));
    for (let n = todo.pop(); n !== undefined; n = todo.pop()) {
      const s = subByName.get(n);
      if (s !== undefined && !need.has(n)) {
        need.add(n);
        todo.push(...symbolsOf(s.expr));
      }
    }
    return model.subexpressions.filter((s) => need.has(s.name)).map((s) => s.name);
  };
  const neededState = (exprs: MathNode[]): string[] => {
    const all = new Set<string>();
    for (const e of exprs) for (const s of symbolsOf(e)) all.add(s);
    for (const n of neededSubs(exprs)) for (const s of symbolsOf(subByName.get(n)!.expr)) all.add(s);
    return stateNames.filter((s) => all.has(s));
  };
  const subLines = (exprs: MathNode[], indent: string): string[] =>
    neededSubs(exprs).map((n) => {
      const s = subByName.get(n)!;
      return `${indent}const ${jsName(n)} = ${toJs(s.expr, s.source)};`;
    });
  const rhs = (k: number): string => toJs(diff[k]!.expr, diff[k]!.source);
  const heldRhs = (k: number): string =>
    hasRefractory && diff[k]!.unlessRefractory ? `(_nr ? ${rhs(k)} : 0)` : rhs(k);

  const header: string[] = [];
  const body: string[] = [];
  const I = "    ";
  const allExprs = diff.map((d) => d.expr);

  switch (method) {
    case "euler": {
      body.push(...subLines(allExprs, I));
      diff.forEach((d, k) => {
        const x = jsName(d.name);
        body.push(
          hasRefractory && d.unlessRefractory
            ? `${I}const _n${k} = _nr ? ${x} + _dt * ${rhs(k)} : ${x};`
            : `${I}const _n${k} = ${x} + _dt * ${rhs(k)};`,
        );
      });
      break;
    }
    case "rk4": {
      header.push("const _h = _dt / 2, _dt6 = _dt / 6;");
      diff.forEach((d, k) => body.push(`${I}const _x${k} = ${jsName(d.name)};`));
      body.push(`${I}let ${diff.map((_, k) => `_k1_${k}, _k2_${k}, _k3_${k}, _k4_${k}`).join(", ")};`);
      const stage = (s: number, from: string | undefined, factor: string, tExpr: string): void => {
        body.push(`${I}{`);
        if (from !== undefined) {
          diff.forEach((d, k) => body.push(`${I}  const ${jsName(d.name)} = _x${k} + ${factor} * _k${from}_${k};`));
          body.push(`${I}  const _t = ${tExpr};`);
        }
        body.push(...subLines(allExprs, `${I}  `));
        diff.forEach((_, k) => body.push(`${I}  _k${s}_${k} = ${heldRhs(k)};`));
        body.push(`${I}}`);
      };
      stage(1, undefined, "", "");
      stage(2, "1", "_h", "_tS + _h");
      stage(3, "2", "_h", "_tS + _h");
      stage(4, "3", "_dt", "_tS + _dt");
      diff.forEach((_, k) =>
        body.push(`${I}const _n${k} = _x${k} + _dt6 * (_k1_${k} + 2 * _k2_${k} + 2 * _k3_${k} + _k4_${k});`),
      );
      break;
    }
    case "exponential-euler": {
      body.push(...subLines(allExprs, I));
      diff.forEach((d, k) => {
        const x = jsName(d.name);
        const f = inlineSubexpressions(d.expr, model, d.name);
        const b = selfCoefficient(f, d.name, model, size);
        if (b.kind === "nonlinear") {
          throw new UserError(
            "E_EQUATION_INVALID",
            `${describeSource(d.source)}: method "exponential-euler" needs each equation linear in its own variable: ${b.reason}; use "rk4" or "euler"`,
          );
        }
        let factor: string;
        if (b.kind === "constant") {
          const phi = b.value === 0 ? dtMs : Math.expm1(b.value * dtMs) / b.value;
          header.push(`const _phi${k} = ${numberLiteral(phi)}; // expm1(B·dt)/B, B = ${numberLiteral(b.value)}`);
          factor = `_phi${k}`;
        } else {
          body.push(`${I}const _B${k} = ${toJs(b.expr, d.source)};`);
          factor = `(_B${k} === 0 ? _dt : _Math.expm1(_B${k} * _dt) / _B${k})`;
        }
        body.push(
          hasRefractory && d.unlessRefractory
            ? `${I}const _n${k} = _nr ? ${x} + ${rhs(k)} * ${factor} : ${x};`
            : `${I}const _n${k} = ${x} + ${rhs(k)} * ${factor};`,
        );
      });
      break;
    }
    case "exact": {
      if (!linear.ok) throw new Error("unreachable: exact without a linear system");
      const { columns, phi, phiRefractory } = linear.system;
      const combo = (row: number[]): string => {
        const terms: string[] = [];
        row.forEach((c, j) => {
          if (c === 0) return;
          const col = columns[j]!;
          terms.push(col === "1" ? numberLiteral(c) : `${numberLiteral(c)} * ${jsName(col)}`);
        });
        return terms.length === 0 ? "0" : terms.join(" + ");
      };
      diff.forEach((d, k) => {
        const x = jsName(d.name);
        const free = combo(phi[k]!);
        if (!hasRefractory || phiRefractory === phi) body.push(`${I}const _n${k} = ${free};`);
        else {
          const rowFree = phi[k]!;
          const rowHeld = phiRefractory[k]!;
          const scale = Math.max(...rowFree.map(Math.abs), 1e-300);
          const same = rowFree.every((c, j) => Math.abs(c - rowHeld[j]!) <= 1e-12 * scale);
          // A row that does not depend on a held variable is the same in both propagators
          // up to expm's rounding; use one, so such a variable evolves identically either way.
          if (!d.unlessRefractory && same) body.push(`${I}const _n${k} = ${free};`);
          else body.push(`${I}const _n${k} = _nr ? ${free} : ${d.unlessRefractory ? x : combo(rowHeld)};`);
        }
      });
      break;
    }
  }

  const readState = (names: string[], indent: string, decl: "const"): string[] =>
    names.map((n) => `${indent}${decl} ${jsName(n)} = A_${n}[_i];`);

  const thresholdExprs = [model.threshold.expr];
  const integrate = [
    "function integrate(_step) {",
    "  const _tS = _step * _dt, _t = _tS;",
    "  let _count = 0;",
    "  for (let _i = 0; _i < _N; _i++) {",
    ...(hasRefractory ? [`${I}const _nr = _step - _last[_i] >= _refSteps;`] : []),
    ...readState(stateNames, I, "const"),
    ...body,
    ...diff.map((d, k) => `${I}A_${d.name}[_i] = _n${k};`),
    `${I}{`,
    ...readState(neededState(thresholdExprs), `${I}  `, "const"),
    ...subLines(thresholdExprs, `${I}  `),
    `${I}  if (${hasRefractory ? "_nr && " : ""}${toJs(model.threshold.expr, model.threshold.source)}) _spiked[_count++] = _i;`,
    `${I}}`,
    "  }",
    "  return _count;",
    "}",
  ];

  const resetLines: string[] = [];
  for (const st of model.reset) {
    const x = jsName(st.target);
    const e = toJs(st.expr, st.source);
    const value = st.op === "=" ? e : `(${x} ${st.op[0]} ${e})`;
    const reads = neededState([st.expr]);
    if (!reads.includes(st.target) && st.op !== "=") reads.push(st.target);
    resetLines.push(
      `${I}{`,
      ...readState(reads, `${I}  `, "const"),
      ...subLines([st.expr], `${I}  `),
      `${I}  A_${st.target}[_i] = ${value};`,
      `${I}}`,
    );
  }
  const reset = [
    "function reset(_step, _count) {",
    "  const _t = _step * _dt;",
    "  for (let _k = 0; _k < _count; _k++) {",
    `${I}const _i = _spiked[_k];`,
    ...resetLines,
    `${I}_last[_i] = _step;`,
    "  }",
    "}",
  ];

  const code = [
    '"use strict";',
    ...stateNames.map((n, k) => `const A_${n} = _A[${k}];`),
    `const _dt = ${numberLiteral(dtMs)}, _N = ${size}, _refSteps = ${refSteps};`,
    ...Object.entries(model.parameters).map(([n, v]) => `const ${jsName(n)} = ${numberLiteral(v)};`),
    "function _exprel(x) { return _Math.abs(x) < 1e-9 ? 1 + x / 2 : _Math.expm1(x) / x; }",
    ...header,
    ...integrate,
    ...reset,
    "return { integrate, reset };",
  ].join("\n");

  let factory: Factory;
  try {
    factory = new Function("_A", "_last", "_spiked", "_Math", code) as Factory;
  } catch (e) {
    throw new Error(`internal error: generated step function does not compile: ${(e as Error).message}\n${code}`);
  }
  return {
    method,
    stateNames,
    refractorySteps: refSteps,
    code,
    bind: (arrays, last, spiked) => factory(arrays, last, spiked, Math),
  };
}
