/**
 * What `report` checks before it draws anything from a results folder (a
 * malformed, truncated or contradictory file is refused with its file and
 * line, never drawn):
 *
 *   metrics.csv   the header; every row's learner one the run planned, its
 *                 seed one of the run's seeds, its epoch an integer from 1 to
 *                 the scenario's epochs, its value a number: finite, or NaN
 *                 only for metrics that can be undefined (a criterion never
 *                 reached, an empty phase, no connected pair), never for the
 *                 core figures; no (learner, seed, epoch, metric) twice;
 *   units         each unit's rows complete: every epoch from 1 to its last,
 *                 each with the core metrics, the last being the scenario's
 *                 final epoch (with its learning figures) or the `diverged`
 *                 row; with a manifest, exactly the units it marks finished
 *                 (the rest are reported missing); without one, every
 *                 learner and seed of the scenario;
 *   weights.csv, robustness.csv, firing-rates.csv: their columns, with
 *                 known learners, integer epochs, neurons and counts, and
 *                 finite numbers.
 */
import { ScenarioError } from "../core/errors.js";
import type { Issue } from "../core/errors.js";
import {
  DIVERGED_METRIC,
  FIRING_RATES_CSV_HEADER,
  ROBUSTNESS_CSV_HEADER,
  WEIGHTS_CSV_HEADER,
  splitCsvLine,
  type MetricRow,
  type RobustnessRow,
  type RunResult,
  type WeightHistogramRow,
} from "./results.js";

/** Figures every finished epoch records. */
export const CORE_METRICS = [
  "trainLoss",
  "trainAccuracy",
  "testLoss",
  "testAccuracy",
  "samplesSeen",
  "wallMs",
] as const;

/** Metrics whose value may be NaN (undefined, not missing): anything else must be finite. */
const MAY_BE_NAN =
  /^(samplesToCriterion|epochsToDense|aulc|forgetting(\[.*\])?|testAccuracy\[.*\]|graphMeanPathLength)$/;

function fail(path: string, line: number, expected: string, found: string): never {
  const issue: Issue = { path: `line ${line}`, line, expected, found };
  throw new ScenarioError(path, [issue], "E_RESULTS_INVALID");
}

/** Non-empty lines with their 1-based line numbers. */
function numberedLines(text: string): { line: number; text: string }[] {
  return text
    .split(/\r?\n/)
    .map((t, i) => ({ line: i + 1, text: t }))
    .filter((l) => l.text.length > 0);
}

export interface Expected {
  /** Learner names the run planned, in scenario order. */
  learners: readonly string[];
  seeds: readonly number[];
  /** Epochs of a finished unit (epochs × phases). */
  epochs: number;
}

export interface CheckedMetrics {
  rows: MetricRow[];
  parameters: string[];
  params: Map<string, Record<string, string | number | boolean>>;
  /** The line of each unit's last row ("learner\u0000seed"). */
  lastLine: Map<string, number>;
}

function parseParam(text: string): string | number | boolean {
  if (text === "true") return true;
  if (text === "false") return false;
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) && String(n) === text ? n : text;
}

