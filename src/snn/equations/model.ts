/**
 * Parses and checks a neuron model written as equations, Brian2 style:
 *
 *   dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
 *   dge/dt = -ge / taue
 *   I_syn = ge + gi          # a named subexpression
 *   I : 1                    # a per-neuron constant (state, not integrated)
 *
 * One definition per line; `#` starts a comment. After a `:` comes an
 * optional unit and optional flags, `unless refractory` (on a differential
 * equation: the variable is held while refractory) or `constant` (on a
 * per-neuron variable). Brian2's spellings are accepted (`**` for power, `1.`
 * for a float: python-syntax.ts), and so are units: a model written with
 * units (`-50*mV`, parameters such as "20*ms") has its dimensions checked and
 * is converted to the model's unit system (ms, mV, pA, nS, ...) at parse time
 * (quantities.ts); without any unit, numbers are in that system already and
 * the unit after `:` is documentation. Each right-hand side is parsed once
 * by mathjs (`math.parse`) and checked: unknown identifiers, reserved names
 * (t, dt, i, N, pi, e, inf, JavaScript keywords, function names, a leading
 * underscore), duplicate names, cycles among subexpressions, malformed lines,
 * unsupported constructs, reset assignments to anything but a state variable.
 * Every problem is a UserError with code E_EQUATION_INVALID that names the
 * line number and its text. The expressions may use t (ms), dt, i (neuron
 * index) and N (group size) and the functions of FUNCTIONS.
 */
import type { MathNode } from "mathjs";
import { math } from "./math.js";
import { UserError } from "../../core/errors.js";
import { fromPythonSyntax, joinContinuations } from "./python-syntax.js";
import { resolveUnits } from "./quantities.js";
import { unitTable } from "./units.js";
import { EQUATION_LIMITS, type TreeSize, textTooLong, treeSize, treeTooLarge } from "./limits.js";

/**
 * Integration of an equation model: exact (linear systems, by the matrix exponential), forward Euler, RK4 or exponential Euler (as Brian2's methods).
 */
export type EquationMethod = "exact" | "euler" | "rk4" | "exponential-euler";

/** A neuron model as data (what a scenario file can say). */
export interface EquationModelConfig {
  equations: string;
  /**
   * Scalar parameters shared by all neurons: name -> a number (dimensionless, or in the model's
   * units when the model uses no units) or an expression with units ("20*ms", "C/gL").
   */
  parameters: Record<string, number | string>;
  /** A condition on the state after integration, e.g. `v > Vt`. */
  threshold: string;
  /** Statements separated by newlines or `;`: `v = Vr`, `w += b`. May be empty. */
  reset: string;
  refractoryMs?: number;
  /** The refractory period as an expression ("5*ms", "tau_r"); replaces refractoryMs. */
  refractory?: string;
  /** Default: "exact" when the system is linear with constant coefficients, else "euler" (as Brian2). */
  method?: EquationMethod;
  /** Initial value per state variable (default 0). */
  initial?: Record<string, number>;
}

/** Where a piece of text came from, for messages: `equations line 3 ("dv/dt = ...")`. */
export interface Source {
  section: "equations" | "threshold" | "reset" | "parameters" | "initial" | "refractory";
  /** 1-based line within the section; 0 when the section is one line. */
  line: number;
  text: string;
}

export interface DifferentialEquation {
  name: string;
  expr: MathNode;
  unlessRefractory: boolean;
  /** The unit declared after ":", if any. */
  unit?: string;
  source: Source;
}

export interface Subexpression {
  name: string;
  expr: MathNode;
  unit?: string;
  source: Source;
}

export interface ResetStatement {
  target: string;
  op: "=" | "+=" | "-=" | "*=" | "/=";
  expr: MathNode;
  source: Source;
}

