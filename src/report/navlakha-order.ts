/**
 * Navlakha, Barth & Bar-Joseph 2015's ordering of pruning rates: networks
 * pruned at a decreasing rate route more efficiently and more robustly than
 * at a constant rate, and at a constant rate than at an increasing one. This
 * file judges, from the final values of each seed, whether a measure follows
 * that ordering, and says so in words: for the routing report (one trio of
 * strategies) and for a learning report whose learners come in trios of
 * schedules (pruning-schedules: a feed-forward and a recurrent trio).
 *
 *   holds          decreasing > constant > increasing, both steps separated
 *                  by non-overlapping 95% intervals;
 *   means-in-order the means fall strictly in that order, a step's intervals overlap;
 *   not-in-order   the means do not, no step separated against the order;
 *   equal          the three means are the same (a measure the rates cannot move);
 *   reversed       a later schedule separated above an earlier one;
 *   one-seed       one seed gives no interval: nothing can be separated.
 *
 * Items are "higher is better"; a lower-is-better measure is turned round
 * (mean and interval negated) before it is judged.
 */
import { confidenceInterval } from "../metrics/stats.js";
import type { MetricRow } from "../runs/results.js";
import { finalBySeed } from "./charts.js";
import { formatSig } from "./format.js";
import type { TableSection } from "./html.js";

/** One learner's final value of a measure: mean and 95% interval over seeds (higher is better). */
export interface OrderItem {
  learner: string;
  mean: number;
  lo: number;
  hi: number;
  /** Seeds behind the interval; fewer than 2 gives no interval. */
  seeds?: number;
}

/** How a measure stands against Navlakha's ordering (see the file comment). */
export type NavlakhaOrder = "holds" | "means-in-order" | "not-in-order" | "equal" | "reversed" | "one-seed";

/** The three schedules' items judged against Navlakha's ordering (higher is better). */
export function navlakhaOrder(decreasing: OrderItem, constant: OrderItem, increasing: OrderItem): NavlakhaOrder {
  const all = [decreasing, constant, increasing];
  if (all.some((x) => x.seeds !== undefined && x.seeds < 2)) return "one-seed";
  const above = (a: OrderItem, b: OrderItem) => a.lo > b.hi;
  if (above(decreasing, constant) && above(constant, increasing)) return "holds";
  if (above(constant, decreasing) || above(increasing, constant) || above(increasing, decreasing)) return "reversed";
  if (decreasing.mean === constant.mean && constant.mean === increasing.mean) return "equal";
  return decreasing.mean > constant.mean && constant.mean > increasing.mean ? "means-in-order" : "not-in-order";
}

/**
 * Learners from the highest mean down, joined by ">" where the two 95%
 * intervals do not overlap and by "≈" where they do.
 */
export function ordering(items: readonly OrderItem[]): string {
  const sorted = [...items].sort((a, b) => b.mean - a.mean);
  let out = sorted[0]?.learner ?? "";
  for (let k = 1; k < sorted.length; k++) {
    const separated = sorted[k - 1]!.lo > sorted[k]!.hi;
    out += ` ${separated ? ">" : "≈"} ${sorted[k]!.learner}`;
  }
  return out;
}

const VERDICT: Record<NavlakhaOrder, string> = {
  holds: "holds (decreasing > constant > increasing, intervals separated)",
  "means-in-order": "is not resolved: the intervals overlap (the means do fall in Navlakha's order)",
  "not-in-order": "is not resolved: the intervals overlap (the means are not in Navlakha's order)",
  equal: "is not resolved: the three means are equal",
  reversed: "is reversed in part (a later schedule is separated above an earlier one)",
  "one-seed": "is not resolved: one seed gives no confidence interval; run several seeds",
};

/** A judgement in words, completing "Navlakha's ordering …" ("holds (…)", "is not resolved: …"). */
export function verdictText(order: NavlakhaOrder): string {
  return VERDICT[order];
}

/**
 * Whether Navlakha's ordering holds for one measure, in words ("holds",
 * "is reversed in part", "is not resolved: ..."). Learners are found by the
 * words "decreasing", "constant" and "increasing" in their names; null when
 * one of the three is missing.
 */
export function navlakhaVerdict(items: readonly OrderItem[]): string | null {
  const find = (word: string) => items.find((i) => i.learner.toLowerCase().includes(word));
  const d = find("decreasing");
  const c = find("constant");
  const inc = find("increasing");
  if (d === undefined || c === undefined || inc === undefined) return null;
  return VERDICT[navlakhaOrder(d, c, inc)];
}