export function checkMetricsCsv(text: string, path: string, x: Expected): CheckedMetrics {
  const lines = numberedLines(text);
  const head = lines[0];
  const header = head === undefined ? [] : splitCsvLine(head.text);
  const width = header.length;
  if (width < 5 || header[0] !== "learner" || header.slice(-4).join(",") !== "seed,epoch,metric,value")
    fail(
      path,
      head?.line ?? 1,
      'the header "learner,seed,epoch,metric,value" (swept parameters between learner and seed)',
      JSON.stringify(head?.text ?? ""),
    );
  const parameters = header.slice(1, -4);
  const learners = new Set(x.learners);
  const seeds = new Set(x.seeds);
  const rows: MetricRow[] = [];
  const params = new Map<string, Record<string, string | number | boolean>>();
  const seen = new Set<string>();
  const lastLine = new Map<string, number>();
  for (const { line, text: t } of lines.slice(1)) {
    const f = splitCsvLine(t);
    if (f.length !== width)
      fail(path, line, `${width} fields (${header.join(",")})`, `${f.length}: ${JSON.stringify(t)}`);
    const learner = f[0]!;
    if (!learners.has(learner))
      fail(path, line, `a learner of this run (${[...learners].join(", ")})`, JSON.stringify(learner));
    const seedText = f[width - 4]!;
    const seed = Number(seedText);
    if (!/^\d+$/.test(seedText) || !seeds.has(seed))
      fail(path, line, `a seed of this run (${x.seeds.join(", ")})`, JSON.stringify(seedText));
    const epochText = f[width - 3]!;
    const epoch = Number(epochText);
    if (!/^\d+$/.test(epochText) || epoch < 1 || epoch > x.epochs)
      fail(path, line, `an epoch from 1 to ${x.epochs}`, JSON.stringify(epochText));
    const metric = f[width - 2]!;
    const valueText = f[width - 1]!;
    const value = Number(valueText);
    const ok = valueText === "NaN" ? MAY_BE_NAN.test(metric) : valueText.trim() !== "" && Number.isFinite(value);
    if (!ok)
      fail(
        path,
        line,
        `a finite number${MAY_BE_NAN.test(metric) ? " or NaN" : ""} for ${metric}`,
        JSON.stringify(valueText),
      );
    const key = `${learner}\u0000${seed}\u0000${epoch}\u0000${metric}`;
    if (seen.has(key))
      fail(
        path,
        line,
        `one row per learner, seed, epoch and metric`,
        `${metric} of ${learner} seed ${seed} epoch ${epoch} again`,
      );
    seen.add(key);
    if (!params.has(learner)) {
      const p: Record<string, string | number | boolean> = {};
      parameters.forEach((name, k) => {
        if (f[1 + k] !== "") p[name] = parseParam(f[1 + k]!);
      });
      params.set(learner, p);
    }
    lastLine.set(`${learner}\u0000${seed}`, line);
    rows.push({ learner, seed, epoch, metric, value });
  }
  return { rows, parameters, params, lastLine };
}

/**
 * Each unit's rows complete. `finished`: the units ("learner\u0000seed") the
 * manifest marks finished, or null (no manifest: every learner and seed).
 * Returns the units missing (manifest only: not finished yet).
 */
export function checkUnits(
  m: CheckedMetrics,
  path: string,
  x: Expected,
  finished: ReadonlySet<string> | null,
): string[] {
  const byUnit = new Map<string, Map<number, Set<string>>>();
  for (const r of m.rows) {
    const key = `${r.learner}\u0000${r.seed}`;
    let epochs = byUnit.get(key);
    if (epochs === undefined) byUnit.set(key, (epochs = new Map()));
    let metrics = epochs.get(r.epoch);
    if (metrics === undefined) epochs.set(r.epoch, (metrics = new Set()));
    metrics.add(r.metric);
  }
  const lastLineOfFile = Math.max(1, ...m.lastLine.values());
  const missing: string[] = [];
  for (const seed of x.seeds) {
    for (const learner of x.learners) {
      const key = `${learner}\u0000${seed}`;
      const label = `${learner} seed ${seed}`;
      const epochs = byUnit.get(key);
      const done = finished === null || finished.has(key);
      if (!done) {
        if (epochs !== undefined)
          fail(
            path,
            m.lastLine.get(key)!,
            `no rows of ${label}: the run has not finished that unit`,
            "rows of it (a file from another run?)",
          );
        missing.push(label);
        continue;
      }
      if (epochs === undefined)
        fail(
          path,
          lastLineOfFile,
          `rows of ${label}${finished === null ? " (every learner and seed of the scenario)" : " (finished, by its unit.json)"}`,
          "none: the file ends before them (cut short?)",
        );
      const line = m.lastLine.get(key)!;
      const last = Math.max(...epochs.keys());
      const diverged = epochs.get(last)?.has(DIVERGED_METRIC) ?? false;
      for (let e = 1; e <= last; e++) {
        const ms = epochs.get(e);
        if (e === last && diverged) continue;
        const absent = ms === undefined ? ["every metric"] : CORE_METRICS.filter((c) => !ms.has(c));
        if (absent.length > 0)
          fail(
            path,
            line,
            `${label}: epoch ${e} with ${CORE_METRICS.join(", ")}`,
            `no ${absent.join(", ")} (cut short inside the unit?)`,
          );
      }
      if (!diverged && (last !== x.epochs || !epochs.get(last)!.has("finalTestAccuracy")))
        fail(
          path,
          line,
          `${label}: rows up to epoch ${x.epochs} ending with finalTestAccuracy (or a diverged row)`,
          `rows up to epoch ${last}${last === x.epochs ? " without finalTestAccuracy" : ""} (cut short inside the unit?)`,
        );
    }
  }
  return missing;
}