/** A parsed and checked model. Subexpressions are in dependency order. */
export interface ParsedModel {
  differential: DifferentialEquation[];
  /** Per-neuron variables without an equation (`I : 1`). */
  perNeuron: { name: string; unit?: string; source: Source }[];
  subexpressions: Subexpression[];
  parameters: Record<string, number>;
  threshold: { expr: MathNode; source: Source };
  reset: ResetStatement[];
  refractoryMs: number;
  method: EquationMethod | undefined;
  initial: Record<string, number>;
  /** Whether the model is written with units (their dimensions were checked, their values converted). */
  withUnits: boolean;
}

/** Functions an expression may call, with their arity (min, max). */
export const FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  exp: [1, 1],
  log: [1, 1],
  log10: [1, 1],
  sqrt: [1, 1],
  abs: [1, 1],
  sin: [1, 1],
  cos: [1, 1],
  tan: [1, 1],
  sinh: [1, 1],
  cosh: [1, 1],
  tanh: [1, 1],
  atan: [1, 1],
  floor: [1, 1],
  ceil: [1, 1],
  sign: [1, 1],
  pow: [2, 2],
  min: [2, Infinity],
  max: [2, Infinity],
  /** clip(x, lo, hi) */
  clip: [3, 3],
  /** exprel(x) = (exp(x) - 1) / x, 1 at x = 0 (Brian2's, for Hodgkin-Huxley rates). */
  exprel: [1, 1],
};

const OPERATORS = new Set([
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
]);

/** Names usable in expressions that a model may not define. */
export const BUILTIN_SYMBOLS = ["t", "dt", "i", "N", "pi", "e", "inf"] as const;

const JS_RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if implements import in instanceof interface let new null package private protected public return " +
    "static super switch this throw true try typeof var void while with yield await arguments eval undefined NaN " +
    "Infinity"
  ).split(" "),
);
const MATHJS_WORDS = new Set(["and", "or", "not", "xor", "mod", "to", "in"]);
const BRIAN_RESERVED = new Set(["lastspike", "not_refractory", "refractory", "xi"]);

/** Names every JavaScript object inherits (toString, constructor, valueOf, __proto__, ...): never a model name. */
const OBJECT_PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Whether `name` is one of FUNCTIONS (own keys only: `toString` is not a function of the language). */
export function isFunctionName(name: string): boolean {
  return Object.hasOwn(FUNCTIONS, name);
}

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;
const UNIT = /^(?:1|[A-Za-z][A-Za-z0-9]*(?:\s*(?:\*\*?|\/|\^)\s*(?:[A-Za-z][A-Za-z0-9]*|-?\d+))*)$/;

/** Characters of a source line quoted in a message; a 40 KB line is cut, not printed whole. */
const QUOTED_CHARS = 80;

export function describeSource(s: Source): string {
  const where = s.line > 0 ? `${s.section} line ${s.line}` : s.section;
  const text = s.text.length > QUOTED_CHARS ? `${s.text.slice(0, QUOTED_CHARS - 3)}...` : s.text;
  return `${where} (${JSON.stringify(text)})`;
}

export function equationError(source: Source, message: string): UserError {
  return new UserError("E_EQUATION_INVALID", `${describeSource(source)}: ${message}`);
}

/** Why `name` cannot be defined by a model, or undefined when it can. */
export function reservedReason(name: string): string | undefined {
  if (!IDENT.test(name)) {
    return name.startsWith("_")
      ? "names starting with an underscore are reserved"
      : "a name must start with a letter and contain only letters, digits and _";
  }
  if ((BUILTIN_SYMBOLS as readonly string[]).includes(name)) return `"${name}" is a reserved name (built-in symbol)`;
  if (JS_RESERVED.has(name)) return `"${name}" is a reserved name (JavaScript keyword)`;
  if (MATHJS_WORDS.has(name)) return `"${name}" is a reserved name (an operator word)`;
  if (BRIAN_RESERVED.has(name)) return `"${name}" is a reserved name`;
  if (isFunctionName(name)) return `"${name}" is a reserved name (a function)`;
  if (OBJECT_PROTOTYPE_NAMES.has(name)) return `"${name}" is a reserved name (a property of every JavaScript object)`;
  return undefined;
}

