/**
 * ∂f/∂x for the integrators' symbolic checks, taken term by term.
 *
 * mathjs's `derivative` simplifies its result, and its simplifier's time grows
 * exponentially with the number of terms in a sum (measured on Node 20: 10
 * terms 58 ms, 20 terms 4.6 s, 40 terms beyond minutes), so one long but
 * harmless equation would stall `validate`. Differentiation is linear, so a
 * sum is split into its terms, a product or quotient by a factor free of x
 * keeps that factor aside, and mathjs differentiates (and simplifies) only the
 * small pieces that contain x. The result is the sum of those pieces: the
 * same derivative, each piece simplified on its own. Recursion depth is that
 * of the tree, which the model's size limits bound.
 */
import type { MathNode } from "mathjs";
import { math } from "./math.js";
import { symbolsOf } from "./model.js";

const isZero = (n: MathNode): boolean => n.type === "ConstantNode" && (n as MathNode & { value: unknown }).value === 0;

function op(symbol: string, fn: string, args: MathNode[]): MathNode {
  return new (math().OperatorNode)(symbol as "+", fn as "add", args);
}

function wrap(n: MathNode): MathNode {
  return n.type === "ConstantNode" || n.type === "SymbolNode" || n.type === "ParenthesisNode"
    ? n
    : new (math().ParenthesisNode)(n);
}

export function termwiseDerivative(f: MathNode, x: string): MathNode {
  const zero = new (math().ConstantNode)(0);
  const d = (node: MathNode): MathNode => {
    if (!symbolsOf(node).has(x)) return zero;
    if (node.type === "ParenthesisNode") return d((node as MathNode & { content: MathNode }).content);
    if (node.type === "OperatorNode") {
      const o = node as MathNode & { fn: string; args: MathNode[] };
      const [a, b] = o.args as [MathNode, MathNode | undefined];
      if (o.fn === "unaryPlus") return d(a);
      if (o.fn === "unaryMinus") {
        const da = d(a);
        return isZero(da) ? zero : op("-", "unaryMinus", [wrap(da)]);
      }
      if (b !== undefined && (o.fn === "add" || o.fn === "subtract")) {
        const da = d(a);
        const db = d(b);
        if (isZero(db)) return da;
        if (isZero(da)) return o.fn === "add" ? db : op("-", "unaryMinus", [wrap(db)]);
        return op(o.fn === "add" ? "+" : "-", o.fn, [wrap(da), wrap(db)]);
      }
      if (b !== undefined && o.fn === "multiply") {
        const aFree = !symbolsOf(a).has(x);
        const bFree = !symbolsOf(b).has(x);
        if (aFree || bFree) {
          const dv = d(aFree ? b : a);
          return isZero(dv) ? zero : op("*", "multiply", [wrap(aFree ? a : b), wrap(dv)]);
        }
      }
      if (b !== undefined && o.fn === "divide" && !symbolsOf(b).has(x)) {
        const da = d(a);
        return isZero(da) ? zero : op("/", "divide", [wrap(da), wrap(b)]);
      }
    }
    return math().derivative(node, x);
  };
  return d(f);
}
