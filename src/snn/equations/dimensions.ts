/**
 * Dimension analysis of one expression, at parse time: the dimension of
 * every sub-expression and, where it is a constant (numbers, parameters,
 * units, pi, e), its value in the model's unit system. The rules are
 * Brian2's (brian2.parsing.expressions.parse_expression_dimensions):
 *
 *   a + b, a - b, a % b, min, max, clip, c ? a : b    operands of one dimension
 *   a * b, a / b                                        dimensions multiply, divide
 *   a ** p                                              p dimensionless; a constant p when a has a dimension
 *   a < b (and the other comparisons)                   one dimension; the result is a condition
 *   exp, log, log10, sin, cos, tan, sinh, cosh, tanh,   dimensionless argument and result
 *   atan, exprel
 *   sqrt                                                half the dimension
 *   abs, floor, ceil                                    the argument's dimension
 *   sign                                                dimensionless result
 *
 * A mismatch is reported naming the terms that disagree, as Brian2's
 * DimensionMismatchError does: `expression "v + 1 * amp" uses inconsistent
 * units ("v" has unit volt; "1 * amp" has unit amp)`. The walk is iterative
 * (an explicit stack), so a deeply nested expression cannot overflow the
 * call stack.
 */
import type { MathNode } from "mathjs";
import { DIMENSIONLESS, dimDiv, dimEqual, dimMul, dimPow, formatDimension, isDimensionless } from "./units.js";
import type { Dimension } from "./units.js";

/** A number-valued expression's dimension and, when constant, its value; or a condition. */
export type Quantity =
  | { kind: "number"; dim: Dimension; value: number | undefined }
  | { kind: "condition"; value: boolean | undefined };

/** What a name means to the analysis. */
export type NameLookup = (name: string) => { dim: Dimension; value: number | undefined } | undefined;

/** Thrown by `analyse`; the caller adds where the expression came from. */
export class DimensionMismatch extends Error {}

const DIMENSIONLESS_FUNCTIONS = new Set([
  "exp",
  "log",
  "log10",
  "sin",
  "cos",
  "tan",
  "sinh",
  "cosh",
  "tanh",
  "atan",
  "exprel",
]);

const COMPARISONS = new Set(["smaller", "larger", "smallerEq", "largerEq", "equal", "unequal"]);
const LOGIC = new Set(["and", "or", "not"]);

type N = MathNode & {
  value?: unknown;
  name?: string;
  fn?: string | (MathNode & { name?: string });
  args?: MathNode[];
  content?: MathNode;
  condition?: MathNode;
  trueExpr?: MathNode;
  falseExpr?: MathNode;
  conditionals?: string[];
  params?: MathNode[];
};

/** The operands of a node, in order (function names excluded). */
export function children(n: MathNode): MathNode[] {
  return childrenOf(n as N);
}

function childrenOf(n: N): MathNode[] {
  switch (n.type) {
    case "ParenthesisNode":
      return [n.content!];
    case "OperatorNode":
    case "FunctionNode":
      return n.args!;
    case "ConditionalNode":
      return [n.condition!, n.trueExpr!, n.falseExpr!];
    case "RelationalNode":
      return n.params!;
    default:
      return [];
  }
}

const unitText = (q: Quantity): string => (q.kind === "condition" ? "a condition" : `unit ${formatDimension(q.dim)}`);

/** A number-valued quantity (a condition counts as the number 0 or 1, as in Brian2's generated code). */
function asNumber(q: Quantity): { dim: Dimension; value: number | undefined } {
  if (q.kind === "number") return q;
  return { dim: DIMENSIONLESS, value: q.value === undefined ? undefined : q.value ? 1 : 0 };
}

function evaluate(fn: string, xs: (number | undefined)[]): number | undefined {
  if (xs.some((x) => x === undefined)) return undefined;
  const a = xs as number[];
  switch (fn) {
    case "exprel":
      return Math.abs(a[0]!) < 1e-9 ? 1 + a[0]! / 2 : Math.expm1(a[0]!) / a[0]!;
    case "clip":
      return Math.min(Math.max(a[0]!, a[1]!), a[2]!);
    case "log10":
      return Math.log10(a[0]!);
    default: {
      const f: unknown = Reflect.get(Math, fn);
      return typeof f === "function" ? (f as (...v: number[]) => number)(...a) : undefined;
    }
  }
}

