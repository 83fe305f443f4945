/**
 * The parity harness: trains one of our learners and its PyTorch reference
 * (bench/parity/reference.py, Debian's python3-torch, one thread) on the same
 * exported split, in the same batches in the same order every epoch, for the
 * same seeds, and judges each epoch's test accuracy:
 *
 *   equivalent   TOST at ±margin (default 2 points), 90% confidence (α = 0.05
 *                a side): the 90% interval of ours − reference lies inside
 *                (−margin, margin) (metrics/equivalence.ts);
 *   spread       our seed-to-seed standard deviation not significantly larger
 *                than the reference's: one-sided F-test at 1%, its p-values
 *                Holm-adjusted over every row of the table (a fixed ratio
 *                would fail identical implementations by chance);
 *   more seeds   where a TOST falls short while the difference itself is
 *                inside the margin, the seeds the spread needs for 80% power
 *                (tostSeedsNeeded) are added on both sides, up to maxSeeds,
 *                and the epoch is judged again on all of them (a two-stage
 *                design: say so beside a verdict that used it).
 *
 * Our side runs through the scenario runner (runScenario), exactly as a
 * scenario file would; the reference runs at the same time in a child process.
 * Both sides draw their own initial weights from their own seeded generators:
 * the comparison is between the two distributions over seeds, not seed by seed.
 */
import { mkdirSync } from "node:fs";
import {
  holmAdjust,
  pairedTost,
  spreadLarger,
  type SpreadTest,
  tost,
  type TostResult,
  tostSeedsNeeded,
} from "../../metrics/equivalence.js";
import { confidenceInterval, type Interval } from "../../metrics/stats.js";
import { runScenario } from "../../runs/run.js";
import { scenarioSchema } from "../../scenario/schema.js";
import { exportInitialParams, exportMnistSplit, exportOrders } from "./export.js";
import { REFERENCE_SCRIPT, runPython } from "./python.js";
import {
  parityWorkload,
  parityWorkloadNames,
  type ParityWorkload,
  type ParityWorkloadName,
  workloadShape,
} from "./workloads.js";

export interface ParityOptions {
  workloads: readonly ParityWorkloadName[];
  seeds: readonly number[];
  epochs: number;
  /** The first N training digits (default all 8,000) and test digits (default all 2,000). */
  trainSize?: number;
  testSize?: number;
  /** Equivalence margin in accuracy points (default 2). */
  margin?: number;
  /** TOST level per side (default 0.05: a 90% interval). */
  alpha?: number;
  /** F-test level (default 0.01). */
  spreadAlpha?: number;
  /** Seeds a side may grow to where the spread needs them (default: no growth). */
  maxSeeds?: number;
  /** Where the split and orders are written. */
  dataDir: string;
  python?: string;
  /**
   * Start the reference from our initial parameters, seed by seed, and judge
   * the paired differences: what remains is the
   * training itself (losses, gradients, optimiser, neuron step), without the
   * seed-to-seed spread of initialisation.
   */
  sharedInit?: boolean;
  log?: (line: string) => void;
  /**
   * Called after each workload with the report so far, and before seeds are
   * added with the first round's (a long run keeps what it has).
   */
  onWorkload?: (partial: ParityReport) => void;
}

/** Test accuracy in points (0-100) per epoch, per seed: acc[epoch][i] for seeds[i]. */
export interface SideRun {
  seeds: number[];
  acc: number[][];
}

export interface ParityRow {
  workload: ParityWorkloadName;
  title: string;
  epoch: number;
  ours: Interval;
  reference: Interval;
  tost: TostResult;
  spread: SpreadTest;
  /** The F-test's p after Holm's adjustment over every row of the report. */
  spreadPHolm: number;
  /** Whether both sides started from the same initial parameters (a paired TOST). */
  paired: boolean;
  /** Seeds a side behind this row, and how many were added after the first round. */
  seeds: number;
  addedSeeds: number;
  pass: boolean;
}

