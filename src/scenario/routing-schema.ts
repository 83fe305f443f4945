/**
 * The "routing" scenario kind: Navlakha, Barth & Bar-Joseph 2015's network
 * design problem. Strategies (pruning at a constant, increasing or
 * decreasing rate, growth from a spanning tree, random edges) build a
 * network of n nodes and B edges from a stream of source-target pairs drawn
 * from a distribution, interval by interval; test pairs from the same
 * distribution then measure efficiency and robustness.
 *
 * Its own kind rather than a learning scenario because a routing network
 * classifies nothing: the Learner interface (train on a batch, count correct
 * predictions) would have to fake an accuracy. Results still come as the
 * tidy rows of metrics.csv (strategy in the learner column, interval in the
 * epoch column), one unit per strategy (or sweep point) and seed.
 *
 * A sweep varies settings of every strategy at once: a dotted path under
 * task, network, training or evaluation, or strategy.<key> for a key of each
 * strategy's config (the strategies listed must all accept it). `sweepMode`
 * "grid" runs every combination of the swept values; "one-at-a-time" runs
 * the scenario as written and then each swept value alone, the others at
 * the scenario's own settings (a check that a conclusion does not hang on
 * any one choice, at a cost that adds up instead of multiplying).
 */
import { CURRENT_FORMAT } from "./format.js";
import { z } from "zod";
import { UserError } from "../core/errors.js";
import { routingStrategySchema, strategyName, type RoutingStrategyConfig } from "../learners/routing/strategy.js";
import { routingTaskSchema } from "../tasks/routing.js";
import type { LearnerInfo } from "./sweep.js";
import { possibleEdges } from "../tasks/routing-networks.js";

const seedList = z
  .array(
    z
      .int()
      .min(0)
      .max(2 ** 31 - 1),
  )
  .min(1)
  .default([0])
  .describe("every strategy runs once per seed; several seeds give confidence intervals");

export const routingNetworkSchema = z.strictObject({
  initialDensity: z
    .number()
    .gt(0)
    .max(1)
    .default(1)
    .describe(
      "pruning strategies start with this fraction of the n(n-1) possible directed edges, drawn at random (1: every edge, the complete digraph)",
    ),
  edgeBudget: z.int().min(1).describe("B: the edges every strategy's network has at the end"),
});

export const routingTrainingSchema = z.strictObject({
  intervals: z.int().min(1).max(1000).default(10).describe("training intervals; each ends with pruning or growth"),
  pairsPerInterval: z
    .int()
    .min(1)
    .max(1_000_000)
    .default(500)
    .describe("source-target pairs routed in each interval (each strategy sees the same pairs)"),
});

export const routingEvaluationSchema = z.strictObject({
  testPairs: z.int().min(1).max(1_000_000).default(1000).describe("test pairs drawn from the same distribution"),
  alternativeSlackHops: z
    .int()
    .min(0)
    .max(100)
    .default(1)
    .describe(
      "robustness: an alternative path counts when it is at most this many hops longer than the pair's shortest path",
    ),
  damageFractions: z
    .array(z.number().min(0).max(1))
    .max(20)
    .default([0.1, 0.3])
    .describe("fractions of edges, and of nodes, removed at random before counting the test pairs still routable"),
  damageTrials: z.int().min(1).max(1000).default(10).describe("random damage patterns averaged per fraction"),
});

const settingsSchemas = {
  task: routingTaskSchema,
  network: routingNetworkSchema,
  training: routingTrainingSchema,
  evaluation: routingEvaluationSchema,
} as const;

export const routingSweepSchema = z
  .array(
    z.strictObject({
      parameter: z
        .string()
        .regex(
          /^(task|network|training|evaluation|strategy)(\.[A-Za-z_][A-Za-z0-9_]*)+$/,
          'a dotted path under task, network, training, evaluation or strategy, such as "network.initialDensity"',
        )
        .refine(
          (p) => !p.split(".").some((k) => ["__proto__", "prototype", "constructor"].includes(k)),
          "a config key (not __proto__, prototype or constructor)",
        ),
      values: z
        .array(z.union([z.number(), z.string(), z.boolean()]))
        .min(1)
        .max(50),
    }),
  )
  .default([])
  .describe("settings varied for every strategy: each strategy runs at every combination of values, with every seed");