/** Three learners that differ only in their pruning rate, by name. */
export interface ScheduleTrio {
  /** The name with the rate's word taken out ("recurrent" for recurrent-constant, …); "" when the names are the words alone. */
  label: string;
  decreasing: string;
  constant: string;
  increasing: string;
}

const RATES = ["decreasing", "constant", "increasing"] as const;

/**
 * Learners grouped into trios by name: a learner whose name holds exactly
 * one of "decreasing", "constant" and "increasing" belongs to the trio named
 * by the rest of its name ("recurrent-constant" → "recurrent"). Trios missing
 * a rate are left out; trios come in the order of their first learner.
 */
export function scheduleTrios(learners: readonly string[]): ScheduleTrio[] {
  const byLabel = new Map<string, Partial<Record<(typeof RATES)[number], string>>>();
  for (const name of learners) {
    const lower = name.toLowerCase();
    const words = RATES.filter((w) => lower.includes(w));
    if (words.length !== 1) continue;
    const w = words[0]!;
    const at = lower.indexOf(w);
    const label = (name.slice(0, at) + name.slice(at + w.length)).replace(/^[-_ ]+|[-_ ]+$/g, "");
    const trio = byLabel.get(label) ?? {};
    if (trio[w] === undefined) trio[w] = name;
    byLabel.set(label, trio);
  }
  const out: ScheduleTrio[] = [];
  for (const [label, t] of byLabel) {
    if (t.decreasing !== undefined && t.constant !== undefined && t.increasing !== undefined)
      out.push({ label, decreasing: t.decreasing, constant: t.constant, increasing: t.increasing });
  }
  return out;
}

/** A measure of the finished networks judged against the ordering. */
export interface OrderMeasure {
  metric: string;
  title: string;
  better: "higher" | "lower";
  /** Multiplies the values shown (100 for a fraction shown in %). */
  scale: number;
}

/** The measures the pruning-schedules comparison judges: routing efficiency, robustness to damage, accuracy. */
export const SCHEDULE_ORDER_MEASURES: readonly OrderMeasure[] = [
  { metric: "graphEfficiency", title: "efficiency (mean 1/path length)", better: "higher", scale: 1 },
  { metric: "graphMeanPathLength", title: "mean path length (synapses)", better: "lower", scale: 1 },
  { metric: "graphConnectedFraction", title: "input-output pairs connected (%)", better: "higher", scale: 100 },
  { metric: "robustnessSynapses", title: "pairs connected after synapse damage (%)", better: "higher", scale: 100 },
  { metric: "robustnessNeurons", title: "pairs connected after neuron damage (%)", better: "higher", scale: 100 },
  { metric: "testAccuracy", title: "test accuracy (%)", better: "higher", scale: 100 },
];

/** One measure of one trio: each rate's mean and interval as measured, and the judgement. */
export interface TrioJudgement {
  measure: OrderMeasure;
  /** Decreasing, constant, increasing: mean and 95% interval in the measure's own direction and scale. */
  items: [OrderItem, OrderItem, OrderItem];
  order: NavlakhaOrder;
}

/** A trio's judgement on one measure from given intervals (as measured; lower-is-better turned round inside). */
export function judgeTrio(measure: OrderMeasure, items: [OrderItem, OrderItem, OrderItem]): TrioJudgement {
  const up = (x: OrderItem): OrderItem =>
    measure.better === "higher" ? x : { ...x, mean: -x.mean, lo: -x.hi, hi: -x.lo };
  return { measure, items, order: navlakhaOrder(up(items[0]), up(items[1]), up(items[2])) };
}

