/**
 * The run result as plain data, and its file formats: the tidy metrics table
 * (metrics.csv: learner,[swept parameters,]seed,epoch,metric,value), the
 * robustness and firing-rate tables (robustness.csv, firing-rates.csv), the
 * weight histograms (weights.csv) and the summary (summary.json: final figures
 * as mean, standard deviation and 95% CI over seeds, pairwise Welch tests and
 * effect sizes, robustness curves).
 */
import {
  confidenceInterval,
  effectSize,
  mean,
  welchTTest,
  type EffectSize,
  type Interval,
  type WelchTest,
} from "../metrics/stats.js";
import type { Scenario } from "../scenario/schema.js";
import type { LearnerInfo } from "../scenario/sweep.js";

export type { LearnerInfo };
import type { ReceptiveFields } from "../learners/learner.js";

/** One figure of one learner, seed and epoch (a row of metrics.csv). */
export interface MetricRow {
  learner: string;
  seed: number;
  epoch: number;
  metric: string;
  value: number;
}

/** Test accuracy of a trained learner under damage or noise, with no retraining (robustness.csv). */
export interface RobustnessRow {
  learner: string;
  seed: number;
  /** lesion: fraction of synapses removed at random; silence: fraction of hidden neurons silenced; noise: input noise standard deviation. */
  kind: "lesion" | "silence" | "noise";
  level: number;
  accuracy: number;
}

/** One bin of a learner's weight histogram after an epoch (first seed only). */
export interface WeightHistogramRow {
  learner: string;
  epoch: number;
  lo: number;
  hi: number;
  count: number;
}

/** Everything a learning run produced, in memory: the rows of metrics.csv and the data behind the other files. */
export interface RunResult {
  scenario: Scenario;
  seeds: number[];
  learners: LearnerInfo[];
  rows: MetricRow[];
  /** Weight distribution after each epoch, first seed (weights.csv). */
  weightHistograms: WeightHistogramRow[];
  /** Receptive fields at the end of the first seed, for learners that have them. */
  receptiveFields: { learner: string; fields: ReceptiveFields }[];
  /** Robustness curves after training, every seed (robustness.csv); empty unless the scenario asks. */
  robustness: RobustnessRow[];
  /** Per-neuron firing rates of spiking learners on the test set after training, first seed (firing-rates.csv). */
  firingRates: { learner: string; rateHz: Float32Array }[];
}

/** A final figure over seeds: the interval over the seeds that had a finite value (n), out of `seeds` that reported the metric. */
export interface FinalFigure extends Interval {
  /** Seeds that reported the metric at all (NaN included): "reached by n of seeds". */
  seeds: number;
}

export interface LearnerSummary extends LearnerInfo {
  epochs: number;
  /**
   * Seeds whose training diverged (loss or weights not finite), with the epoch:
   * their figures are left out of `final`, comparisons, rankings and fronts.
   */
  diverged: { seed: number; epoch: number }[];
  /** Final-epoch value of each metric, over seeds (NaN values dropped). */
  final: Record<string, FinalFigure>;
}

/** Welch's t-test and effect size of learner a against learner b on one metric (per-seed final values). */
export interface Comparison extends WelchTest, EffectSize {
  a: string;
  b: string;
  metric: string;
}

/** Robustness curve point: accuracy over seeds (each seed's repeats averaged first). */
export interface RobustnessSummary {
  learner: string;
  kind: RobustnessRow["kind"];
  level: number;
  accuracy: Interval;
}

/** Where the numbers came from: versions and platform at run time. */
export interface Environment {
  packageVersion: string;
  node: string;
  platform: string;
  /** Dependencies: declared range in package.json and the installed version ("?" when not found). */
  dependencies: Record<string, { declared: string; installed: string }>;
}

/**
 * The summary of a run (summary.json): final figures per learner with confidence intervals, comparisons, environment.
 */
export interface Summary {
  scenario: Scenario;
  packageVersion: string;
  seeds: number[];
  learners: LearnerSummary[];
  /** Every pair of learners (scenario order) on every headline metric both report. */
  comparisons: Comparison[];
  robustness: RobustnessSummary[];
  environment?: Environment;
}

/** Metrics compared pairwise in summary.json and the report; testAccuracy stands in when finalTestAccuracy is absent. */
export const HEADLINE_METRICS = [
  "finalTestAccuracy",
  "energyPj",
  "samplesToCriterion",
  "epochsToDense",
  "aulc",
  "forgetting",
] as const;

const CSV_KEY = "learner";
const CSV_TAIL = "seed,epoch,metric,value";
const CSV_HEADER = `${CSV_KEY},${CSV_TAIL}`;

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Swept parameter names in order of first appearance over the learners. */
export function sweptParameters(learners: readonly Pick<LearnerInfo, "params">[]): string[] {
  const names: string[] = [];
  for (const l of learners) for (const k of Object.keys(l.params)) if (!names.includes(k)) names.push(k);
  return names;
}