function parseExpression(text: string, source: Source): MathNode {
  if (text.trim() === "") throw equationError(source, "missing expression");
  const long = textTooLong(text);
  if (long !== undefined) throw equationError(source, long);
  let node: MathNode;
  try {
    node = math().parse(fromPythonSyntax(text));
  } catch (e) {
    if (e instanceof RangeError)
      throw equationError(source, `the expression nests too deeply to parse (at most ${EQUATION_LIMITS.depth} levels)`);
    throw equationError(source, `cannot parse expression: ${(e as Error).message}`);
  }
  // Measured with an explicit stack before any recursive walk (checkConstructs, symbolsOf, the code generator).
  const big = treeTooLarge(treeSize(node), "the expression");
  if (big !== undefined) throw equationError(source, big);
  checkConstructs(node, source);
  return node;
}

/** Only numbers, names, arithmetic, comparisons, logic, conditionals and FUNCTIONS. */
function checkConstructs(node: MathNode, source: Source): void {
  node.traverse((n: MathNode, _path: string, parent: MathNode | null) => {
    switch (n.type) {
      case "ConstantNode": {
        const v = (n as MathNode & { value: unknown }).value;
        if (typeof v !== "number" && typeof v !== "boolean") {
          throw equationError(source, `unsupported constant ${JSON.stringify(v)}`);
        }
        return;
      }
      case "OperatorNode": {
        const fn = (n as MathNode & { fn: string }).fn;
        if (!OPERATORS.has(fn)) throw equationError(source, `unsupported operator "${n.toString()}"`);
        return;
      }
      case "SymbolNode":
      case "ParenthesisNode":
      case "ConditionalNode":
      case "RelationalNode":
        return;
      case "FunctionNode": {
        const f = n as MathNode & { fn: MathNode & { name?: string }; args: MathNode[] };
        const name = f.fn.type === "SymbolNode" ? f.fn.name : undefined;
        const arity = name !== undefined && isFunctionName(name) ? FUNCTIONS[name] : undefined;
        if (name === undefined || arity === undefined) {
          throw equationError(source, `unknown function ${name ?? f.fn.toString()}()`);
        }
        if (f.args.length < arity[0] || f.args.length > arity[1]) {
          throw equationError(
            source,
            `${name}() takes ${arity[0] === arity[1] ? arity[0] : `at least ${arity[0]}`} argument(s), found ${f.args.length}`,
          );
        }
        return;
      }
      default:
        if (parent?.type === "FunctionNode" && n.type === "SymbolNode") return;
        throw equationError(source, `unsupported construct ${n.type} ("${n.toString()}")`);
    }
  });
}

/** Names a mathjs tree refers to (function names excluded). */
export function symbolsOf(node: MathNode): Set<string> {
  const out = new Set<string>();
  node.traverse((n: MathNode, path: string, parent: MathNode | null) => {
    if (n.type === "SymbolNode" && !(parent?.type === "FunctionNode" && path === "fn")) {
      out.add((n as MathNode & { name: string }).name);
    }
  });
  return out;
}

interface Annotation {
  unlessRefractory: boolean;
  constant: boolean;
  unit?: string;
}