const routingScenarioObject = z.strictObject({
  $schema: z.string().optional().describe("path to scenarios/schema.json, for editors"),
  format: z
    .literal(CURRENT_FORMAT)
    .optional()
    .describe("the scenario format version the file is written in; `neurocompare migrate` updates older files"),
  kind: z.literal("routing"),
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, "a lower-case name of letters, digits, '.', '_' or '-'")
    .describe("names the results folder: results/<name>/"),
  description: z.string().default("").describe("one line, shown by `neurocompare list` and in the report"),
  task: routingTaskSchema.default({
    nodes: 1000,
    distribution: { type: "2-patch", sourceFraction: 0.5, targetFraction: 0.5 },
  }),
  network: routingNetworkSchema,
  training: routingTrainingSchema.default({ intervals: 10, pairsPerInterval: 500 }),
  strategies: z.array(routingStrategySchema).min(1).describe("built side by side from the same pairs and seeds"),
  evaluation: routingEvaluationSchema.default({
    testPairs: 1000,
    alternativeSlackHops: 1,
    damageFractions: [0.1, 0.3],
    damageTrials: 10,
  }),
  seeds: seedList,
  sweep: routingSweepSchema,
  sweepMode: z
    .enum(["grid", "one-at-a-time"])
    .default("grid")
    .describe(
      "grid: every combination of the swept values; one-at-a-time: the scenario as written, then each swept value alone with everything else as written",
    ),
});

/** The settings every strategy of a routing scenario shares (one sweep point's worth). */
export type RoutingSettings = Pick<
  z.output<typeof routingScenarioObject>,
  "task" | "network" | "training" | "evaluation"
>;

/** One sweep point: its settings, each strategy's config there, and the swept values (empty without a sweep). */
export interface RoutingPoint {
  settings: RoutingSettings;
  strategies: RoutingStrategyConfig[];
  params: Record<string, string | number | boolean>;
}

/** A problem found while expanding a sweep, located for the validator. */
interface Problem {
  path: (string | number)[];
  message: string;
}

