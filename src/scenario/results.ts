/**
 * The run result as plain data, and its file formats: the tidy metrics table
 * (metrics.csv: learner,seed,epoch,metric,value) and the summary (summary.json:
 * final figures as mean, standard deviation and 95% CI over seeds).
 */
import { confidenceInterval, type Interval } from "../metrics/stats.js";
import type { Scenario } from "./schema.js";
import type { ReceptiveFields } from "../learners/learner.js";

export interface MetricRow {
  learner: string;
  seed: number;
  epoch: number;
  metric: string;
  value: number;
}

export interface LearnerInfo {
  name: string;
  type: string;
}

/** One bin of a learner's weight histogram after an epoch (first seed only). */
export interface WeightHistogramRow {
  learner: string;
  epoch: number;
  lo: number;
  hi: number;
  count: number;
}

export interface RunResult {
  scenario: Scenario;
  seeds: number[];
  learners: LearnerInfo[];
  rows: MetricRow[];
  /** Weight distribution after each epoch, first seed (weights.csv). */
  weightHistograms: WeightHistogramRow[];
  /** Receptive fields at the end of the first seed, for learners that have them. */
  receptiveFields: { learner: string; fields: ReceptiveFields }[];
}

export interface LearnerSummary extends LearnerInfo {
  epochs: number;
  /** Final-epoch value of each metric, over seeds. */
  final: Record<string, Interval>;
}

export interface Summary {
  scenario: Scenario;
  packageVersion: string;
  seeds: number[];
  learners: LearnerSummary[];
}

const CSV_HEADER = "learner,seed,epoch,metric,value";

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function rowsToCsv(rows: readonly MetricRow[]): string {
  const lines = [CSV_HEADER];
  for (const r of rows) lines.push(`${csvField(r.learner)},${r.seed},${r.epoch},${csvField(r.metric)},${String(r.value)}`);
  return lines.join("\n") + "\n";
}

/** Splits one CSV line into fields (RFC 4180 quoting). */
function splitCsvLine(line: string): string[] {
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

/** Parses metrics.csv; returns the rows or a description of the first bad line. */
export function csvToRows(text: string): { rows: MetricRow[] } | { line: number; expected: string; found: string } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== CSV_HEADER) return { line: 1, expected: `the header "${CSV_HEADER}"`, found: JSON.stringify(lines[0] ?? "") };
  const rows: MetricRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = splitCsvLine(lines[i]!);
    const seed = Number(f[1]);
    const epoch = Number(f[2]);
    const value = Number(f[4]);
    if (f.length !== 5 || !Number.isInteger(seed) || !Number.isInteger(epoch) || (Number.isNaN(value) && f[4] !== "NaN")) {
      return { line: i + 1, expected: "learner,seed(integer),epoch(integer),metric,value(number)", found: JSON.stringify(lines[i]) };
    }
    rows.push({ learner: f[0]!, seed, epoch, metric: f[3]!, value });
  }
  return { rows };
}

export const WEIGHTS_CSV_HEADER = "learner,epoch,lo,hi,count";

export function histogramsToCsv(rows: readonly WeightHistogramRow[]): string {
  return [WEIGHTS_CSV_HEADER, ...rows.map((r) => `${csvField(r.learner)},${r.epoch},${r.lo},${r.hi},${r.count}`)].join("\n") + "\n";
}

/** Parses weights.csv (written by `run`); malformed lines are skipped, since it only feeds a chart. */
export function csvToHistograms(text: string): WeightHistogramRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== WEIGHTS_CSV_HEADER) return [];
  return lines.slice(1).map(splitCsvLine).filter((f) => f.length === 5).map((f) => ({
    learner: f[0]!, epoch: Number(f[1]), lo: Number(f[2]), hi: Number(f[3]), count: Number(f[4]),
  }));
}

/** Final-epoch figures per learner and metric, as mean ± 95% CI over seeds. */
export function summarize(result: Pick<RunResult, "scenario" | "seeds" | "learners" | "rows">, packageVersion: string): Summary {
  const learners: LearnerSummary[] = result.learners.map((l) => {
    const mine = result.rows.filter((r) => r.learner === l.name);
    const lastEpoch = mine.reduce((m, r) => Math.max(m, r.epoch), 0);
    const byMetric = new Map<string, number[]>();
    for (const r of mine) {
      if (r.epoch !== lastEpoch) continue;
      let list = byMetric.get(r.metric);
      if (list === undefined) byMetric.set(r.metric, (list = []));
      list.push(r.value);
    }
    const final: Record<string, Interval> = {};
    for (const [metric, values] of [...byMetric.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      final[metric] = confidenceInterval(values);
    }
    return { ...l, epochs: lastEpoch, final };
  });
  return { scenario: result.scenario, packageVersion, seeds: result.seeds, learners };
}