/** Parses the text after `:`: `[unit] [(flags)]` or a bare flag list. Undefined when it is not an annotation. */
function parseAnnotation(text: string): Annotation | { error: string } | undefined {
  let t = text.trim();
  let flagText = "";
  const paren = /\(([^()]*)\)\s*$/.exec(t);
  if (paren) {
    flagText = paren[1]!;
    t = t.slice(0, paren.index).trim();
  } else if (/^(unless\s+refractory|constant)(\s*,\s*(unless\s+refractory|constant))*$/.test(t)) {
    flagText = t;
    t = "";
  }
  if (t !== "" && !UNIT.test(t)) return undefined;
  const a: Annotation = { unlessRefractory: false, constant: false, ...(t !== "" ? { unit: t } : {}) };
  if (flagText.trim() === "") return paren ? { error: "empty flag list ()" } : a;
  for (const raw of flagText.split(",")) {
    const f = raw.trim().replace(/\s+/g, " ");
    if (f === "unless refractory") a.unlessRefractory = true;
    else if (f === "constant") a.constant = true;
    else return { error: `unknown flag "${f}" (expected "unless refractory" or "constant")` };
  }
  return a;
}

/**
 * Splits `lhs = rhs : annotation`. The annotation is after the last `:` when
 * that text reads as one and the rest parses; otherwise (a conditional
 * `c ? a : b`) the whole text is the expression.
 */
function splitAnnotation(rhs: string): { expr: string; annotation: Annotation | { error: string } | undefined } {
  const k = rhs.lastIndexOf(":");
  if (k < 0) return { expr: rhs, annotation: undefined };
  const ann = parseAnnotation(rhs.slice(k + 1));
  if (ann === undefined) return { expr: rhs, annotation: undefined };
  const expr = rhs.slice(0, k);
  if (expr.includes("?")) {
    try {
      math().parse(fromPythonSyntax(expr));
    } catch {
      return { expr: rhs, annotation: undefined };
    }
  }
  return { expr, annotation: ann };
}

function splitLines(text: string): { line: number; text: string; body: string }[] {
  return text.split(/\r?\n/).map((raw, k) => {
    const hash = raw.indexOf("#");
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    return { line: k + 1, text: raw.trim(), body };
  });
}

const DIFF_LINE = /^d\s*([A-Za-z_][A-Za-z0-9_]*)\s*\/\s*dt\s*=(.*)$/;
const SUB_LINE = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)(.*)$/;
const VAR_LINE = /^([A-Za-z_][A-Za-z0-9_]*)\s*:(.*)$/;
const RESET_LINE = /^([A-Za-z_][A-Za-z0-9_]*)\s*(\+=|-=|\*=|\/=|=)(?!=)(.*)$/;