/**
 * metrics.csv. With swept learners (any with params), one column per swept
 * parameter follows `learner`, empty for learners without that parameter.
 */
export function rowsToCsv(
  rows: readonly MetricRow[],
  learners: readonly Pick<LearnerInfo, "name" | "params">[] = [],
): string {
  const params = sweptParameters(learners);
  const lines = [[CSV_KEY, ...params.map(csvField), CSV_TAIL].join(",")];
  const prefix = new Map(
    learners.map((l) => [
      l.name,
      params.map((p) => {
        const v = l.params[p];
        return v === undefined ? "" : csvField(String(v));
      }),
    ]),
  );
  const empty = params.map(() => "");
  for (const r of rows) {
    lines.push(
      [
        csvField(r.learner),
        ...(prefix.get(r.learner) ?? empty),
        r.seed,
        r.epoch,
        csvField(r.metric),
        String(r.value),
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Splits one CSV line into fields (RFC 4180 quoting). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** A swept value read back from CSV: boolean, number, or the text itself. */
function parseParam(text: string): string | number | boolean {
  if (text === "true") return true;
  if (text === "false") return false;
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) && String(n) === text ? n : text;
}

export interface ParsedMetricsCsv {
  rows: MetricRow[];
  /** Swept parameter columns, in file order (empty for a file without them). */
  parameters: string[];
  /** Each learner's swept settings, as the columns give them ({} when it has none). */
  params: Map<string, Record<string, string | number | boolean>>;
}

/** Parses metrics.csv (with or without swept-parameter columns); returns the rows or a description of the first bad line. */
export function csvToRows(text: string): ParsedMetricsCsv | { line: number; expected: string; found: string } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0] === undefined ? [] : splitCsvLine(lines[0]);
  const width = header.length;
  if (width < 5 || header[0] !== CSV_KEY || header.slice(-4).join(",") !== CSV_TAIL) {
    return {
      line: 1,
      expected: `the header "${CSV_HEADER}" (with swept parameters between learner and seed)`,
      found: JSON.stringify(lines[0] ?? ""),
    };
  }
  const parameters = header.slice(1, -4);
  const rows: MetricRow[] = [];
  const params = new Map<string, Record<string, string | number | boolean>>();
  for (let i = 1; i < lines.length; i++) {
    const f = splitCsvLine(lines[i]!);
    const seed = Number(f[width - 4]);
    const epoch = Number(f[width - 3]);
    const valueText = f[width - 1];
    const value = Number(valueText);
    if (
      f.length !== width ||
      !Number.isInteger(seed) ||
      !Number.isInteger(epoch) ||
      (Number.isNaN(value) && valueText !== "NaN")
    ) {
      return {
        line: i + 1,
        expected: `${header.join(",")} with seed and epoch integers and value a number`,
        found: JSON.stringify(lines[i]),
      };
    }
    const learner = f[0]!;
    if (!params.has(learner)) {
      const p: Record<string, string | number | boolean> = {};
      parameters.forEach((name, k) => {
        if (f[1 + k] !== "") p[name] = parseParam(f[1 + k]!);
      });
      params.set(learner, p);
    }
    rows.push({ learner, seed, epoch, metric: f[width - 2]!, value });
  }
  return { rows, parameters, params };
}

export const ROBUSTNESS_CSV_HEADER = "learner,seed,kind,level,accuracy";
const ROBUSTNESS_KINDS: readonly RobustnessRow["kind"][] = ["lesion", "silence", "noise"];

export function robustnessToCsv(rows: readonly RobustnessRow[]): string {
  return `${[ROBUSTNESS_CSV_HEADER, ...rows.map((r) => `${csvField(r.learner)},${r.seed},${r.kind},${r.level},${r.accuracy}`)].join("\n")}\n`;
}

/** Parses robustness.csv (written by `run`); malformed lines are skipped, since it only feeds charts and the summary. */
export function csvToRobustness(text: string): RobustnessRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== ROBUSTNESS_CSV_HEADER) return [];
  const out: RobustnessRow[] = [];
  for (const f of lines.slice(1).map(splitCsvLine)) {
    const kind = ROBUSTNESS_KINDS.find((k) => k === f[2]);
    if (f.length !== 5 || kind === undefined) continue;
    out.push({ learner: f[0]!, seed: Number(f[1]), kind, level: Number(f[3]), accuracy: Number(f[4]) });
  }
  return out;
}

export const FIRING_RATES_CSV_HEADER = "learner,neuron,rateHz";