/**
 * The quantity an expression denotes. `lookup` gives the dimension (and value, for constants) of
 * each name; a name it does not know is a programming error (names are checked before this runs).
 */
export function analyse(root: MathNode, lookup: NameLookup): Quantity {
  const done = new Map<MathNode, Quantity>();
  const stack: { node: N; expanded: boolean }[] = [{ node: root as N, expanded: false }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (!top.expanded) {
      top.expanded = true;
      for (const c of childrenOf(top.node)) stack.push({ node: c as N, expanded: false });
      continue;
    }
    stack.pop();
    done.set(
      top.node,
      combine(
        top.node,
        childrenOf(top.node).map((c) => done.get(c)!),
        lookup,
      ),
    );
  }
  return done.get(root)!;
}

function combine(n: N, args: Quantity[], lookup: NameLookup): Quantity {
  const text = (k: number): string => childrenOf(n)[k]!.toString();
  const same = (what: string): { dim: Dimension; value: number | undefined }[] => {
    const nums = args.map(asNumber);
    for (let k = 1; k < nums.length; k++) {
      if (!dimEqual(nums[k]!.dim, nums[0]!.dim)) {
        throw new DimensionMismatch(
          `${what} "${n.toString()}" uses inconsistent units ("${text(0)}" has ${unitText(args[0]!)}; "${text(k)}" has ${unitText(args[k]!)})`,
        );
      }
    }
    return nums;
  };
  switch (n.type) {
    case "ConstantNode":
      return typeof n.value === "boolean"
        ? { kind: "condition", value: n.value }
        : { kind: "number", dim: DIMENSIONLESS, value: n.value as number };
    case "SymbolNode": {
      const q = lookup(n.name!);
      if (q === undefined) throw new Error(`dimension analysis: unknown name "${n.name}"`);
      return { kind: "number", dim: q.dim, value: q.value };
    }
    case "ParenthesisNode":
      return args[0]!;
    case "ConditionalNode": {
      const [, a, b] = args;
      const nums = [asNumber(a!), asNumber(b!)];
      if (!dimEqual(nums[0]!.dim, nums[1]!.dim)) {
        throw new DimensionMismatch(
          `the two branches of "${n.toString()}" have different units ("${text(1)}" has ${unitText(a!)}; "${text(2)}" has ${unitText(b!)})`,
        );
      }
      const c = args[0]!;
      const value =
        c.kind === "condition" && c.value !== undefined ? (c.value ? nums[0]!.value : nums[1]!.value) : undefined;
      return { kind: "number", dim: nums[0]!.dim, value };
    }
    case "RelationalNode": {
      compare(n, args, (k) => text(k));
      return { kind: "condition", value: undefined };
    }
    case "OperatorNode": {
      const fn = n.fn as string;
      if (COMPARISONS.has(fn)) {
        compare(n, args, (k) => text(k));
        const [a, b] = args.map(asNumber);
        const value =
          a!.value === undefined || b!.value === undefined ? undefined : compareValues(fn, a!.value, b!.value);
        return { kind: "condition", value };
      }
      if (LOGIC.has(fn)) return { kind: "condition", value: undefined };
      const nums = args.map(asNumber);
      const [a, b] = nums;
      switch (fn) {
        case "unaryMinus":
          return { kind: "number", dim: a!.dim, value: a!.value === undefined ? undefined : -a!.value };
        case "unaryPlus":
          return { kind: "number", dim: a!.dim, value: a!.value };
        case "add":
        case "subtract":
        case "mod": {
          same("expression");
          const v =
            a!.value === undefined || b!.value === undefined
              ? undefined
              : fn === "add"
                ? a!.value + b!.value
                : fn === "subtract"
                  ? a!.value - b!.value
                  : a!.value - b!.value * Math.floor(a!.value / b!.value);
          return { kind: "number", dim: a!.dim, value: v };
        }
        case "multiply":
          return {
            kind: "number",
            dim: dimMul(a!.dim, b!.dim),
            value: a!.value === undefined || b!.value === undefined ? undefined : a!.value * b!.value,
          };
        case "divide":
          return {
            kind: "number",
            dim: dimDiv(a!.dim, b!.dim),
            value: a!.value === undefined || b!.value === undefined ? undefined : a!.value / b!.value,
          };
        case "pow":
          return power(n, a!, b!, text(1));
        default:
          throw new DimensionMismatch(`unsupported operator in "${n.toString()}"`);
      }
    }
    case "FunctionNode": {
      const name = (n.fn as MathNode & { name?: string }).name ?? "";
      const nums = args.map(asNumber);
      if (DIMENSIONLESS_FUNCTIONS.has(name)) {
        nums.forEach((q, k) => {
          if (!isDimensionless(q.dim)) {
            throw new DimensionMismatch(
              `argument ${k + 1} of ${name}() must be dimensionless, but "${text(k)}" has ${unitText(args[k]!)}`,
            );
          }
        });
        return {
          kind: "number",
          dim: DIMENSIONLESS,
          value: evaluate(
            name,
            nums.map((q) => q.value),
          ),
        };
      }
      switch (name) {
        case "sqrt":
          return { kind: "number", dim: dimPow(nums[0]!.dim, 0.5), value: evaluate("sqrt", [nums[0]!.value]) };
        case "abs":
        case "floor":
        case "ceil":
          return { kind: "number", dim: nums[0]!.dim, value: evaluate(name, [nums[0]!.value]) };
        case "sign":
          return { kind: "number", dim: DIMENSIONLESS, value: evaluate("sign", [nums[0]!.value]) };
        case "min":
        case "max":
        case "clip": {
          const s = same(`${name}()`);
          return {
            kind: "number",
            dim: s[0]!.dim,
            value: evaluate(
              name,
              s.map((q) => q.value),
            ),
          };
        }
        case "pow":
          return power(n, nums[0]!, nums[1]!, text(1));
        default:
          throw new DimensionMismatch(`unknown function ${name}()`);
      }
    }
    default:
      throw new DimensionMismatch(`unsupported construct "${n.toString()}"`);
  }
}