function finite(text: string | undefined): boolean {
  return text !== undefined && text.trim() !== "" && Number.isFinite(Number(text));
}

function nonNegativeInt(text: string | undefined): boolean {
  return text !== undefined && /^\d+$/.test(text);
}

export function checkWeightsCsv(text: string, path: string, x: Expected): WeightHistogramRow[] {
  const lines = numberedLines(text);
  if (lines[0]?.text !== WEIGHTS_CSV_HEADER)
    fail(path, lines[0]?.line ?? 1, `the header "${WEIGHTS_CSV_HEADER}"`, JSON.stringify(lines[0]?.text ?? ""));
  return lines.slice(1).map(({ line, text: t }) => {
    const f = splitCsvLine(t);
    const ok =
      f.length === 5 &&
      x.learners.includes(f[0]!) &&
      nonNegativeInt(f[1]) &&
      Number(f[1]) >= 1 &&
      Number(f[1]) <= x.epochs &&
      finite(f[2]) &&
      finite(f[3]) &&
      Number(f[2]) <= Number(f[3]) &&
      nonNegativeInt(f[4]);
    if (!ok)
      fail(
        path,
        line,
        `${WEIGHTS_CSV_HEADER}: a learner of this run, an epoch from 1 to ${x.epochs}, lo ≤ hi finite, a whole count`,
        JSON.stringify(t.slice(0, 80)),
      );
    return { learner: f[0]!, epoch: Number(f[1]), lo: Number(f[2]), hi: Number(f[3]), count: Number(f[4]) };
  });
}

const KINDS: readonly RobustnessRow["kind"][] = ["lesion", "silence", "noise"];

export function checkRobustnessCsv(text: string, path: string, x: Expected): RobustnessRow[] {
  const lines = numberedLines(text);
  if (lines[0]?.text !== ROBUSTNESS_CSV_HEADER)
    fail(path, lines[0]?.line ?? 1, `the header "${ROBUSTNESS_CSV_HEADER}"`, JSON.stringify(lines[0]?.text ?? ""));
  return lines.slice(1).map(({ line, text: t }) => {
    const f = splitCsvLine(t);
    const kind = KINDS.find((k) => k === f[2]);
    const acc = f[4];
    const ok =
      f.length === 5 &&
      x.learners.includes(f[0]!) &&
      nonNegativeInt(f[1]) &&
      x.seeds.includes(Number(f[1])) &&
      kind !== undefined &&
      finite(f[3]) &&
      (acc === "NaN" || (finite(acc) && Number(acc) >= 0 && Number(acc) <= 1));
    if (!ok || kind === undefined)
      fail(
        path,
        line,
        `${ROBUSTNESS_CSV_HEADER}: a learner and seed of this run, lesion|silence|noise, a finite level, an accuracy in [0, 1]`,
        JSON.stringify(t.slice(0, 80)),
      );
    return { learner: f[0]!, seed: Number(f[1]), kind, level: Number(f[3]), accuracy: Number(acc) };
  });
}

export function checkFiringRatesCsv(text: string, path: string, x: Expected): RunResult["firingRates"] {
  const lines = numberedLines(text);
  if (lines[0]?.text !== FIRING_RATES_CSV_HEADER)
    fail(path, lines[0]?.line ?? 1, `the header "${FIRING_RATES_CSV_HEADER}"`, JSON.stringify(lines[0]?.text ?? ""));
  const byLearner = new Map<string, number[]>();
  for (const { line, text: t } of lines.slice(1)) {
    const f = splitCsvLine(t);
    const ok =
      f.length === 3 && x.learners.includes(f[0]!) && nonNegativeInt(f[1]) && finite(f[2]) && Number(f[2]) >= 0;
    if (!ok)
      fail(
        path,
        line,
        `${FIRING_RATES_CSV_HEADER}: a learner of this run, a neuron index, a rate ≥ 0`,
        JSON.stringify(t.slice(0, 80)),
      );
    let list = byLearner.get(f[0]!);
    if (list === undefined) byLearner.set(f[0]!, (list = []));
    if (Number(f[1]) !== list.length)
      fail(path, line, `neuron ${list.length} of ${f[0]} (neurons in order)`, `neuron ${f[1]}`);
    list.push(Number(f[2]));
  }
  return [...byLearner].map(([learner, rates]) => ({ learner, rateHz: Float32Array.from(rates) }));
}