function setPath(target: Record<string, unknown>, keys: readonly string[], value: unknown): boolean {
  let node = target;
  for (const k of keys.slice(0, -1)) {
    if (!Object.hasOwn(node, k)) node[k] = {};
    const next = node[k];
    if (typeof next !== "object" || next === null || Array.isArray(next)) return false;
    node = next as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
  return true;
}

/** The settings and strategies at every combination of swept values (the last entry varying fastest). */
export function expandRoutingSweep(s: {
  task: unknown;
  network: unknown;
  training: unknown;
  evaluation: unknown;
  strategies: readonly RoutingStrategyConfig[];
  sweep: readonly { parameter: string; values: readonly (string | number | boolean)[] }[];
  sweepMode?: "grid" | "one-at-a-time";
}): { points: RoutingPoint[]; problems: Problem[] } {
  // Each combination: for every sweep entry, the index of its value, or -1 for the scenario's own setting.
  let combos: number[][] = [[]];
  if (s.sweepMode === "one-at-a-time") {
    combos = [s.sweep.map(() => -1)];
    s.sweep.forEach((e, i) => {
      e.values.forEach((_, j) => combos.push(s.sweep.map((_f, k) => (k === i ? j : -1))));
    });
  } else for (const e of s.sweep) combos = combos.flatMap((c) => e.values.map((_, j) => [...c, j]));
  const problems: Problem[] = [];
  const points: RoutingPoint[] = [];
  for (const at of combos) {
    const params: Record<string, string | number | boolean> = {};
    s.sweep.forEach((e, i) => {
      if (at[i]! >= 0) params[e.parameter] = e.values[at[i]!]!;
    });
    const raw: Record<string, unknown> = structuredClone({
      task: s.task,
      network: s.network,
      training: s.training,
      evaluation: s.evaluation,
    });
    const strategies = s.strategies.map((c) => structuredClone(c) as Record<string, unknown>);
    s.sweep.forEach((e, i) => {
      if (at[i]! < 0) return;
      const keys = e.parameter.split(".");
      const value = e.values[at[i]!];
      if (keys[0] === "strategy") strategies.forEach((c) => setPath(c, keys.slice(1), value));
      else setPath(raw, keys, value);
    });
    const settings: Record<string, unknown> = {};
    let ok = true;
    for (const [key, schema] of Object.entries(settingsSchemas)) {
      const r = schema.safeParse(raw[key]);
      if (r.success) settings[key] = r.data;
      else {
        ok = false;
        const i = s.sweep.findIndex((e, k) => e.parameter.startsWith(`${key}.`) && at[k]! >= 0);
        problems.push({
          path: i < 0 ? [key] : ["sweep", i, "values", at[i]!],
          message: `a value that ${key} accepts|${r.error.issues[0]?.message ?? "a value it refuses"}`,
        });
      }
    }
    const parsed: RoutingStrategyConfig[] = [];
    strategies.forEach((c, k) => {
      const r = routingStrategySchema.safeParse(c);
      if (r.success) parsed.push(r.data);
      else {
        ok = false;
        const i = s.sweep.findIndex((e, j) => e.parameter.startsWith("strategy.") && at[j]! >= 0);
        problems.push({
          path: i < 0 ? ["strategies", k] : ["sweep", i, "values", at[i]!],
          message: `a setting strategy ${strategyName(s.strategies[k]!)} accepts|${r.error.issues[0]?.message ?? "a value it refuses"}`,
        });
      }
    });
    if (ok) points.push({ settings: settings as RoutingSettings, strategies: parsed, params });
  }
  return { points, problems };
}

/** Problems of one point: B must fit between the growth tree and the pruning start; the targets need a node. */
function pointProblems(p: RoutingPoint): Problem[] {
  const n = p.settings.task.nodes;
  const possible = possibleEdges(n);
  const B = p.settings.network.edgeBudget;
  const initial = Math.round(p.settings.network.initialDensity * possible);
  const budget = (message: string) => out.push({ path: ["network", "edgeBudget"], message });
  const out: Problem[] = [];
  const d = p.settings.task.distribution;
  if (n - Math.max(1, Math.round(d.sourceFraction * n)) < 1)
    out.push({
      path: ["task", "distribution", "sourceFraction"],
      message: `patches that leave at least one node for the targets|all ${n} nodes sources`,
    });
  if (B > possible) budget(`an edge budget of at most n(n-1) = ${possible}|${B}`);
  if (p.strategies.some((c) => c.type === "prune") && B > initial)
    budget(`an edge budget no larger than the pruning start, round(initialDensity · n(n-1)) = ${initial}|${B}`);
  if (p.strategies.some((c) => c.type === "grow") && B < 2 * (n - 1))
    budget(`an edge budget of at least the growth tree's 2(n-1) = ${2 * (n - 1)} directed edges|${B}`);
  return out;
}

/** The routing scenario schema: the object with its cross-field checks (unique names and seeds, budgets per sweep point). */
export const routingScenarioSchema = routingScenarioObject.superRefine((s, ctx) => {
  const seen = new Map<string, number>();
  s.strategies.forEach((c, i) => {
    const name = strategyName(c);
    const first = seen.get(name);
    if (first !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["strategies", i, "name"],
        message: `a strategy name not used by strategies[${first}]|"${name}" again; give each strategy a distinct "name"`,
      });
    else seen.set(name, i);
  });
  const { points, problems } = expandRoutingSweep(s);
  for (const p of problems) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
  const reported = new Set<string>();
  for (const q of points.flatMap(pointProblems)) {
    const key = `${q.path.join(".")}\u0000${q.message}`;
    if (reported.has(key)) continue;
    reported.add(key);
    ctx.addIssue({ code: "custom", path: q.path, message: q.message });
  }
  const dupSeed = s.seeds.find((x, i) => s.seeds.indexOf(x) !== i);
  if (dupSeed !== undefined)
    ctx.addIssue({ code: "custom", path: ["seeds"], message: `distinct seeds|seed ${dupSeed} twice` });
  const dupParam = s.sweep.find((e, i) => s.sweep.findIndex((f) => f.parameter === e.parameter) !== i);
  if (dupParam !== undefined)
    ctx.addIssue({
      code: "custom",
      path: ["sweep"],
      message: `each parameter swept once|"${dupParam.parameter}" twice`,
    });
});

/** A routing scenario after validation and defaults. */
export type RoutingScenario = z.output<typeof routingScenarioSchema>;
/** A routing scenario as written in a file. */
export type RoutingScenarioInput = z.input<typeof routingScenarioSchema>;

/** The label of a strategy at a sweep point: "decreasing", or "decreasing network.initialDensity=0.5". */
function pointName(base: string, params: Record<string, string | number | boolean>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? base : `${base} ${parts.join(" ")}`;
}

/** The strategies as results name them, in plan order (sweep points outer, strategies inner), with their settings. */
export function routingStrategies(
  scenario: RoutingScenario,
): { info: LearnerInfo; config: RoutingStrategyConfig; settings: RoutingSettings }[] {
  const { points, problems } = expandRoutingSweep(scenario);
  if (problems.length > 0)
    throw new UserError("E_SCENARIO_INVALID", `sweep: ${problems[0]!.message.replace("|", ", found ")}`);
  return points.flatMap((p) =>
    p.strategies.map((config) => {
      const base = strategyName(config);
      return {
        info: { name: pointName(base, p.params), type: config.type, base, params: p.params },
        config,
        settings: p.settings,
      };
    }),
  );
}