function compareValues(fn: string, a: number, b: number): boolean {
  switch (fn) {
    case "smaller":
      return a < b;
    case "larger":
      return a > b;
    case "smallerEq":
      return a <= b;
    case "largerEq":
      return a >= b;
    case "equal":
      return a === b;
    default:
      return a !== b;
  }
}

function compare(n: N, args: Quantity[], text: (k: number) => string): void {
  const nums = args.map(asNumber);
  for (let k = 1; k < nums.length; k++) {
    if (!dimEqual(nums[k]!.dim, nums[k - 1]!.dim)) {
      throw new DimensionMismatch(
        `comparison of expressions with different units in "${n.toString()}": "${text(k - 1)}" has ${unitText(args[k - 1]!)}, "${text(k)}" has ${unitText(args[k]!)}`,
      );
    }
  }
}

function power(
  n: N,
  base: { dim: Dimension; value: number | undefined },
  exponent: { dim: Dimension; value: number | undefined },
  exponentText: string,
): Quantity {
  if (!isDimensionless(exponent.dim)) {
    throw new DimensionMismatch(
      `the exponent in "${n.toString()}" must be dimensionless, but "${exponentText}" has unit ${formatDimension(exponent.dim)}`,
    );
  }
  const value = base.value === undefined || exponent.value === undefined ? undefined : base.value ** exponent.value;
  if (isDimensionless(base.dim)) return { kind: "number", dim: DIMENSIONLESS, value };
  if (exponent.value === undefined) {
    throw new DimensionMismatch(
      `in "${n.toString()}" a quantity with units is raised to "${exponentText}", which is not a constant`,
    );
  }
  return { kind: "number", dim: dimPow(base.dim, exponent.value), value };
}