export function firingRatesToCsv(rates: readonly RunResult["firingRates"][number][]): string {
  const lines = [FIRING_RATES_CSV_HEADER];
  for (const r of rates) {
    const name = csvField(r.learner);
    r.rateHz.forEach((hz, i) => lines.push(`${name},${i},${hz}`));
  }
  return `${lines.join("\n")}\n`;
}

/** Parses firing-rates.csv back into one Float32Array per learner (neurons in index order); malformed lines are skipped. */
export function csvToFiringRates(text: string): RunResult["firingRates"] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== FIRING_RATES_CSV_HEADER) return [];
  const byLearner = new Map<string, [number, number][]>();
  for (const f of lines.slice(1).map(splitCsvLine)) {
    const neuron = Number(f[1]);
    if (f.length !== 3 || !Number.isInteger(neuron) || neuron < 0) continue;
    let list = byLearner.get(f[0]!);
    if (list === undefined) byLearner.set(f[0]!, (list = []));
    list.push([neuron, Number(f[2])]);
  }
  return [...byLearner].map(([learner, list]) => {
    const rateHz = new Float32Array(list.reduce((m, [i]) => Math.max(m, i + 1), 0));
    for (const [i, hz] of list) rateHz[i] = hz;
    return { learner, rateHz };
  });
}

export const WEIGHTS_CSV_HEADER = "learner,epoch,lo,hi,count";

export function histogramsToCsv(rows: readonly WeightHistogramRow[]): string {
  return `${[WEIGHTS_CSV_HEADER, ...rows.map((r) => `${csvField(r.learner)},${r.epoch},${r.lo},${r.hi},${r.count}`)].join("\n")}\n`;
}

/** Parses weights.csv (written by `run`); malformed lines are skipped, since it only feeds a chart. */
export function csvToHistograms(text: string): WeightHistogramRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== WEIGHTS_CSV_HEADER) return [];
  return lines
    .slice(1)
    .map(splitCsvLine)
    .filter((f) => f.length === 5)
    .map((f) => ({
      learner: f[0]!,
      epoch: Number(f[1]),
      lo: Number(f[2]),
      hi: Number(f[3]),
      count: Number(f[4]),
    }));
}

/** The metric a diverged unit records (value: the epoch at which its loss or weights became non-finite). */
export const DIVERGED_METRIC = "diverged";

/** Each learner's diverged seeds with their epochs, from the `diverged` rows. */
export function divergedUnits(rows: readonly MetricRow[]): Map<string, { seed: number; epoch: number }[]> {
  const out = new Map<string, { seed: number; epoch: number }[]>();
  for (const r of rows) {
    if (r.metric !== DIVERGED_METRIC) continue;
    let list = out.get(r.learner);
    if (list === undefined) out.set(r.learner, (list = []));
    list.push({ seed: r.seed, epoch: r.epoch });
  }
  return out;
}

/** Each seed's value of every metric at that seed's last epoch, per learner: metric -> seed -> value (diverged seeds left out; routing summaries share it). */
export function finalValues(
  rows: readonly MetricRow[],
  learner: string,
  diverged: readonly { seed: number }[],
): { epochs: number; byMetric: Map<string, Map<number, number>> } {
  const skip = new Set(diverged.map((d) => d.seed));
  const lastEpoch = new Map<number, number>();
  for (const r of rows) if (r.learner === learner) lastEpoch.set(r.seed, Math.max(lastEpoch.get(r.seed) ?? 0, r.epoch));
  const byMetric = new Map<string, Map<number, number>>();
  for (const r of rows) {
    if (r.learner !== learner || r.epoch !== lastEpoch.get(r.seed) || skip.has(r.seed)) continue;
    let m = byMetric.get(r.metric);
    if (m === undefined) byMetric.set(r.metric, (m = new Map()));
    m.set(r.seed, r.value);
  }
  return { epochs: Math.max(0, ...lastEpoch.values()), byMetric };
}

/** The per-seed figures a headline metric is compared on (NaN kept: a censored seed); finalTestAccuracy falls back to testAccuracy. */
function headlineValues(byMetric: Map<string, Map<number, number>>, metric: string): number[] | undefined {
  const m = byMetric.get(metric) ?? (metric === "finalTestAccuracy" ? byMetric.get("testAccuracy") : undefined);
  return m === undefined ? undefined : [...m.values()];
}

