/**
 * The mathjs instance the equation parser uses, built on first use.
 *
 * It is created with `create()` from mathjs's number-only entry and holds
 * only what the parser, the integrator set-up and the constant folding call:
 * `parse`, `derivative` (with the `simplify` it needs), `ParenthesisNode`,
 * the operators `checkConstructs` (model.ts) admits, the FUNCTIONS a model
 * may call and the constants pi and e. Measured with Node 20 on a 2-core
 * x86-64 machine: the full `mathjs` entry takes 0.85 s of CPU and 90 MB to
 * load, the number-only entry about half of that, and a command that never
 * builds an equation group loads neither. The matrix exponential the number
 * entry lacks is expm.ts.
 *
 * The load is synchronous (`require` of mathjs's CommonJS build) because
 * parsing happens inside the synchronous EquationGroup constructor.
 */
import { createRequire } from "node:module";
import type * as MathJs from "mathjs";

/** The functions the instance is built with (each brings what it depends on). */
const NEEDED = [
  "parse",
  "derivative",
  "ParenthesisNode",
  // Units become constants at parse time (quantities.ts).
  "ConstantNode",
  // Operators (model.ts OPERATORS), for evaluating constant coefficients.
  "add",
  "subtract",
  "multiply",
  "divide",
  "pow",
  "mod",
  "unaryMinus",
  "unaryPlus",
  "smaller",
  "larger",
  "smallerEq",
  "largerEq",
  "equal",
  "unequal",
  "and",
  "or",
  "not",
  // FUNCTIONS (model.ts); clip and exprel come in the evaluation scope.
  "exp",
  "log",
  "log10",
  "sqrt",
  "abs",
  "sin",
  "cos",
  "tan",
  "sinh",
  "cosh",
  "tanh",
  "atan",
  "floor",
  "ceil",
  "sign",
  "min",
  "max",
  "pi",
  "e",
] as const;

let instance: MathJs.MathJsInstance | undefined;

/** The shared parser instance (one per process; it holds no per-model state). */
export function math(): MathJs.MathJsInstance {
  if (instance === undefined) {
    const m = createRequire(import.meta.url)("mathjs/number") as Record<string, MathJs.FactoryFunctionMap | undefined> &
      Pick<typeof MathJs, "create">;
    const factories: Record<string, MathJs.FactoryFunctionMap> = {};
    for (const name of NEEDED) {
      const deps = m[`${name}Dependencies`];
      if (deps === undefined) throw new Error(`mathjs/number has no ${name}Dependencies (mathjs version changed?)`);
      factories[`${name}Dependencies`] = deps;
    }
    instance = m.create(factories);
  }
  return instance;
}