export interface ParityReport {
  rows: ParityRow[];
  runs: Record<string, { ours: SideRun; reference: SideRun; referenceSnntorch?: SideRun }>;
  margin: number;
  alpha: number;
  spreadAlpha: number;
  trainSize: number;
  testSize: number;
  epochs: number;
  sharedInit: boolean;
}

function emptyRun(seeds: readonly number[], epochs: number): SideRun {
  return { seeds: [...seeds], acc: Array.from({ length: epochs }, () => new Array<number>(seeds.length).fill(NaN)) };
}

/** Starts the reference for `seeds`; resolves with its accuracies once the child exits. */
async function startReference(
  w: ParityWorkload,
  seeds: readonly number[],
  o: Common,
): Promise<{ run: SideRun; snntorch: SideRun }> {
  const args = [
    REFERENCE_SCRIPT,
    "--data",
    o.dataDir,
    "--orders",
    o.dataDir,
    "--name",
    w.learner.name ?? w.learner.type,
    "--seeds",
    seeds.join(","),
    "--epochs",
    String(o.epochs),
    "--train",
    String(o.trainSize),
    "--test",
    String(o.testSize),
    "--spec",
    JSON.stringify(w.reference),
    ...(o.sharedInit ? ["--init", o.dataDir] : []),
  ];
  const out = await runPython(o.python, args);
  const run = emptyRun(seeds, o.epochs);
  const snntorch = emptyRun(seeds, o.epochs);
  for (const line of out.split("\n")) {
    if (line.trim() === "") continue;
    const r = JSON.parse(line) as { seed: number; epoch: number; testAccuracy: number; testAccuracySnntorch?: number };
    const i = seeds.indexOf(r.seed);
    run.acc[r.epoch - 1]![i] = 100 * r.testAccuracy;
    if (r.testAccuracySnntorch !== undefined) snntorch.acc[r.epoch - 1]![i] = 100 * r.testAccuracySnntorch;
  }
  if (run.acc.some((e) => e.some((a) => Number.isNaN(a))))
    throw new Error(`parity reference for ${w.name}: missing epochs in its output:\n${out}`);
  return { run, snntorch };
}

/** Our learner through the scenario runner: test accuracy per epoch and seed. */
function runOurs(
  w: ParityWorkload,
  seeds: readonly number[],
  epochs: number,
  trainSize: number,
  testSize: number,
): SideRun {
  const scenario = scenarioSchema.parse({
    name: `parity-${w.name}`,
    description: `parity harness: ${w.title}`,
    task: { type: w.task, trainSize, testSize },
    learners: [w.learner],
    epochs,
    seeds: [...seeds],
    charts: [],
    evaluation: { costSamples: 0 },
  });
  const run = emptyRun(seeds, epochs);
  runScenario(scenario, {
    hooks: [],
    observer: {
      onEpoch(r) {
        run.acc[r.epoch - 1]![seeds.indexOf(r.seed)] = 100 * r.metrics["testAccuracy"]!;
      },
    },
  });
  return run;
}

function concat(a: SideRun, b: SideRun): SideRun {
  return { seeds: [...a.seeds, ...b.seeds], acc: a.acc.map((e, k) => [...e, ...b.acc[k]!]) };
}

interface Common {
  epochs: number;
  dataDir: string;
  trainSize: number;
  testSize: number;
  python: string;
  sharedInit: boolean;
}

/** Runs both sides of one workload for `seeds` (the reference in a child process meanwhile). */
async function runBoth(
  w: ParityWorkload,
  seeds: readonly number[],
  o: Common,
): Promise<{ ours: SideRun; reference: SideRun; snntorch: SideRun }> {
  const name = w.learner.name ?? w.learner.type;
  for (const s of seeds) exportOrders(o.dataDir, name, s, o.epochs, o.trainSize);
  if (o.sharedInit) for (const s of seeds) exportInitialParams(o.dataDir, w.learner, workloadShape(w), s);
  const ref = startReference(w, seeds, o);
  // A rejection while ours runs (synchronously) is handled when awaited below.
  ref.catch(() => {});
  const ours = runOurs(w, seeds, o.epochs, o.trainSize, o.testSize);
  const { run, snntorch } = await ref;
  return { ours, reference: run, snntorch };
}