/** Robustness rows as mean ± 95% CI over seeds, per learner (given order), kind and level; a seed's repeats are averaged first. */
export function summarizeRobustness(rows: readonly RobustnessRow[], learners: readonly string[]): RobustnessSummary[] {
  const groups = new Map<
    string,
    { learner: string; kind: RobustnessRow["kind"]; level: number; bySeed: Map<number, number[]> }
  >();
  for (const r of rows) {
    if (!Number.isFinite(r.accuracy)) continue;
    const key = `${r.learner}\u0000${r.kind}\u0000${r.level}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { learner: r.learner, kind: r.kind, level: r.level, bySeed: new Map() }));
    let list = g.bySeed.get(r.seed);
    if (list === undefined) g.bySeed.set(r.seed, (list = []));
    list.push(r.accuracy);
  }
  const order = (name: string) => {
    const i = learners.indexOf(name);
    return i < 0 ? learners.length : i;
  };
  const kindOrder = (k: RobustnessRow["kind"]) => ROBUSTNESS_KINDS.indexOf(k);
  return [...groups.values()]
    .map((g) => ({
      learner: g.learner,
      kind: g.kind,
      level: g.level,
      accuracy: confidenceInterval([...g.bySeed.values()].map((xs) => mean(xs))),
    }))
    .sort(
      (x, y) =>
        order(x.learner) - order(y.learner) ||
        x.learner.localeCompare(y.learner) ||
        kindOrder(x.kind) - kindOrder(y.kind) ||
        x.level - y.level,
    );
}

/**
 * summary.json: final-epoch figures per learner and metric as mean ± 95% CI
 * over the seeds with a finite value (samplesToCriterion is NaN for a seed
 * that never reached the criterion: it counts in `seeds`, not in `n`), every
 * pair of learners compared on the headline metrics, and robustness curves.
 */
export function summarize(
  result: Pick<RunResult, "scenario" | "seeds" | "learners" | "rows"> & Partial<Pick<RunResult, "robustness">>,
  packageVersion: string,
  environment?: Environment,
): Summary {
  const diverged = divergedUnits(result.rows);
  const finals = result.learners.map((l) => finalValues(result.rows, l.name, diverged.get(l.name) ?? []));
  const learners: LearnerSummary[] = result.learners.map((l, i) => {
    const { epochs, byMetric } = finals[i]!;
    const final: Record<string, FinalFigure> = {};
    for (const [metric, bySeed] of [...byMetric.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const values = [...bySeed.values()];
      final[metric] = { ...confidenceInterval(values.filter(Number.isFinite)), seeds: values.length };
    }
    return { ...l, epochs, diverged: diverged.get(l.name) ?? [], final };
  });
  const comparisons: Comparison[] = [];
  for (let i = 0; i < result.learners.length; i++) {
    for (let j = i + 1; j < result.learners.length; j++) {
      for (const metric of HEADLINE_METRICS) {
        const a = headlineValues(finals[i]!.byMetric, metric);
        const b = headlineValues(finals[j]!.byMetric, metric);
        if (a === undefined || b === undefined) continue;
        const fa = a.filter(Number.isFinite);
        const fb = b.filter(Number.isFinite);
        const welch = welchTTest(fa, fb);
        const effect = effectSize(fa, fb);
        // A seed that never reached the criterion is censored, not missing: testing only the seeds
        // that got there would favour the learner that got there less often. No test then.
        const censored = fa.length < a.length || fb.length < b.length;
        const divergedPair = learners[i]!.diverged.length > 0 || learners[j]!.diverged.length > 0;
        if (censored || divergedPair) {
          welch.t = NaN;
          welch.df = NaN;
          welch.p = NaN;
          effect.cohenD = NaN;
          effect.hedgesG = NaN;
        }
        const reason = divergedPair
          ? "not tested: a seed diverged"
          : censored
            ? `not tested: censored seeds (reached by ${fa.length} of ${a.length} and ${fb.length} of ${b.length} seeds)`
            : (welch.reason ?? effect.reason);
        // Name what was compared: the last epoch's testAccuracy when neither recorded finalTestAccuracy.
        const named =
          metric === "finalTestAccuracy" && !finals[i]!.byMetric.has(metric) && !finals[j]!.byMetric.has(metric)
            ? "testAccuracy"
            : metric;
        comparisons.push({
          a: result.learners[i]!.name,
          b: result.learners[j]!.name,
          metric: named,
          ...welch,
          cohenD: effect.cohenD,
          hedgesG: effect.hedgesG,
          ...(reason === undefined ? {} : { reason }),
        });
      }
    }
  }
  const robustness = summarizeRobustness(
    result.robustness ?? [],
    result.learners.map((l) => l.name),
  );
  return {
    scenario: result.scenario,
    packageVersion,
    seeds: result.seeds,
    learners,
    comparisons,
    robustness,
    ...(environment === undefined ? {} : { environment }),
  };
}

/**
 * Metrics that measure wall-clock time: the only rows of metrics.csv that
 * differ between two runs of one scenario (resumed, on more cores, or in
 * shards); every other row is byte-identical.
 */
export const TIMING_METRICS: readonly string[] = ["wallMs", "trainingTimeMs", "buildMs", "simMs"];
