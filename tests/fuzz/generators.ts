/**
 * fast-check generators for the fuzz properties: mutations of every bundled
 * scenario, equation models from a grammar, and the caps that keep a
 * generated run cheap (a fuzz case must take milliseconds, not minutes).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";

export const scenariosDir = join(import.meta.dirname, "..", "..", "scenarios");

/** Every bundled scenario, parsed: the seeds of the mutations. */
export const bundled: { name: string; raw: Record<string, unknown> }[] = readdirSync(scenariosDir)
  .filter((f) => f.endsWith(".json") && f !== "schema.json")
  .sort()
  .map((f) => ({ name: f, raw: JSON.parse(readFileSync(join(scenariosDir, f), "utf8")) as Record<string, unknown> }));

/** Values a careless or hostile file puts anywhere: edge numbers, prototype names, paths, wrong types. */
export const INTERESTING: readonly unknown[] = [
  0,
  -1,
  1,
  2,
  3,
  0.5,
  1e-9,
  1e-3,
  100,
  1e3,
  1e6,
  1e9,
  1e300,
  -1e300,
  2 ** 31,
  "",
  "x",
  "v",
  "ge",
  "iExt",
  "toString",
  "constructor",
  "__proto__",
  "valueOf",
  "../../../../nc-fuzz-victim",
  "a/b\\c",
  "CON",
  "\u202eevil",
  "mlp",
  "lsm",
  "lif",
  "probability",
  "v > 1",
  "dv/dt = -v/tau",
  true,
  false,
  null,
  [],
  {},
  [0],
  [1, 2],
  [1e6],
  { type: "mlp" },
  { type: "sgd", learningRate: 100, momentum: 0.999 },
  { uniform: [0, 1] },
];

/** Keys a mutation adds. */
const KEYS = [
  "extra",
  "name",
  "hidden",
  "size",
  "__proto__",
  "toString",
  "dtMs",
  "variable",
  "indices",
  "format",
  "kind",
];

type Json = unknown;
type Path = (string | number)[];

/** Every path in a value, breadth first, with an explicit queue (at most `limit`). */
export function pathsOf(root: Json, limit = 2000): Path[] {
  const out: Path[] = [[]];
  const queue: { v: Json; p: Path }[] = [{ v: root, p: [] }];
  while (queue.length > 0 && out.length < limit) {
    const { v, p } = queue.shift()!;
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push([...p, i]);
        queue.push({ v: x, p: [...p, i] });
      });
    } else if (v !== null && typeof v === "object") {
      for (const k of Object.keys(v)) {
        out.push([...p, k]);
        queue.push({ v: (v as Record<string, Json>)[k], p: [...p, k] });
      }
    }
  }
  return out;
}

export type MutationOp = "replace" | "delete" | "insert" | "duplicate" | "scale";

export interface Mutation {
  at: number;
  op: MutationOp;
  value: Json;
  key: string;
  factor: number;
}

function setOwn(obj: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies one mutation to a deep copy's node at path index `at` (mod the number of paths). */
export function mutate(root: Json, m: Mutation): Json {
  const copy = JSON.parse(JSON.stringify(root)) as Json;
  const paths = pathsOf(copy);
  const path = paths[m.at % paths.length]!;
  if (path.length === 0) return m.op === "replace" ? m.value : copy;
  let parent = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  const here = parent[last];
  switch (m.op) {
    case "replace":
      if (typeof last === "string") setOwn(parent as Record<string, Json>, last, m.value);
      else parent[last] = m.value;
      break;
    case "delete":
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      break;
    case "insert":
      if (here !== null && typeof here === "object" && !Array.isArray(here))
        setOwn(here as Record<string, Json>, m.key, m.value);
      else if (Array.isArray(here)) here.push(m.value);
      break;
    case "duplicate":
      if (Array.isArray(parent)) parent.splice(last as number, 0, JSON.parse(JSON.stringify(here ?? null)));
      else if (Array.isArray(here) && here.length > 0) here.push(JSON.parse(JSON.stringify(here[0])));
      break;
    case "scale":
      if (typeof here === "number") parent[last] = here * m.factor;
      break;
  }
  return copy;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat({ max: 100_000 }),
  op: fc.constantFrom<MutationOp>("replace", "replace", "delete", "insert", "duplicate", "scale"),
  value: fc.constantFrom(...INTERESTING),
  key: fc.constantFrom(...KEYS),
  factor: fc.constantFrom(0, -1, 0.1, 10, 1000, 1e6),
});

/** A bundled scenario with one to three mutations. */
export const scenarioArb: fc.Arbitrary<{ base: string; raw: Json }> = fc
  .record({ base: fc.nat({ max: bundled.length - 1 }), muts: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) })
  .map(({ base, muts }) => {
    let raw: Json = bundled[base]!.raw;
    for (const m of muts) raw = mutate(raw, m);
    return { base: bundled[base]!.name, raw };
  });

/** Lowers positive numbers at the keys that set a run's size or length; anything else (invalid values too) stays. */
const CAPS: Readonly<Record<string, number>> = {
  trainSize: 32,
  testSize: 12,
  // Pruning schedules need their epochs and batches: kept, since the training set is small.
  epochs: 20,
  durationMs: 5,
  size: 5000,
  excitatory: 20,
  hidden: 64,
  samples: 8,
  costSamples: 8,
  repeats: 1,
  presentationMs: 20,
  restMs: 5,
  steps: 10,
  filters: 8,
  units: 64,
  assignmentWindow: 100,
  k: 20,
  neuronsPerFeature: 3,
  // Routing networks: 40 nodes and a budget between the growth tree's 78 edges and the complete start's 1,560.
  nodes: 40,
  edgeBudget: 120,
  pairsPerInterval: 50,
  testPairs: 50,
  damageTrials: 2,
};

