/**
 * Size limits on equation models, checked before anything walks them.
 *
 * mathjs's tree walks (traverse, transform, derivative, toString) and our
 * code generator recurse once per nesting level, and V8 compiles the
 * generated step function with a recursive parser too (measured on Node 20:
 * 1,000 nested conditionals in a `new Function` body overflow its stack; 500
 * compile). So every expression is measured here with an explicit stack, and
 * a model whose trees nest deeper than `depth` levels or hold more than
 * `nodes` nodes, also once every subexpression is written out in full (the
 * integrators inline them), is refused with a message that says so, instead
 * of overflowing the stack somewhere inside. Brian2's documented models
 * (CUBA, COBA, AdEx, Hodgkin-Huxley) nest under 15 levels and hold under 100
 * nodes per equation.
 */
import type { MathNode } from "mathjs";

export const EQUATION_LIMITS = {
  /** Characters of equation, threshold or reset text. */
  textChars: 64 * 1024,
  /** Lines that define a name (differential equations, subexpressions, per-neuron variables). */
  definitions: 1000,
  /** Nesting depth of one expression tree, subexpressions written out. */
  depth: 200,
  /** Nodes in one expression, subexpressions written out. */
  nodes: 20_000,
} as const;

export interface TreeSize {
  depth: number;
  nodes: number;
}

/**
 * Depth and node count of a tree, with the named subexpressions in `inlined`
 * counted as if written out (a name costs its definition's size plus the
 * parenthesis that inlining adds). Iterative: safe on any depth.
 */
export function treeSize(root: MathNode, inlined?: ReadonlyMap<string, TreeSize>): TreeSize {
  let depth = 0;
  let nodes = 0;
  const stack: [MathNode, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, d] = stack.pop()!;
    const sub = node.type === "SymbolNode" ? inlined?.get((node as MathNode & { name: string }).name) : undefined;
    if (sub !== undefined) {
      depth = Math.max(depth, d + sub.depth);
      nodes += sub.nodes + 1;
      continue;
    }
    nodes++;
    if (d > depth) depth = d;
    node.forEach((child: MathNode) => {
      stack.push([child, d + 1]);
    });
  }
  return { depth, nodes };
}

/** Why a text is too long to read, or undefined (checked before mathjs reads it). */
export function textTooLong(text: string): string | undefined {
  if (text.length <= EQUATION_LIMITS.textChars) return undefined;
  return `${text.length} characters, more than the ${EQUATION_LIMITS.textChars} an equation text may have`;
}

/** Why a tree of this size is refused, or undefined. `what` names it: "the expression". */
export function treeTooLarge(size: TreeSize, what: string): string | undefined {
  if (size.depth > EQUATION_LIMITS.depth) {
    return `${what} nests ${size.depth} levels deep, more than the ${EQUATION_LIMITS.depth} allowed (each operator of a chain such as a + b + c + ... or a ? b : c ? d : ... adds a level)`;
  }
  if (size.nodes > EQUATION_LIMITS.nodes) {
    return `${what} has ${size.nodes} terms and operators, more than the ${EQUATION_LIMITS.nodes} allowed`;
  }
  return undefined;
}
