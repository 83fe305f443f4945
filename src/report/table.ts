/**
 * The tables shared by report.html and report.md: the headline table (one row
 * per learner, final figures as mean ± 95% CI half-width over seeds, the best
 * per column marked) and the pairwise comparisons (Welch's t-test and effect
 * sizes per pair of learners and headline metric).
 */
import { holmAdjust } from "../metrics/stats.js";
import type { Comparison, FinalFigure, Summary } from "../runs/results.js";
import { leavesBounds, metricBounds, RANGE_NOTE } from "./bounds.js";
import { formatP, formatSig, joinWords } from "./format.js";

export interface Column {
  metric: string;
  /** Used for a learner without `metric` (finalTestAccuracy → the last epoch's testAccuracy). */
  fallback?: string;
  title: string;
  /** Short name for footnotes and the comparisons table. */
  name: string;
  better: "higher" | "lower";
  scale: number;
  /** Fixed decimals; significant digits (3) when absent. */
  digits?: number;
  /** The unit of a difference, for the comparisons table. */
  diffUnit: string;
}

export const COLUMNS: readonly Column[] = [
  {
    metric: "finalTestAccuracy",
    fallback: "testAccuracy",
    title: "final test accuracy (%)",
    name: "final test accuracy",
    better: "higher",
    scale: 100,
    digits: 2,
    diffUnit: "pp",
  },
  {
    metric: "bestTestAccuracy",
    title: "best test accuracy (%)",
    name: "best test accuracy",
    better: "higher",
    scale: 100,
    digits: 2,
    diffUnit: "pp",
  },
  { metric: "aulc", title: "AULC", name: "area under the learning curve", better: "higher", scale: 1, diffUnit: "" },
  {
    metric: "samplesToCriterion",
    title: "samples to criterion",
    name: "samples to criterion",
    better: "lower",
    scale: 1,
    digits: 0,
    diffUnit: "samples",
  },
  {
    metric: "denseTestAccuracy",
    title: "dense accuracy before pruning (%)",
    name: "dense accuracy before pruning",
    better: "higher",
    scale: 100,
    digits: 2,
    diffUnit: "pp",
  },
  {
    metric: "epochsToDense",
    title: "epochs to dense accuracy after the last round",
    name: "epochs to dense accuracy",
    better: "lower",
    scale: 1,
    digits: 1,
    diffUnit: "epochs",
  },
  {
    metric: "energyPj",
    title: "energy / sample (pJ)",
    name: "energy per sample",
    better: "lower",
    scale: 1,
    diffUnit: "pJ",
  },
  {
    metric: "energyWithMemoryPj",
    title: "energy incl. memory / sample (pJ)",
    name: "energy with memory per sample",
    better: "lower",
    scale: 1,
    diffUnit: "pJ",
  },
  { metric: "synapseCount", title: "synapses", name: "synapses", better: "lower", scale: 1, digits: 0, diffUnit: "" },
  {
    metric: "trainingTimeMs",
    title: "training time (s)",
    name: "training time",
    better: "lower",
    scale: 1e-3,
    diffUnit: "s",
  },
  {
    metric: "forgetting",
    title: "forgetting (pp)",
    name: "forgetting",
    better: "lower",
    scale: 100,
    digits: 2,
    diffUnit: "pp",
  },
  {
    metric: "spikesPerSample",
    title: "spikes / sample",
    name: "spikes per sample",
    better: "lower",
    scale: 1,
    diffUnit: "",
  },
];

export const BEST_MARK = "★";

export interface TableCell {
  text: string;
  best: boolean;
  /** A link target (relative path) for the cell's text. */
  href?: string;
}

export interface HeadlineTable {
  headers: string[];
  rows: TableCell[][];
  /** Footnotes printed under the table. */
  notes?: string[];
  /** Leading text columns (left-aligned); 2 when absent. */
  textColumns?: number;
}

function num(v: number, c: Column): string {
  return c.digits === undefined ? formatSig(v * c.scale) : (v * c.scale).toFixed(c.digits);
}

/** Decimals that give the mean three significant digits, for the mean and its half-width alike (null: exponent form). */
function sigDecimals(mean: number): number | null {
  const abs = Math.abs(mean);
  if (!(abs >= 1e-3 && abs < 1e5)) return null;
  return Math.max(0, 2 - Math.floor(Math.log10(abs)));
}

/**
 * A final figure as a cell: "mean ± half-width" over seeds, "mean [min, max]"
 * (the seeds' range) where the interval would leave what the metric allows,
 * the mean alone for one seed. `range` says which form was used.
 */