/** The generated scenario at capped sizes: the same validity, a cost of milliseconds. Iterative: any depth. */
export function capped(root: Json): Json {
  const copy = JSON.parse(JSON.stringify(root)) as Json;
  const stack: Json[] = [copy];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== "object") continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    const o = v as Record<string, Json>;
    for (const k of Object.keys(o)) {
      const cap = Object.hasOwn(CAPS, k) ? CAPS[k]! : undefined;
      const x = o[k];
      if (cap !== undefined && typeof x === "number" && x > cap) o[k] = cap;
      else if (cap !== undefined && Array.isArray(x)) o[k] = x.map((y) => (typeof y === "number" && y > cap ? cap : y));
      else if (k === "seeds" && Array.isArray(x) && x.length > 1) o[k] = x.slice(0, 1);
      else stack.push(x);
    }
  }
  // Task sizes a file leaves to their defaults (MNIST's 8,000 digits) are capped too.
  const task = (copy as Record<string, Json> | null)?.["task"];
  if (task !== null && typeof task === "object" && !Array.isArray(task)) {
    const t = task as Record<string, Json>;
    for (const k of ["trainSize", "testSize"] as const) if (!Object.hasOwn(t, k)) t[k] = CAPS[k]!;
  }
  return copy;
}

// ---- Equations from a grammar ----

/** Mostly names a model defines, now and then one it must refuse (inherited, built-in misuse, undefined). */
const names = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom("v", "w", "tau", "El", "I", "t", "dt", "i", "N", "pi", "e") },
  { weight: 1, arbitrary: fc.constantFrom("x", "toString", "constructor", "__proto__", "valueOf", "undefined_name") },
);
const numbers = fc.constantFrom("0", "1", "2", "0.5", "1e-3", "1e3", "-1", "1e308");
const functions = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom("exp", "log", "sqrt", "abs", "tanh", "clip", "pow", "min", "max", "exprel", "sign"),
  },
  { weight: 1, arbitrary: fc.constantFrom("toString", "constructor", "nosuch") },
);

/** Arity of the functions the language has (the rest get any count, and are refused anyway). */
const ARITY: Readonly<Record<string, number>> = { pow: 2, clip: 3, min: 2, max: 2 };

/** Expressions of the equation language, with the odd wrong one (unknown names, bad arity, stray operators). */
export const expressionArb: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 6, arbitrary: names },
    { weight: 4, arbitrary: numbers },
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          tie("expr"),
          fc.constantFrom("+", "-", "*", "/", "+", "-", "*", "/", "^", "**", "%", "<", ">", "<=", "==", "and", "or"),
          tie("expr"),
        )
        .map(([a, op, b]) => `(${a} ${op} ${b})`),
    },
    { weight: 2, arbitrary: tie("expr").map((a) => `-${a}`) },
    { weight: 1, arbitrary: tie("expr").map((a) => `not ${a}`) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(functions, fc.array(tie("expr"), { minLength: 0, maxLength: 4 }), fc.boolean())
        .map(([f, args, exact]) => {
          // Mostly the right number of arguments; sometimes any number.
          const n = exact ? (Object.hasOwn(ARITY, f) ? ARITY[f]! : 1) : args.length;
          const list = Array.from({ length: n }, (_, k) => args[k] ?? "v");
          return `${f}(${list.join(", ")})`;
        }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(tie("expr"), tie("expr"), tie("expr")).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    },
    // Long chains, past the depth limit now and then.
    {
      weight: 1,
      arbitrary: fc
        .tuple(names, fc.constantFrom(" + ", " * ", " - "), fc.constantFrom(10, 60, 250))
        .map(([n, op, k]) => Array(k).fill(n).join(op)),
    },
  ),
})).expr;

/** A network scenario around generated equations: one small group, a millisecond of simulation. */
export const equationScenarioArb: fc.Arbitrary<Json> = fc
  .record({
    dv: expressionArb,
    dw: fc.option(expressionArb, { nil: undefined }),
    sub: fc.option(expressionArb, { nil: undefined }),
    threshold: fc.oneof(
      { weight: 1, arbitrary: expressionArb },
      {
        weight: 3,
        arbitrary: fc.tuple(expressionArb, fc.constantFrom(">", "<", ">=")).map(([e, op]) => `v ${op} ${e}`),
      },
      { weight: 2, arbitrary: fc.constant("v > 1") },
    ),
    reset: fc.oneof(
      expressionArb.map((e) => `v = ${e}`),
      fc.constant("v = 0"),
      fc.constant(""),
    ),
    method: fc.constantFrom(undefined, "euler", "rk4", "exact", "exponential-euler"),
    refractoryMs: fc.constantFrom(undefined, 0, 2),
  })
  .map((g) => ({
    kind: "network",
    name: "fuzz-eq",
    description: "generated equations",
    dtMs: 0.1,
    durationMs: 1,
    groups: [
      {
        name: "G",
        size: 5,
        model: {
          type: "equations",
          equations: [
            `dv/dt = ${g.dv}`,
            ...(g.dw !== undefined ? [`dw/dt = ${g.dw}`] : []),
            ...(g.sub !== undefined ? [`x = ${g.sub}`] : []),
            "I : 1",
          ].join("\n"),
          parameters: { tau: 10, El: -60 },
          threshold: g.threshold,
          reset: g.reset,
          ...(g.method !== undefined ? { method: g.method } : {}),
          ...(g.refractoryMs !== undefined ? { refractoryMs: g.refractoryMs } : {}),
        },
      },
    ],
    currents: [{ target: "G", variable: "I", amplitude: 1 }],
    monitors: { state: [{ group: "G", variables: ["v"], indices: [0] }] },
  }));
