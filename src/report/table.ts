/**
 * The headline table shared by report.html and report.md: one row per learner,
 * final-epoch figures as mean ± 95% CI half-width over seeds, best per column marked.
 */
import type { Interval } from "../metrics/stats.js";
import type { Summary } from "../scenario/results.js";

export interface Column {
  metric: string;
  title: string;
  better: "higher" | "lower";
  scale: number;
  digits: number;
}

const COLUMNS: Column[] = [
  { metric: "testAccuracy", title: "test accuracy (%)", better: "higher", scale: 100, digits: 2 },
  { metric: "trainAccuracy", title: "train accuracy (%)", better: "higher", scale: 100, digits: 2 },
  { metric: "testLoss", title: "test loss", better: "lower", scale: 1, digits: 4 },
  { metric: "wallMs", title: "train time / epoch (ms)", better: "lower", scale: 1, digits: 0 },
  { metric: "spikesPerSample", title: "spikes / sample", better: "lower", scale: 1, digits: 1 },
];

export interface TableCell {
  text: string;
  best: boolean;
}

export interface HeadlineTable {
  headers: string[];
  rows: TableCell[][];
}

function fmt(iv: Interval, c: Column): string {
  const m = (iv.mean * c.scale).toFixed(c.digits);
  return iv.n >= 2 ? `${m} ± ${(iv.halfWidth * c.scale).toFixed(c.digits)}` : m;
}

export function headlineTable(summary: Summary): HeadlineTable {
  const cols = COLUMNS.filter((c) => summary.learners.some((l) => l.final[c.metric] !== undefined));
  const best = new Map<string, number>();
  for (const c of cols) {
    const values = summary.learners.map((l) => l.final[c.metric]?.mean).filter((v): v is number => v !== undefined);
    if (values.length > 1) best.set(c.metric, c.better === "higher" ? Math.max(...values) : Math.min(...values));
  }
  const seeds = summary.seeds.length;
  return {
    headers: ["learner", "type", "epochs", ...cols.map((c) => c.title)],
    rows: summary.learners.map((l) => [
      { text: l.name, best: false },
      { text: l.type, best: false },
      { text: String(l.epochs), best: false },
      ...cols.map((c) => {
        const iv = l.final[c.metric];
        return iv === undefined ? { text: "–", best: false } : { text: fmt(iv, c), best: best.get(c.metric) === iv.mean && seeds > 0 };
      }),
    ]),
  };
}