export function formatFigure(f: FinalFigure, c: Column): { text: string; range: boolean } {
  const of = f.seeds > f.n ? ` (${f.n}/${f.seeds} seeds)` : "";
  if (f.n === 0)
    return {
      text: c.metric === "samplesToCriterion" || c.metric === "epochsToDense" ? `never${of}` : `–${of}`,
      range: false,
    };
  const d = c.digits ?? sigDecimals(f.mean * c.scale);
  // Exponent form: the spread in the mean's power of ten ("1.28e7 ± 0.03e7").
  const exp = Math.floor(Math.log10(Math.abs(f.mean * c.scale)));
  const show = (v: number) =>
    d !== null
      ? (v * c.scale).toFixed(d)
      : Number.isFinite(exp)
        ? `${((v * c.scale) / 10 ** exp).toFixed(2)}e${exp}`
        : formatSig(v * c.scale);
  if (f.n < 2) return { text: `${show(f.mean)}${of}`, range: false };
  const range = leavesBounds(f, metricBounds(c.metric)) && Number.isFinite(f.min) && Number.isFinite(f.max);
  if (range) return { text: `${show(f.mean)} [${show(f.min)}, ${show(f.max)}]${of}`, range };
  // A spread that rounds to nothing at the mean's precision: exactly 0, or its own two digits.
  const spread =
    f.halfWidth === 0
      ? "0"
      : /^[0.]+(e-?\d+)?$/.test(show(f.halfWidth))
        ? formatSig(f.halfWidth * c.scale, 2)
        : show(f.halfWidth);
  return { text: `${show(f.mean)} ± ${spread}${of}`, range };
}

function figure(l: Summary["learners"][number], c: Column): FinalFigure | undefined {
  return l.final[c.metric] ?? (c.fallback === undefined ? undefined : l.final[c.fallback]);
}

export function headlineTable(summary: Summary): HeadlineTable {
  const criterion = summary.scenario.evaluation?.criterionAccuracy;
  const cols = COLUMNS.filter((c) => summary.learners.some((l) => figure(l, c) !== undefined)).map((c) =>
    c.metric === "samplesToCriterion" && criterion !== undefined
      ? { ...c, title: `samples to ${formatSig(100 * criterion)}% accuracy` }
      : c,
  );
  const best = new Map<string, number>();
  for (const c of cols) {
    // Only learners with a value from every seed compete: a mean over the seeds that reached a
    // criterion would favour the learner that reached it less often.
    // A learner with a diverged seed is not ranked: its figures stand for fewer seeds than it ran.
    const present = summary.learners
      .filter((l) => (l.diverged?.length ?? 0) === 0)
      .map((l) => figure(l, c))
      .filter((f): f is FinalFigure => f !== undefined && f.n > 0 && Number.isFinite(f.mean));
    const values = present.filter((f) => f.n === f.seeds).map((f) => f.mean);
    // Nothing to mark when every learner has the same value (or only one learner has one).
    const differ =
      present.length > 1 && (present.some((f) => f.mean !== present[0]!.mean) || present.some((f) => f.n !== f.seeds));
    if (values.length > 0 && differ)
      best.set(c.metric, c.better === "higher" ? Math.max(...values) : Math.min(...values));
  }
  const arrow = (c: Column) => (c.better === "higher" ? "↑" : "↓");
  const higher = cols.filter((c) => c.better === "higher").map((c) => c.name);
  const lower = cols.filter((c) => c.better === "lower").map((c) => c.name);
  const notes = [
    `${BEST_MARK} and bold mark the best mean in each column (when learners differ). ↑ higher is better${higher.length > 0 ? ` (${joinWords(higher)})` : ""}; ↓ lower is better${lower.length > 0 ? ` (${joinWords(lower)})` : ""}.`,
  ];
  if (cols.some((c) => c.metric === "samplesToCriterion")) {
    notes.push(
      `Samples to criterion: training samples seen when test accuracy first reached ${criterion === undefined ? "the criterion" : `${formatSig(100 * criterion)}%`}; "(n/m seeds)" when only n of m seeds reached it, averaged over those.`,
    );
  }
  if (cols.some((c) => c.metric === "epochsToDense")) {
    notes.push(
      'Epochs to dense accuracy: epochs of training after the last pruning round until the test accuracy first reached the best the same network had before its first round (the dense network); "(n/m seeds)" when only n of m seeds reached it, averaged over those.',
    );
  }
  if (cols.some((c) => c.metric === "energyPj" || c.metric === "energyWithMemoryPj")) {
    notes.push(
      'Energy per inference sample: 4.6 pJ per multiply-accumulate and 0.9 pJ per accumulate; "incl. memory" adds 640 pJ per 32-bit memory access.',
    );
  }
  const anyDiverged = summary.learners.filter((l) => (l.diverged?.length ?? 0) > 0);
  if (anyDiverged.length > 0) {
    notes.push(
      `Diverged (loss or weights not finite; training stopped): ${anyDiverged.map((l) => `${l.name} (${l.diverged.map((d) => `seed ${d.seed} at epoch ${d.epoch}`).join(", ")})`).join("; ")}. Their seeds are left out of the figures, and these learners are not ranked.`,
    );
  }
  let anyRange = false;
  const rows = summary.learners.map((l) => {
    const diverged = l.diverged ?? [];
    const seeds = summary.seeds.length;
    return [
      { text: diverged.length > 0 ? `${l.name} (diverged)` : l.name, best: false },
      { text: l.type, best: false },
      { text: String(l.epochs), best: false },
      ...cols.map((c) => {
        const f = figure(l, c);
        if (diverged.length >= seeds)
          return { text: `diverged at epoch ${Math.min(...diverged.map((d) => d.epoch))}`, best: false };
        if (f === undefined) return { text: "–", best: false };
        const isBest = diverged.length === 0 && f.n > 0 && f.n === f.seeds && best.get(c.metric) === f.mean;
        const cell = formatFigure(f, c);
        anyRange ||= cell.range;
        return { text: isBest ? `${cell.text} ${BEST_MARK}` : cell.text, best: isBest };
      }),
    ];
  });
  return {
    headers: ["learner", "type", "epochs", ...cols.map((c) => `${c.title} ${arrow(c)}`)],
    rows,
    notes: anyRange ? [...notes, RANGE_NOTE] : notes,
  };
}