/** Parses and checks a model; throws a UserError (E_EQUATION_INVALID) naming the line. */
export function parseModel(config: EquationModelConfig): ParsedModel {
  const defined = new Map<string, Source>();
  const define = (name: string, source: Source): void => {
    const why = reservedReason(name);
    if (why !== undefined) throw equationError(source, `cannot define "${name}": ${why}`);
    const prior = defined.get(name);
    if (prior !== undefined) {
      throw equationError(source, `"${name}" is already defined at ${describeSource(prior)}`);
    }
    defined.set(name, source);
  };

  if (typeof config.equations !== "string") {
    throw new UserError("E_EQUATION_INVALID", "equations: expected a string of equation lines");
  }
  const differential: DifferentialEquation[] = [];
  const perNeuron: { name: string; unit?: string; source: Source }[] = [];
  const subs: Subexpression[] = [];

  for (const [section, text] of [
    ["equations", config.equations],
    ["threshold", config.threshold],
    ["reset", config.reset],
  ] as const) {
    const long = typeof text === "string" ? textTooLong(text) : undefined;
    if (long !== undefined) throw new UserError("E_EQUATION_INVALID", `${section}: ${long}`);
  }
  for (const l of joinContinuations(splitLines(config.equations))) {
    if (l.body === "") continue;
    if (defined.size >= EQUATION_LIMITS.definitions) {
      throw equationError(
        { section: "equations", line: l.line, text: l.text },
        `more than ${EQUATION_LIMITS.definitions} definitions; a model may define at most ${EQUATION_LIMITS.definitions} names`,
      );
    }
    const source: Source = { section: "equations", line: l.line, text: l.text };
    let m: RegExpExecArray | null;
    if ((m = DIFF_LINE.exec(l.body))) {
      const { expr, annotation } = splitAnnotation(m[2]!);
      if (annotation !== undefined && "error" in annotation) throw equationError(source, annotation.error);
      if (annotation?.constant)
        throw equationError(
          source,
          `the flag "constant" applies to per-neuron variables, not to a differential equation`,
        );
      define(m[1]!, source);
      differential.push({
        name: m[1]!,
        expr: parseExpression(expr, source),
        unlessRefractory: annotation?.unlessRefractory ?? false,
        ...(annotation?.unit !== undefined ? { unit: annotation.unit } : {}),
        source,
      });
    } else if ((m = SUB_LINE.exec(l.body))) {
      const { expr, annotation } = splitAnnotation(m[2]!);
      if (annotation !== undefined && "error" in annotation) throw equationError(source, annotation.error);
      if (annotation?.unlessRefractory || annotation?.constant) {
        throw equationError(
          source,
          "flags apply to differential equations and per-neuron variables, not to a subexpression",
        );
      }
      define(m[1]!, source);
      subs.push({
        name: m[1]!,
        expr: parseExpression(expr, source),
        ...(annotation?.unit !== undefined ? { unit: annotation.unit } : {}),
        source,
      });
    } else if ((m = VAR_LINE.exec(l.body))) {
      const annotation = parseAnnotation(m[2]!);
      if (annotation === undefined) throw equationError(source, `cannot read the unit/flags "${m[2]!.trim()}"`);
      if ("error" in annotation) throw equationError(source, annotation.error);
      if (annotation.unlessRefractory)
        throw equationError(source, `"unless refractory" applies to differential equations only`);
      define(m[1]!, source);
      perNeuron.push({ name: m[1]!, ...(annotation.unit !== undefined ? { unit: annotation.unit } : {}), source });
    } else {
      throw equationError(
        source,
        "malformed line: expected `dx/dt = expression`, `name = expression` or `name : unit`, each optionally followed by `: unit (flags)`",
      );
    }
  }
  if (differential.length === 0) {
    throw new UserError("E_EQUATION_INVALID", "equations: at least one differential equation `dx/dt = ...` is needed");
  }

  // Parameters: scalar, finite, not reserved, not clashing with a model name; numbers or expressions.
  const parameters: Record<string, number> = {};
  const parameterExprs: { name: string; expr: MathNode; source: Source }[] = [];
  for (const [name, value] of Object.entries(config.parameters ?? {})) {
    const source: Source = { section: "parameters", line: 0, text: `${name} = ${String(value)}` };
    define(name, source);
    if (typeof value === "string") parameterExprs.push({ name, expr: parseExpression(value, source), source });
    else if (typeof value !== "number" || !Number.isFinite(value)) {
      throw equationError(
        source,
        `parameter "${name}" must be a finite number or an expression, found ${String(value)}`,
      );
    } else parameters[name] = value;
  }

  const stateNames = new Set([...differential.map((d) => d.name), ...perNeuron.map((p) => p.name)]);
  const subNames = new Map(subs.map((s) => [s.name, s]));
  const parameterNames = new Set([...Object.keys(parameters), ...parameterExprs.map((p) => p.name)]);
  const known = (n: string): boolean =>
    stateNames.has(n) ||
    subNames.has(n) ||
    parameterNames.has(n) ||
    (BUILTIN_SYMBOLS as readonly string[]).includes(n) ||
    unitTable().has(n);
  const checkKnown = (expr: MathNode, source: Source): void => {
    for (const n of symbolsOf(expr)) {
      if (!known(n)) throw equationError(source, `unknown identifier "${n}"`);
    }
  };
  for (const d of differential) checkKnown(d.expr, d.source);
  for (const s of subs) checkKnown(s.expr, s.source);

  const ordered = orderSubexpressions(subs, subNames);
  // The integrators write subexpressions out in full: bound every expression as it will be walked.
  const inlined = new Map<string, TreeSize>();
  for (const s of ordered) {
    const size = treeSize(s.expr, inlined);
    const big = treeTooLarge(size, `"${s.name}", with the subexpressions it uses written out,`);
    if (big !== undefined) throw equationError(s.source, big);
    inlined.set(s.name, size);
  }
  const checkInlined = (expr: MathNode, source: Source): void => {
    const big = treeTooLarge(treeSize(expr, inlined), "with its subexpressions written out, the expression");
    if (big !== undefined) throw equationError(source, big);
  };
  for (const d of differential) checkInlined(d.expr, d.source);

  // Threshold: one condition.
  const thresholdText = typeof config.threshold === "string" ? config.threshold.trim() : "";
  const thresholdSource: Source = { section: "threshold", line: 0, text: thresholdText };
  if (thresholdText === "") throw equationError(thresholdSource, "a threshold condition is needed, e.g. `v > Vt`");
  const thresholdExpr = parseExpression(thresholdText, thresholdSource);
  checkKnown(thresholdExpr, thresholdSource);
  checkInlined(thresholdExpr, thresholdSource);
  if (!isCondition(thresholdExpr)) {
    throw equationError(
      thresholdSource,
      "the threshold must be a condition (a comparison such as `v > Vt`, or and/or/not of comparisons)",
    );
  }

  // Reset: statements assigning state variables.
  const reset: ResetStatement[] = [];
  const resetText = typeof config.reset === "string" ? config.reset : "";
  for (const l of splitLines(resetText)) {
    const parts = l.body.split(";");
    for (const part of parts) {
      const body = part.trim();
      if (body === "") continue;
      const source: Source = { section: "reset", line: l.line, text: l.text };
      const m = RESET_LINE.exec(body);
      if (!m)
        throw equationError(
          source,
          `malformed statement "${body}": expected \`variable = expression\` (or +=, -=, *=, /=)`,
        );
      const target = m[1]!;
      if (!stateNames.has(target)) {
        const what = subNames.has(target)
          ? "a subexpression"
          : parameterNames.has(target)
            ? "a parameter"
            : (BUILTIN_SYMBOLS as readonly string[]).includes(target)
              ? "a built-in symbol"
              : "not defined";
        throw equationError(
          source,
          `cannot assign to "${target}": only state variables can be reset ("${target}" is ${what})`,
        );
      }
      const expr = parseExpression(m[3]!, source);
      checkKnown(expr, source);
      checkInlined(expr, source);
      reset.push({ target, op: m[2] as ResetStatement["op"], expr, source });
    }
  }

  const refractoryMs = config.refractoryMs ?? 0;
  if (typeof refractoryMs !== "number" || !Number.isFinite(refractoryMs) || refractoryMs < 0) {
    throw new UserError(
      "E_EQUATION_INVALID",
      `refractoryMs must be a non-negative number, found ${String(refractoryMs)}`,
    );
  }
  const refractory = parseRefractory(config, known);
  const methods: EquationMethod[] = ["exact", "euler", "rk4", "exponential-euler"];
  if (config.method !== undefined && !methods.includes(config.method)) {
    throw new UserError(
      "E_EQUATION_INVALID",
      `method must be one of ${methods.map((x) => `"${x}"`).join(", ")}, found "${String(config.method)}"`,
    );
  }
  const initial: Record<string, number> = {};
  for (const [name, value] of Object.entries(config.initial ?? {})) {
    const source: Source = { section: "initial", line: 0, text: `${name} = ${String(value)}` };
    if (!stateNames.has(name)) throw equationError(source, `"${name}" is not a state variable`);
    if (typeof value !== "number" || !Number.isFinite(value)) throw equationError(source, "expected a finite number");
    initial[name] = value;
  }

  const units = resolveUnits(
    {
      differential: differential.map((d) => ({ ...d, unit: d.unit })),
      subexpressions: ordered.map((s) => ({ ...s, unit: s.unit })),
      perNeuron: perNeuron.map((p) => ({ ...p, unit: p.unit })),
      numbers: parameters,
      expressions: parameterExprs,
      threshold: { expr: thresholdExpr, source: thresholdSource },
      reset,
      refractory,
    },
    equationError,
  );
  const c = units.convert;
  return {
    differential: differential.map((d) => ({ ...d, expr: c(d.expr) })),
    perNeuron,
    subexpressions: ordered.map((s) => ({ ...s, expr: c(s.expr) })),
    parameters: units.parameters,
    threshold: { expr: c(thresholdExpr), source: thresholdSource },
    reset: reset.map((r) => ({ ...r, expr: c(r.expr) })),
    refractoryMs: units.refractoryMs ?? refractoryMs,
    method: config.method,
    initial,
    withUnits: units.withUnits,
  };
}