/** A trio's judgements on every measure its three learners all recorded (final value per seed, 95% Student-t). */
export function judgeTrioFromRows(
  rows: readonly MetricRow[],
  trio: ScheduleTrio,
  measures: readonly OrderMeasure[] = SCHEDULE_ORDER_MEASURES,
): TrioJudgement[] {
  return measures.flatMap((m) => {
    const items = [trio.decreasing, trio.constant, trio.increasing].map((learner): OrderItem | null => {
      const v = finalBySeed(rows, learner, m.metric).map((x) => x * m.scale);
      if (v.length === 0) return null;
      const ci = confidenceInterval(v);
      return { learner, mean: ci.mean, lo: ci.lo, hi: ci.hi, seeds: ci.n };
    });
    const [d, c, i] = items;
    return d == null || c == null || i == null ? [] : [judgeTrio(m, [d, c, i])];
  });
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/**
 * Which measures follow Navlakha's ordering and which do not, in one or two
 * sentences computed from the judgements, e.g. "Navlakha's ordering holds
 * with separated intervals for efficiency; the means fall in its order but
 * the intervals overlap for …; it does not hold for …".
 */
export function orderingStatement(judgements: readonly TrioJudgement[]): string {
  const of = (o: NavlakhaOrder) => judgements.filter((j) => j.order === o).map((j) => j.measure.title);
  const parts: string[] = [];
  const holds = of("holds");
  const inOrder = of("means-in-order");
  const notInOrder = of("not-in-order");
  const reversed = of("reversed");
  const equal = of("equal");
  const oneSeed = of("one-seed");
  if (holds.length > 0) parts.push(`holds, with separated 95% intervals, for ${joinWords(holds)}`);
  if (inOrder.length > 0)
    parts.push(`is followed by the means but not resolved (intervals overlap) for ${joinWords(inOrder)}`);
  if (notInOrder.length > 0)
    parts.push(`is not followed (means out of order, intervals overlap) for ${joinWords(notInOrder)}`);
  if (equal.length > 0) parts.push(`cannot be told (the three means are equal) for ${joinWords(equal)}`);
  if (reversed.length > 0)
    parts.push(`is contradicted (a later schedule separated above an earlier one) for ${joinWords(reversed)}`);
  if (oneSeed.length > 0) parts.push(`cannot be judged with one seed for ${joinWords(oneSeed)}`);
  return parts.length === 0 ? "" : `Navlakha's ordering ${parts.join("; it ")}.`;
}

const ORDER_WORDS: Record<NavlakhaOrder, string> = {
  holds: "follows, separated",
  "means-in-order": "means follow, intervals overlap",
  "not-in-order": "does not follow",
  equal: "equal means: not told",
  reversed: "reversed, separated",
  "one-seed": "one seed: not judged",
};

function cell(x: OrderItem, digits = 3): string {
  const f = (v: number) => formatSig(v, digits);
  return x.seeds !== undefined && x.seeds < 2 ? f(x.mean) : `${f(x.mean)} [${f(x.lo)}, ${f(x.hi)}]`;
}

/**
 * The report section on Navlakha's ordering for a learning run whose pruned
 * learners come in trios of schedules: per trio and measure, each rate's
 * final mean [95% interval], the learners ranked ("≈" where intervals
 * overlap), and the judgement; the intro states it in words. Null when no
 * trio of pruned learners is there.
 */
export function scheduleOrderingSection(rows: readonly MetricRow[], learners: readonly string[]): TableSection | null {
  const pruned = new Set(rows.filter((r) => r.metric === "prunedCount").map((r) => r.learner));
  const trios = scheduleTrios(learners.filter((l) => pruned.has(l)));
  const judged = trios
    .map((trio) => ({ trio, judgements: judgeTrioFromRows(rows, trio) }))
    .filter((t) => t.judgements.length > 0);
  if (judged.length === 0) return null;
  const name = (t: ScheduleTrio) => (t.label === "" ? "the schedules" : `"${t.label}"`);
  const rowsOut = judged.flatMap(({ trio, judgements }) =>
    judgements.map((j) => {
      const ranked = ordering(
        j.items.map((x) => (j.measure.better === "higher" ? x : { ...x, mean: -x.mean, lo: -x.hi, hi: -x.lo })),
      );
      return [
        trio.label === "" ? "–" : trio.label,
        `${j.measure.title} ${j.measure.better === "higher" ? "↑" : "↓"}`,
        ...j.items.map((x) => cell(x)),
        ranked,
        ORDER_WORDS[j.order],
      ].map((text) => ({ text, best: false }));
    }),
  );
  const statements = judged.map(({ trio, judgements }) => `For ${name(trio)}: ${orderingStatement(judgements)}`);
  return {
    id: "navlakha-ordering",
    title: "Navlakha's ordering of pruning rates",
    intro: `Navlakha, Barth & Bar-Joseph 2015 found that pruning at a decreasing rate gives more efficient and more robust networks than at a constant rate, and a constant rate than an increasing one. Here, from each seed's final value (mean and 95% Student-t interval over seeds): ${statements.join(" ")}`,
    table: {
      headers: ["trio", "measure", "decreasing", "constant", "increasing", "ranked, best first", "Navlakha's order"],
      rows: rowsOut,
      notes: [
        `Each cell is the mean [95% interval] over seeds after the last epoch. In the ranking, ">" joins two learners whose intervals do not overlap and "≈" two whose intervals do (for ↓ measures lower ranks first). "follows, separated": decreasing better than constant better than increasing with both steps' intervals apart; "means follow, intervals overlap": the means in that order but not separated; "does not follow": the means out of order; "equal means": the rates cannot move this measure; "reversed, separated": a later schedule separated above an earlier one. Navlakha's claim is about efficiency and robustness; test accuracy is judged the same way for comparison.`,
      ],
    },
  };
}