/** The sentence beside a table of many p-values: what the Holm column is. */
export function holmNote(tests: number): string {
  return `p (Holm): the ${tests} p-values of this table adjusted together for multiple comparisons (Holm 1979), so that the chance of any false positive among them stays at the level read off; read this column, not p, when asking whether any difference is real.`;
}

function comparisonColumn(metric: string): Column {
  return (
    COLUMNS.find((c) => c.metric === metric || c.fallback === metric) ?? {
      metric,
      title: metric,
      name: metric,
      better: "higher",
      scale: 1,
      diffUnit: "",
    }
  );
}

/** Pairwise Welch comparisons; null with fewer than two learners. */
export function comparisonsTable(comparisons: readonly Comparison[]): HeadlineTable | null {
  if (comparisons.length === 0) return null;
  const reasons = [...new Set(comparisons.flatMap((c) => (c.reason === undefined ? [] : [c.reason])))];
  const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "–");
  const notes = [
    "Welch's t-test (two-sided, unequal variances) on each seed's final value; Cohen's d is the mean difference over the pooled standard deviation, Hedges' g the same corrected for small samples (|d| ≈ 0.2 small, 0.5 medium, 0.8 large). With few seeds p-values are rough.",
  ];
  const adjusted = holmAdjust(comparisons.map((c) => c.p));
  const tested = adjusted.filter(Number.isFinite).length;
  if (tested > 1) notes.push(holmNote(tested));
  if (reasons.length > 0) notes.push(`"–": the test or effect size is undefined here (${reasons.join("; ")}).`);
  return {
    headers: [
      "learner A",
      "learner B",
      "metric",
      "mean A − B",
      "t",
      "df",
      "p",
      ...(tested > 1 ? ["p (Holm)"] : []),
      "Cohen's d",
      "Hedges' g",
    ],
    rows: comparisons.map((c, i) => {
      const col = comparisonColumn(c.metric);
      const diff = Number.isFinite(c.meanDiff)
        ? `${c.meanDiff > 0 ? "+" : ""}${num(c.meanDiff, col)}${col.diffUnit === "" ? "" : ` ${col.diffUnit}`}`
        : "–";
      return [
        c.a,
        c.b,
        col.name,
        diff,
        f2(c.t),
        Number.isFinite(c.df) ? c.df.toFixed(1) : "–",
        formatP(c.p),
        ...(tested > 1 ? [formatP(adjusted[i]!)] : []),
        f2(c.cohenD),
        f2(c.hedgesG),
      ].map((text) => ({ text, best: false }));
    }),
    notes,
    textColumns: 3,
  };
}