export async function runParity(o: ParityOptions): Promise<ParityReport> {
  const margin = o.margin ?? 2;
  const alpha = o.alpha ?? 0.05;
  const spreadAlpha = o.spreadAlpha ?? 0.01;
  const trainSize = o.trainSize ?? 8000;
  const testSize = o.testSize ?? 2000;
  const python = o.python ?? "/usr/bin/python3";
  const log = o.log ?? (() => {});
  mkdirSync(o.dataDir, { recursive: true });
  exportMnistSplit(o.dataDir); // written afresh every time: a stale copy must never stand in for ours
  const sharedInit = o.sharedInit ?? false;
  const common: Common = { epochs: o.epochs, dataDir: o.dataDir, trainSize, testSize, python, sharedInit };
  const runs: ParityReport["runs"] = {};
  const pending: PendingRow[] = [];
  for (const name of o.workloads) {
    const w = parityWorkload(name);
    const t0 = Date.now();
    log(`${name}: ${o.seeds.length} seeds a side, ${o.epochs} epochs on ${trainSize} digits...`);
    let { ours, reference, snntorch } = await runBoth(w, o.seeds, common);
    let added = 0;
    const judge = () =>
      ours.acc.map((a, k) => {
        const b = reference.acc[k]!;
        const t = sharedInit
          ? pairedTost(
              a.map((x, i) => x - b[i]!),
              margin,
              alpha,
            )
          : tost(a, b, margin, alpha);
        // The per-side spread the seeds-needed rule works with (paired: sd of the differences / √2).
        return { k, t, pooled: sharedInit ? (t.se * Math.sqrt(t.nA)) / Math.SQRT2 : pooledSd(a, b) };
      });
    const maxSeeds = o.maxSeeds ?? o.seeds.length;
    const short = judge().filter(({ t }) => !t.equivalent && Math.abs(t.diff) < margin);
    if (short.length > 0 && maxSeeds > o.seeds.length) {
      const need = Math.max(...short.map(({ pooled }) => tostSeedsNeeded(pooled, margin, alpha, 0.8)));
      const target = Math.min(maxSeeds, need);
      if (target > o.seeds.length) {
        const start = Math.max(...o.seeds) + 1;
        const extra = Array.from({ length: target - o.seeds.length }, (_, i) => start + i);
        log(
          `${name}: not yet shown equivalent at epoch(s) ${short.map(({ k }) => k + 1).join(", ")}; adding seeds ${extra[0]}-${extra[extra.length - 1]}`,
        );
        // The first round's report, so that a run stopped during the second keeps it.
        const firstRound = {
          ours,
          reference,
          ...(w.learner.type === "surrogate" ? { referenceSnntorch: snntorch } : {}),
        };
        o.onWorkload?.(
          judgeRows([...pending, ...judgeWorkload(w, ours, reference, 0, { margin, alpha, spreadAlpha, sharedInit })], {
            runs: { ...runs, [name]: firstRound },
            margin,
            alpha,
            spreadAlpha,
            trainSize,
            testSize,
            epochs: o.epochs,
            sharedInit,
          }),
        );
        const more = await runBoth(w, extra, common);
        ours = concat(ours, more.ours);
        reference = concat(reference, more.reference);
        snntorch = concat(snntorch, more.snntorch);
        added = extra.length;
      }
    }
    runs[name] = { ours, reference, ...(w.learner.type === "surrogate" ? { referenceSnntorch: snntorch } : {}) };
    pending.push(...judgeWorkload(w, ours, reference, added, { margin, alpha, spreadAlpha, sharedInit }));
    log(`${name}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    o.onWorkload?.(
      judgeRows(pending, { runs, margin, alpha, spreadAlpha, trainSize, testSize, epochs: o.epochs, sharedInit }),
    );
  }
  return judgeRows(pending, { runs, margin, alpha, spreadAlpha, trainSize, testSize, epochs: o.epochs, sharedInit });
}

type PendingRow = Omit<ParityRow, "spreadPHolm" | "pass">;

/** Holm-adjusts the F-tests over all rows and gives each row its verdict. */
function judgeRows(pending: readonly PendingRow[], rest: Omit<ParityReport, "rows">): ParityReport {
  const adjusted = holmAdjust(pending.map((r) => r.spread.p));
  const rows = pending.map((r, i) => {
    const spreadPHolm = adjusted[i]!;
    return { ...r, spreadPHolm, pass: r.tost.equivalent && !(spreadPHolm < rest.spreadAlpha) };
  });
  return { ...rest, rows };
}

/** The rows of one workload: per epoch, both sides' intervals, the TOST and the F-test (not yet Holm-adjusted). */
function judgeWorkload(
  w: ParityWorkload,
  ours: SideRun,
  reference: SideRun,
  addedSeeds: number,
  o: { margin: number; alpha: number; spreadAlpha: number; sharedInit: boolean },
): PendingRow[] {
  return ours.acc.map((a, k) => {
    const b = reference.acc[k]!;
    const t = o.sharedInit
      ? pairedTost(
          a.map((x, i) => x - b[i]!),
          o.margin,
          o.alpha,
        )
      : tost(a, b, o.margin, o.alpha);
    return {
      workload: w.name,
      title: w.title,
      epoch: k + 1,
      ours: confidenceInterval(a),
      reference: confidenceInterval(b),
      tost: t,
      spread: spreadLarger(a, b, o.spreadAlpha),
      seeds: ours.seeds.length,
      addedSeeds,
      paired: o.sharedInit,
    };
  });
}

function concatOptional(a: SideRun | undefined, b: SideRun | undefined): SideRun | undefined {
  return a !== undefined && b !== undefined ? concat(a, b) : undefined;
}

/**
 * One report from several: workloads run apart (on two machines, or one
 * workload's seeds split over processes). The settings must agree; a workload
 * in several reports must have different seeds in each, and its seeds are
 * joined and its rows judged again on all of them; the F-tests are
 * Holm-adjusted again over all rows.
 */
export function mergeReports(reports: readonly ParityReport[]): ParityReport {
  const first = reports[0];
  if (first === undefined) throw new Error("mergeReports: no reports");
  const keys = ["margin", "alpha", "spreadAlpha", "trainSize", "testSize", "epochs", "sharedInit"] as const;
  for (const r of reports) {
    for (const k of keys) {
      if (r[k] !== first[k]) throw new Error(`parity reports differ in ${k}: ${String(first[k])} and ${String(r[k])}`);
    }
  }
  const runs: ParityReport["runs"] = {};
  const added: Record<string, number> = {};
  for (const r of reports) {
    for (const [name, run] of Object.entries(r.runs)) {
      const rowAdded = r.rows.find((x) => x.workload === name)?.addedSeeds ?? 0;
      const had = runs[name];
      if (had === undefined) {
        runs[name] = run;
        added[name] = rowAdded;
        continue;
      }
      const both = had.ours.seeds.filter((s) => run.ours.seeds.includes(s));
      if (both.length > 0) throw new Error(`parity reports both hold workload ${name} for seed(s) ${both.join(", ")}`);
      const snntorch = concatOptional(had.referenceSnntorch, run.referenceSnntorch);
      runs[name] = {
        ours: concat(had.ours, run.ours),
        reference: concat(had.reference, run.reference),
        ...(snntorch !== undefined ? { referenceSnntorch: snntorch } : {}),
      };
      added[name] = (added[name] ?? 0) + rowAdded;
    }
  }
  const { rows: _rows, runs: _runs, ...settings } = first;
  const pending: PendingRow[] = [];
  for (const name of parityWorkloadNames) {
    const run = runs[name];
    if (run !== undefined)
      pending.push(...judgeWorkload(parityWorkload(name), run.ours, run.reference, added[name]!, settings));
  }
  return judgeRows(pending, { ...settings, runs });
}

/** √((s²_a + s²_b)/2): the per-side spread both samples suggest. */
function pooledSd(a: readonly number[], b: readonly number[]): number {
  const ia = confidenceInterval(a);
  const ib = confidenceInterval(b);
  return Math.sqrt((ia.std * ia.std + ib.std * ib.std) / 2);
}
