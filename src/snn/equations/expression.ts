/**
 * Translates a checked mathjs expression tree into a JavaScript expression
 * string, once, at model compile time. Every operand is parenthesised, so
 * JavaScript's precedence never differs from mathjs's. Names map to locals of
 * the generated step function: a model name `x` becomes `u_x`, the built-ins
 * t, dt, i, N become `_t`, `_dt`, `_i`, `_N`; functions go through `_Math`.
 */
import type { MathNode } from "mathjs";
import { equationError, isFunctionName, type Source } from "./model.js";

const BINARY: Readonly<Record<string, string>> = {
  add: "+",
  subtract: "-",
  multiply: "*",
  divide: "/",
  smaller: "<",
  larger: ">",
  smallerEq: "<=",
  largerEq: ">=",
  equal: "===",
  unequal: "!==",
  and: "&&",
  or: "||",
};

const BUILTIN_JS: Readonly<Record<string, string>> = {
  t: "_t",
  dt: "_dt",
  i: "_i",
  N: "_N",
  pi: "Math.PI",
  e: "Math.E",
  inf: "Infinity",
};

/** A JavaScript literal that reads back as exactly `x`. */
export function numberLiteral(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "(-Infinity)";
  const s = String(x);
  return x < 0 || Object.is(x, -0) ? `(${s})` : s;
}

/** Own keys only: a model name such as `constructor` must never pick up what every object inherits. */
function lookup(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function jsName(name: string): string {
  return lookup(BUILTIN_JS, name) ?? `u_${name}`;
}

export function toJs(node: MathNode, source: Source): string {
  switch (node.type) {
    case "ConstantNode": {
      const v = (node as MathNode & { value: unknown }).value;
      if (typeof v === "number") return numberLiteral(v);
      if (typeof v === "boolean") return v ? "true" : "false";
      throw equationError(source, `unsupported constant ${JSON.stringify(v)}`);
    }
    case "SymbolNode":
      return jsName((node as MathNode & { name: string }).name);
    case "ParenthesisNode":
      return toJs((node as MathNode & { content: MathNode }).content, source);
    case "ConditionalNode": {
      const c = node as MathNode & { condition: MathNode; trueExpr: MathNode; falseExpr: MathNode };
      return `(${toJs(c.condition, source)} ? ${toJs(c.trueExpr, source)} : ${toJs(c.falseExpr, source)})`;
    }
    case "RelationalNode": {
      const r = node as MathNode & { conditionals: string[]; params: MathNode[] };
      const parts = r.conditionals.map((fn, k) => {
        const op = lookup(BINARY, fn);
        if (op === undefined) throw equationError(source, `unsupported comparison ${fn}`);
        return `(${toJs(r.params[k]!, source)} ${op} ${toJs(r.params[k + 1]!, source)})`;
      });
      return `(${parts.join(" && ")})`;
    }
    case "OperatorNode": {
      const o = node as MathNode & { fn: string; args: MathNode[] };
      const a = o.args.map((x) => toJs(x, source));
      if (o.fn === "unaryMinus") return `(-${a[0]})`;
      if (o.fn === "unaryPlus") return `(+${a[0]})`;
      if (o.fn === "not") return `(!${a[0]})`;
      if (o.fn === "pow") {
        const ex = o.args[1]!;
        // x^2 as x*x: the form hand-written kernels use, and exactly rounded either way.
        if (ex.type === "ConstantNode" && (ex as MathNode & { value: unknown }).value === 2)
          return `(${a[0]} * ${a[0]})`;
        return `_Math.pow(${a[0]}, ${a[1]})`;
      }
      if (o.fn === "mod") return `(${a[0]} - ${a[1]} * _Math.floor(${a[0]} / ${a[1]}))`; // mathjs's floored mod
      const op = lookup(BINARY, o.fn);
      if (op === undefined || a.length !== 2) throw equationError(source, `unsupported operator "${node.toString()}"`);
      return `(${a[0]} ${op} ${a[1]})`;
    }
    case "FunctionNode": {
      const f = node as MathNode & { fn: MathNode & { name: string }; args: MathNode[] };
      const a = f.args.map((x) => toJs(x, source));
      switch (f.fn.name) {
        case "clip":
          return `_Math.min(_Math.max(${a[0]}, ${a[1]}), ${a[2]})`;
        case "exprel":
          return `_exprel(${a[0]})`;
        default:
          if (!isFunctionName(f.fn.name)) throw equationError(source, `unknown function ${f.fn.name}()`);
          return `_Math.${f.fn.name}(${a.join(", ")})`;
      }
    }
    default:
      throw equationError(source, `unsupported construct ${node.type} ("${node.toString()}")`);
  }
}