/** The refractory period given as an expression (`refractory: "5*ms"`), parsed and checked for known names. */
function parseRefractory(
  config: EquationModelConfig,
  known: (name: string) => boolean,
): { expr: MathNode; source: Source } | undefined {
  if (config.refractory === undefined) return undefined;
  const text = String(config.refractory);
  const source: Source = { section: "refractory", line: 0, text };
  if (config.refractoryMs !== undefined) {
    throw equationError(source, "give the refractory period once: refractory (an expression) or refractoryMs");
  }
  const expr = parseExpression(text, source);
  for (const n of symbolsOf(expr)) if (!known(n)) throw equationError(source, `unknown identifier "${n}"`);
  return { expr, source };
}

/**
 * Topological order of subexpressions; a cycle is an error naming its lines.
 * Depth-first with an explicit stack: a chain of thousands of subexpressions
 * must not overflow the call stack.
 */
function orderSubexpressions(subs: Subexpression[], byName: Map<string, Subexpression>): Subexpression[] {
  const state = new Map<string, "visiting" | "done">();
  const out: Subexpression[] = [];
  for (const first of subs) {
    if (state.has(first.name)) continue;
    // Each frame: a subexpression and the dependencies still to visit (reversed: popped in order); the frames form the current path.
    const stack: { s: Subexpression; deps: string[] }[] = [{ s: first, deps: [...symbolsOf(first.expr)].reverse() }];
    state.set(first.name, "visiting");
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const dep = top.deps.pop();
      if (dep === undefined) {
        stack.pop();
        state.set(top.s.name, "done");
        out.push(top.s);
        continue;
      }
      const d = byName.get(dep);
      if (d === undefined) continue;
      const st = state.get(dep);
      if (st === "done") continue;
      if (st === "visiting") {
        const path = stack.map((f) => f.s);
        const cycle = [...path.slice(path.indexOf(d)), d];
        throw equationError(
          d.source,
          `subexpressions form a cycle: ${cycle.map((c) => c.name).join(" -> ")} (lines ${cycle
            .slice(0, -1)
            .map((c) => c.source.line)
            .join(", ")})`,
        );
      }
      state.set(dep, "visiting");
      stack.push({ s: d, deps: [...symbolsOf(d.expr)].reverse() });
    }
  }
  return out;
}

const CONDITION_OPS = new Set(["smaller", "larger", "smallerEq", "largerEq", "equal", "unequal", "and", "or", "not"]);

function isCondition(node: MathNode): boolean {
  if (node.type === "ParenthesisNode") return isCondition((node as MathNode & { content: MathNode }).content);
  if (node.type === "RelationalNode") return true;
  if (node.type === "ConstantNode") return typeof (node as MathNode & { value: unknown }).value === "boolean";
  if (node.type === "OperatorNode") return CONDITION_OPS.has((node as MathNode & { fn: string }).fn);
  return false;
}
